"""Scalar and enum helpers for the contract."""

from __future__ import annotations

import enum
from typing import TypeVar

import strawberry

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
