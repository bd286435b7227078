"""An export's filter as JSON and back: every list filter is a frozen dataclass of plain values, dates, datetimes,
enums and tuples of them, stored with the export (and its audit record) and read back when the job builds it."""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import fields
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

F = TypeVar("F")


@cache
def _kinds(cls: type) -> dict[str, tuple[str, Any]]:
    """For each field: ("datetime" | "date" | "enums" | "enum" | "plain", the enum class if any), from its type hints."""
    hints = typing.get_type_hints(cls)
    out: dict[str, tuple[str, Any]] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        hint = hints[f.name]
        args = [a for a in typing.get_args(hint) if a is not type(None) and a is not Ellipsis]
        origin = typing.get_origin(hint)
        inner = args[0] if args and origin in (tuple, typing.Union, types.UnionType) else hint
        if origin is tuple and isinstance(inner, type) and issubclass(inner, enum.Enum):
            out[f.name] = ("enums", inner)
        elif inner is datetime:
            out[f.name] = ("datetime", None)
        elif inner is date:
            out[f.name] = ("date", None)
        elif isinstance(inner, type) and issubclass(inner, enum.Enum):
            out[f.name] = ("enum", inner)
        else:
            out[f.name] = ("plain", None)
    return out


def to_params(f: Any) -> dict[str, Any]:
    """The filter as JSON: what is not set (None, an empty tuple) is left out; enums by value, dates as ISO text."""
    out: dict[str, Any] = {}
    for name, (kind, _cls) in _kinds(type(f)).items():
        value = getattr(f, name)
        if value is None or value == ():
            continue
        if kind == "enums":
            value = [v.value for v in value]
        elif kind == "enum":
            value = value.value
        elif kind in ("datetime", "date"):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[name] = value
    return out


def from_params(cls: type[F], params: dict[str, Any]) -> F:
    """The filter `to_params` wrote (fields it does not know are refused by the dataclass, as they should be)."""
    kinds = _kinds(cls)
    values: dict[str, Any] = {}
    for name, value in params.items():
        kind, enum_cls = kinds.get(name, ("plain", None))
        if value is None:
            values[name] = None
        elif kind == "enums":
            values[name] = tuple(enum_cls(v) for v in value)
        elif kind == "enum":
            values[name] = enum_cls(value)
        elif kind == "datetime":
            values[name] = datetime.fromisoformat(value)
        elif kind == "date":
            values[name] = date.fromisoformat(value)
        elif isinstance(value, list):
            values[name] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        else:
            values[name] = value
    return cls(**values)
