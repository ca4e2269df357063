"""
Python model 'demand_capacity_backlog.py'
Translated using PySD
"""

from pathlib import Path
import numpy as np

from pysd.py_backend.functions import if_then_else
from pysd.py_backend.statefuls import Integ
from pysd import Component

__pysd_version__ = "3.14.3"

__data = {"scope": None, "time": lambda: 0}

_root = Path(__file__).parent


component = Component()

#######################################################################
#                          CONTROL VARIABLES                          #
#######################################################################

_control_vars = {
    "initial_time": lambda: 0,
    "final_time": lambda: 71,
    "time_step": lambda: 1,
    "saveper": lambda: 1,
}


def _init_outer_references(data):
    for key in data:
        __data[key] = data[key]


@component.add(name="Time")
def time():
    """
    Current time of the model.
    """
    return __data["time"]()


@component.add(name="FINAL TIME", units="Month", comp_type="Constant", comp_subtype="Normal")
def final_time():
    """
    The final time for the simulation.
    """
    return __data["time"].final_time()


@component.add(name="INITIAL TIME", units="Month", comp_type="Constant", comp_subtype="Normal")
def initial_time():
    """
    The initial time for the simulation.
    """
    return __data["time"].initial_time()


@component.add(
    name="SAVEPER",
    units="Month",
    limits=(0.0, np.nan),
    comp_type="Constant",
    comp_subtype="Normal",
)
def saveper():
    """
    The frequency with which output is stored.
    """
    return __data["time"].saveper()


@component.add(
    name="TIME STEP",
    units="Month",
    limits=(0.0, np.nan),
    comp_type="Constant",
    comp_subtype="Normal",
)
def time_step():
    """
    The time step for the simulation.
    """
    return __data["time"].time_step()


#######################################################################
#                           MODEL VARIABLES                           #
#######################################################################


@component.add(name="p per month", units="1/Month", comp_type="Constant", comp_subtype="Normal")
def p_per_month():
    """
    Bass coefficient of innovation, per month.
    """
    return 0.0025


@component.add(name="q per month", units="1/Month", comp_type="Constant", comp_subtype="Normal")
def q_per_month():
    """
    Bass coefficient of imitation, per month.
    """
    return 0.0316667


@component.add(
    name="market vehicles",
    units="vehicles",
    comp_type="Constant",
    comp_subtype="Normal",
)
def market_vehicles():
    """
    Bass market potential m.
    """
    return 4000000.0


@component.add(name="price factor", units="dmnl", comp_type="Constant", comp_subtype="Normal")
def price_factor():
    """
    (price / reference price) ^ elasticity.
    """
    return 1


@component.add(name="launch month", units="Month", comp_type="Constant", comp_subtype="Normal")
def launch_month():
    """
    Orders open from this month.
    """
    return 30


@component.add(name="cancel rate", units="1/Month", comp_type="Constant", comp_subtype="Normal")
def cancel_rate():
    """
    Share of unfilled orders that cancel each month.
    """
    return 0.05


@component.add(
    name="adopted",
    units="vehicles",
    comp_type="Stateful",
    comp_subtype="Integ",
    depends_on={"_integ_adopted": 1},
    other_deps={"_integ_adopted": {"initial": {}, "step": {"new_orders": 1}}},
)
def adopted():
    """
    Cumulative orders N.
    """
    return _integ_adopted()


_integ_adopted = Integ(lambda: new_orders(), lambda: 0, "_integ_adopted")


@component.add(
    name="new orders",
    units="vehicles/Month",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={
        "p_per_month": 1,
        "market_vehicles": 3,
        "q_per_month": 1,
        "adopted": 3,
        "price_factor": 1,
        "time": 1,
        "launch_month": 1,
    },
)
def new_orders():
    """
    Generalised Bass diffusion.
    """
    return float(
        np.minimum(
            (p_per_month() + q_per_month() * adopted() / market_vehicles())
            * (market_vehicles() - adopted())
            * price_factor()
            * if_then_else(time() >= launch_month(), lambda: 1, lambda: 0),
            market_vehicles() - adopted(),
        )
    )


@component.add(
    name="full rate a",
    units="vehicles/Month",
    comp_type="Constant",
    comp_subtype="Normal",
)
def full_rate_a():
    """
    Option A at full rate: capacity per year x share / 12.
    """
    return 12500


@component.add(name="sop a", units="Month", comp_type="Constant", comp_subtype="Normal")
def sop_a():
    """
    Option A start of production.
    """
    return 31


@component.add(name="ramp a", units="Month", comp_type="Constant", comp_subtype="Normal")
def ramp_a():
    """
    Option A SOP to full rate.
    """
    return 12


@component.add(
    name="ramp x a",
    units="dmnl",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={"time": 1, "sop_a": 1, "ramp_a": 1},
)
def ramp_x_a():
    """
    Month midpoint, as a share of the ramp.
    """
    return float(np.minimum(float(np.maximum((time() + 0.5 - sop_a()) / ramp_a(), 0)), 1))


@component.add(
    name="capacity a",
    units="vehicles/Month",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={"full_rate_a": 1, "ramp_x_a": 3},
)
def capacity_a():
    """
    Smoothstep S-curve ramp.
    """
    return full_rate_a() * ramp_x_a() * ramp_x_a() * (3 - 2 * ramp_x_a())


@component.add(
    name="full rate b",
    units="vehicles/Month",
    comp_type="Constant",
    comp_subtype="Normal",
)
def full_rate_b():
    """
    Option B at full rate.
    """
    return 12500


@component.add(name="sop b", units="Month", comp_type="Constant", comp_subtype="Normal")
def sop_b():
    """
    Option B start of production.
    """
    return 40


@component.add(name="ramp b", units="Month", comp_type="Constant", comp_subtype="Normal")
def ramp_b():
    """
    Option B SOP to full rate.
    """
    return 9


@component.add(
    name="ramp x b",
    units="dmnl",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={"time": 1, "sop_b": 1, "ramp_b": 1},
)
def ramp_x_b():
    return float(np.minimum(float(np.maximum((time() + 0.5 - sop_b()) / ramp_b(), 0)), 1))


@component.add(
    name="capacity b",
    units="vehicles/Month",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={"full_rate_b": 1, "ramp_x_b": 3},
)
def capacity_b():
    return full_rate_b() * ramp_x_b() * ramp_x_b() * (3 - 2 * ramp_x_b())


@component.add(
    name="capacity",
    units="vehicles/Month",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={"capacity_a": 1, "capacity_b": 1},
)
def capacity():
    return capacity_a() + capacity_b()


@component.add(
    name="open orders",
    units="vehicles/Month",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={"backlog": 1, "new_orders": 1},
)
def open_orders():
    return backlog() + new_orders()


@component.add(
    name="deliveries",
    units="vehicles/Month",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={"open_orders": 1, "capacity": 1},
)
def deliveries():
    return float(np.minimum(open_orders(), capacity()))


@component.add(
    name="cancellations",
    units="vehicles/Month",
    comp_type="Auxiliary",
    comp_subtype="Normal",
    depends_on={"cancel_rate": 1, "deliveries": 1, "open_orders": 1},
)
def cancellations():
    return cancel_rate() * (open_orders() - deliveries())


@component.add(
    name="backlog",
    units="vehicles",
    comp_type="Stateful",
    comp_subtype="Integ",
    depends_on={"_integ_backlog": 1},
    other_deps={
        "_integ_backlog": {
            "initial": {},
            "step": {"new_orders": 1, "deliveries": 1, "cancellations": 1},
        }
    },
)
def backlog():
    """
    Orders waiting at the start of the month.
    """
    return _integ_backlog()


_integ_backlog = Integ(
    lambda: new_orders() - deliveries() - cancellations(), lambda: 0, "_integ_backlog"
)
