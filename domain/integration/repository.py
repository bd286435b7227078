"""All SQL of the interface log: write a sealed row, list and count for the operations screen, find tampering."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import integrity
from core.db.engine import dialect_name
from core.db.functions import in_ids
from core.db.pagination import Page, PageRequest, decode_cursor, to_page
from domain.integration.enums import CallDirection, CallOutcome
from domain.integration.models import ERROR_MAX, KEY_MAX, URL_MAX, InterfaceCall, sealed_fields
from domain.integration.ports import CallRecord

C = InterfaceCall.__table__.c


@dataclass(frozen=True, slots=True)
class CallFilter:
    """What the operations screen narrows the log by; every field set must match."""

    platform: str | None = None
    operation: str | None = None
    direction: CallDirection | None = None
    outcome: CallOutcome | None = None
    order_id: int | None = None
    idempotency_key: str | None = None
    started_from: datetime | None = None  # inclusive
    started_before: datetime | None = None  # exclusive


async def record_call(session: AsyncSession, rec: CallRecord) -> InterfaceCall:
    """Add one sealed row for a call (long URLs, keys and errors are cut to their columns first); flushed by the caller."""
    row = InterfaceCall(
        platform=rec.platform, operation=rec.operation, direction=rec.direction, method=rec.method.upper(),
        url=rec.url[:URL_MAX], idempotency_key=None if rec.idempotency_key is None else rec.idempotency_key[:KEY_MAX],
        request=rec.request, response=rec.response, status_code=rec.status_code, latency_ms=max(0, int(rec.latency_ms)),
        outcome=rec.outcome, error=None if rec.error is None else rec.error[:ERROR_MAX], started_at=rec.started_at,
        order_id=rec.order_id,
    )  # fmt: skip
    row.mac = integrity.seal(*sealed_fields(row))
    session.add(row)
    return row


def _filtered(stmt: Select[Any], f: CallFilter) -> Select[Any]:
    exact = {
        C.platform: f.platform, C.operation: f.operation, C.direction: f.direction, C.outcome: f.outcome,
        C.order_id: f.order_id, C.idempotency_key: f.idempotency_key,
    }  # fmt: skip
    for column, value in exact.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if f.started_from is not None:
        stmt = stmt.where(C.started_at >= f.started_from)
    if f.started_before is not None:
        stmt = stmt.where(C.started_at < f.started_before)
    return stmt


def _cursor_key(call: InterfaceCall) -> tuple[str, int]:
    return call.started_at.isoformat(), call.id


async def list_calls(session: AsyncSession, f: CallFilter, page: PageRequest) -> Page[InterfaceCall]:
    """A page of calls, newest first (started_at, then id, descending); the cursor is (started_at, id)."""
    stmt = _filtered(select(InterfaceCall), f)
    if page.after is not None:
        at_raw, after_id = decode_cursor(page.after, 2)
        at = datetime.fromisoformat(str(at_raw))
        stmt = stmt.where(or_(C.started_at < at, and_(C.started_at == at, C.id < int(after_id))))
    stmt = stmt.order_by(C.started_at.desc(), C.id.desc()).limit(page.first + 1)
    calls = list((await session.execute(stmt)).scalars())
    return to_page(calls, calls, _cursor_key, page)


async def count_calls(session: AsyncSession, f: CallFilter) -> int:
    """How many calls match the filter."""
    return int((await session.execute(_filtered(select(func.count()).select_from(InterfaceCall), f))).scalar_one())


async def calls_by_order(session: AsyncSession, order_ids: Iterable[int]) -> dict[int, list[InterfaceCall]]:
    """The calls of each order, oldest first; every id asked for has a (possibly empty) list."""
    ids = sorted(set(order_ids))
    out: dict[int, list[InterfaceCall]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = select(InterfaceCall).where(in_ids(C.order_id, "ids", dialect_name(session))).order_by(C.started_at, C.id)
    for call in (await session.execute(stmt, {"ids": ids})).scalars():
        out[call.order_id].append(call)  # type: ignore[index]
    return out


async def broken_calls(session: AsyncSession) -> list[int]:
    """Ids of the rows whose MAC does not verify (edited, or written without the master key), in id order."""
    stmt = select(*[column for column in InterfaceCall.__table__.c]).order_by(C.id).execution_options(yield_per=2000)
    broken = []
    async for row in await session.stream(stmt):
        if not integrity.holds(row.mac, *sealed_fields(row)):
            broken.append(row.id)
    return broken
