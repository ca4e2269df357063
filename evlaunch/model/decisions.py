"""Decisions a path takes on its own order book: adding a shift, committing a phase.

Real entrants ran plants above nameplate when orders piled up and committed new capacity in
response to their order book, not on a date fixed years before. Both rules read the month's
end state: the backlog against the month's output.
"""

from numba import njit


@njit(cache=True, inline="always")
def backlog_exceeds(waiting_vehicles, output_vehicles, months):
    """True when the backlog is more than ``months`` months of this month's output (with no
    output, any backlog is)."""
    return waiting_vehicles > months * output_vehicles and waiting_vehicles > 0.0


@njit(cache=True, inline="always")
def shift_running_from(month, waiting, output, backlog_months, shift_months):
    """The month a shift called for at the end of ``month`` runs from: ``shift_months``
    after the next month, if the backlog calls for one; else infinity."""
    if backlog_exceeds(waiting, output, backlog_months):
        return month + 1.0 + shift_months
    return float("inf")


@njit(cache=True, inline="always")
def expansion_commit(month, streak, waiting, output, backlog_months, for_months, not_before):
    """(streak of months the backlog has exceeded ``backlog_months`` of output, the month the
    phase is committed or infinity): it is committed at the start of the next month once the
    streak reaches ``for_months``, and not before month ``not_before``."""
    streak = streak + 1 if backlog_exceeds(waiting, output, backlog_months) else 0
    if streak >= for_months and month + 1.0 >= not_before:
        return streak, month + 1.0
    return streak, float("inf")
