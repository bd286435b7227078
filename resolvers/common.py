"""Glue shared by resolvers: id decoding, running a use case in a unit of work, mapping errors."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from core.db.uow import UnitOfWork
from core.errors import DomainError, DomainErrors
from core.ids import InvalidGlobalId, decode_id
from schema.lookahead import Selection, selection

T = TypeVar("T")

INPUT = strawberry.argument(description="What to do; see the input type.")
OBJECT_ID = strawberry.argument(description="Global id of the object.")


class BadId(DomainError):
    pass


def decode(value: Any, type_name: str, field: str, code: enum.Enum) -> int:
    try:
        return decode_id(str(value), type_name)
    except InvalidGlobalId:
        raise BadId(code, f"无效的ID / Not a valid {type_name} id", field) from None


async def run(info: strawberry.Info, work: Callable[[UnitOfWork], Awaitable[T]]) -> tuple[T | None, list[DomainError]]:
    """Run `work` in a unit of work: commit on success, roll back on a DomainError and return it."""
    try:
        async with info.context.unit_of_work() as uow:
            return await work(uow), []
    except DomainErrors as exc:
        return None, exc.errors
    except DomainError as exc:
        return None, [exc]


def errors_as(error_type: type, errors: list[DomainError]) -> list[Any]:
    return [error_type(code=e.code, field=e.field, message=e.message) for e in errors]


def sub_selection(info: strawberry.Info, name: str) -> Selection | None:
    return selection(info).get(name)
