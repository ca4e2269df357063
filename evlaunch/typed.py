"""Typed results back from JSON: a dataclass rebuilt from its ``asdict`` form, with every
field, nested dataclass, list, tuple and dict key restored to its annotated type (JSON has
only string keys and stores non-finite floats as null)."""

import dataclasses
import math
import types
import typing


def from_dict(kind, data):
    """``data`` (parsed JSON) as the annotated type ``kind``."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        return from_dict(next(a for a in args if a is not type(None)), data)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{
                f.name: from_dict(hints[f.name], data[f.name])
                for f in dataclasses.fields(kind)
                if f.name in data
            }
        )
    if origin is list:
        return [from_dict(args[0], x) for x in data]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_dict(args[0], x) for x in data)
        return tuple(from_dict(a, x) for a, x in zip(args, data, strict=True))
    if origin is dict:
        key, value = args
        return {from_dict(key, k): from_dict(value, v) for k, v in data.items()}
    if kind is float:  # null where it was not finite; an int stays one (a float type admits it)
        return math.nan if data is None else data
    if kind in (int, str, bool):
        return kind(data)
    return data
