"""Keyset (cursor) pagination: stable under inserts, and as fast on page 1,000 as on page 1."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, literal_column, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

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


# -- totals ------------------------------------------------------------------------------------------

EXACT_COUNT_LIMIT = 10_000  # lists longer than this report PostgreSQL's estimate, labelled as one


@dataclass(frozen=True, slots=True)
class Count:
    """How many items a filtered list holds: exact up to EXACT_COUNT_LIMIT, else the planner's estimate."""

    value: int
    estimated: bool = False


class Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON) <statement>` with the statement's parameters bound as usual (SQLAlchemy's recipe)."""

    inherit_cache = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + str(compiler.process(element.statement, **kw))


def count_expression(dialect: str, table: Any, where: Sequence[ColumnElement[bool]], limit: int = EXACT_COUNT_LIMIT) -> Any:
    """The scalar subquery behind count_rows, to ride along in another statement: at most `limit` + 1 rows are read
    on PostgreSQL (finish_count turns a longer one into the estimate); on SQLite it is the exact count."""
    if dialect != "postgresql":
        return select(func.count()).select_from(table).where(*where).scalar_subquery()
    rows = select(literal_column("1")).select_from(table).where(*where)
    # A literal LIMIT: with a parameter there, a prepared statement's generic plan would assume a tenth of the table.
    capped = rows.limit(bindparam("count_limit", limit + 1, type_=Integer(), literal_execute=True))
    return select(func.count()).select_from(capped.subquery()).scalar_subquery()


async def finish_count(
    db: Any, table: Any, where: Callable[[], Sequence[ColumnElement[bool]]], n: int, limit: int = EXACT_COUNT_LIMIT
) -> Count:
    """What count_expression's value `n` means: exact up to `limit`, else the planner's estimate (one EXPLAIN over the
    conditions `where()` gives, built only then)."""
    if db.dialect.name != "postgresql" or n <= limit:
        return Count(n)
    plan = (await db.execute(Explain(select(literal_column("1")).select_from(table).where(*where())))).scalar_one()
    plan = orjson.loads(plan) if isinstance(plan, str | bytes) else plan
    return Count(max(int(plan[0]["Plan"]["Plan Rows"]), limit + 1), estimated=True)


async def count_rows(db: Any, table: Any, where: Sequence[ColumnElement[bool]], limit: int = EXACT_COUNT_LIMIT) -> Count:
    """Count the rows of `table` matching `where`, reading at most `limit` + 1 of them. A longer list (only the
    viewers who see the whole city get those) is worth no more than an estimate: exact counts of half a million
    orders cost more than the page they go with. On SQLite (embedded, small) the count is always exact."""
    n = int((await db.execute(select(count_expression(db.dialect.name, table, where, limit)))).scalar_one())
    return await finish_count(db, table, lambda: where, n, limit)
