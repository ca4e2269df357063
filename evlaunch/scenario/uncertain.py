"""``Uncertain``: a scenario field that takes a number or a distribution, every possible
value of which must lie in the field's range."""

import math
from typing import Annotated

from pydantic import AfterValidator, Discriminator, Tag

from .distributions import Distribution, is_uncertain, support, support_bounds


def _number_or_distribution(value) -> str:
    return "distribution" if isinstance(value, dict) or is_uncertain(value) else "number"


def _range_text(gt, ge, lt, le) -> str:
    parts = [
        f"greater than {gt:g}" if gt is not None else None,
        f"greater than or equal to {ge:g}" if ge is not None else None,
        f"less than {lt:g}" if lt is not None else None,
        f"less than or equal to {le:g}" if le is not None else None,
    ]
    return " and ".join(p for p in parts if p)


def Uncertain(gt=None, ge=None, lt=None, le=None):
    """A number, or a distribution, whose every possible value lies in the allowed range."""

    def allowed(low: float, high: float) -> bool:
        return (
            (gt is None or low > gt)
            and (ge is None or low >= ge)
            and (lt is None or high < lt)
            and (le is None or high <= le)
        )

    def in_range(value):
        low, high = support_bounds(value)
        if math.isfinite(low.low) and math.isfinite(high.high) and allowed(low.low, high.high):
            return value  # whatever the exact ends are, they are allowed
        low, high = support(value)
        if is_uncertain(value) and not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(
                f"this {value.dist} distribution's range overflows a float ({low:g} to "
                f"{high:g}); its figures are far beyond any real one"
            )
        if not allowed(low, high):
            text = _range_text(gt, ge, lt, le)
            if is_uncertain(value):
                raise ValueError(
                    f"this {value.dist} distribution takes values from {low:g} to {high:g}; "
                    f"every value must be {text}: bound it (low, high) or narrow it"
                )
            raise ValueError(f"Input should be {text}")
        return value

    return Annotated[
        Annotated[float, Tag("number")] | Annotated[Distribution, Tag("distribution")],
        Discriminator(_number_or_distribution),
        AfterValidator(in_range),
    ]
