"""Keyset (cursor) pagination: stable under inserts, and as fast on page 1,000 as on page 1."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import ColumnElement, Select, tuple_

MAX_PAGE = 100
T = TypeVar("T")


class InvalidCursor(ValueError):
    pass


class InvalidPageSize(ValueError):
    pass


def encode_cursor(values: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> tuple[Any, ...]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidCursor(cursor) from exc
    if not isinstance(values, list) or len(values) != width:
        raise InvalidCursor(cursor)
    return tuple(values)


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int = 20
    after: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.first <= MAX_PAGE:
            raise InvalidPageSize(f"first must be between 1 and {MAX_PAGE}")


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    keys: list[tuple[Any, ...]]  # cursor values per item; encoded only when a cursor is asked for
    has_next_page: bool
    has_previous_page: bool


def keyset(stmt: Select[Any], order: list[ColumnElement[Any]], page: PageRequest) -> Select[Any]:
    """Order by `order` (last column unique, usually id) and start after the cursor; fetch one extra row."""
    if page.after is not None:
        after = decode_cursor(page.after, len(order))
        stmt = stmt.where(tuple_(*order) > tuple_(*after)) if len(order) > 1 else stmt.where(order[0] > after[0])
    return stmt.order_by(*order).limit(page.first + 1)


def to_page(rows: list[Any], items: list[T], key: Any, page: PageRequest) -> Page[T]:
    """`key(row)` gives the cursor values of a row (the same columns as `order`)."""
    more = len(items) > page.first
    rows, items = rows[: page.first], items[: page.first]
    return Page(items, [key(r) for r in rows], more, page.after is not None)
