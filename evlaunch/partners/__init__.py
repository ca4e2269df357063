"""Which way to build the car: multi-criteria decision analysis (MCDA), SMAA and the
simulation's view of each alternative."""
