"""Risk: uncertain inputs, sampling, the Monte Carlo run and sensitivity."""
