"""Scalar and enum helpers for the contract."""

from __future__ import annotations

import datetime
import enum
from typing import TypeVar

import strawberry
from graphql import GraphQLError

E = TypeVar("E", bound=enum.Enum)


def gql_enum(cls: type[E], description: str, values: dict[E, str], name: str | None = None) -> type[E]:
    """Expose a domain enum with a description on the type and on every value (the API documentation); `name` when
    the contract needs a more specific name than the domain's."""
    missing = set(cls) - set(values)
    if missing:
        raise ValueError(f"{cls.__name__}: describe {sorted(m.name for m in missing)}")
    wrapped = strawberry.enum(cls, name=name, description=description)
    for value in wrapped.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[cls[value.name]]
    return wrapped


def _aware(value: object) -> datetime.datetime:
    """An ISO 8601 time with its zone ('2026-11-29T09:30:00+08:00' or '...Z'); a time without one is refused, since
    it could mean Beijing or UTC and eight hours lie between the two."""
    if not isinstance(value, str):
        raise _bad("时间须为ISO 8601字符串 / A time is an ISO 8601 string")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise _bad(f"时间格式不正确 / Not an ISO 8601 time: {value}") from None
    if parsed.tzinfo is None:
        raise _bad(f"时间须带时区，如 +08:00 或 Z / Give the time zone, e.g. +08:00 or Z: {value}")
    return parsed


def _bad(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


# For StrawberryConfig.scalar_map: datetime values travel as this DateTime.
AwareDateTime = strawberry.scalar(
    name="DateTime", description="Date with time and its zone (ISO 8601, e.g. 2026-11-29T09:30:00+08:00).",
    serialize=lambda v: v.isoformat(), parse_value=_aware,
)  # fmt: skip
