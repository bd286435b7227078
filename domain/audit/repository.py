"""Reading the operation log (modules 39, 40): filters, the two readers' scopes, exports.

三员分立: the audit administrator reads the whole log; the security administrator reads only security
events (alarms, refused logins and refused API calls), which are theirs to act on. Nobody else reads it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, cast, or_, select

from core.audit import AuditEvent, AuditOutcome
from core.db.engine import Db
from core.db.pagination import Page, PageRequest, decode_cursor, to_page

E = AuditEvent.__table__.c
EXPORT_LIMIT = 50_000  # rows in one spreadsheet; beyond that, narrow the time range
_REFUSABLE = ("identity.login", "identity.sso_login", "api.call")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    actor_id: int | None = None
    actor_username: str | None = None
    org_unit_id: int | None = None
    operation: str | None = None  # exact, or a prefix ending in "." (e.g. "identity.")
    outcome: AuditOutcome | None = None
    target_type: str | None = None
    target_id: int | None = None
    keyword: str | None = None  # in the operation, the actor's name, the client address, the request id or the detail


def security_events() -> Any:
    """What the security administrator may read: alarms and refused attempts."""
    return or_(
        E.operation.like("security.%"),
        and_(E.operation.in_(_REFUSABLE), E.outcome != AuditOutcome.SUCCESS),
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _query(f: AuditFilter, security_only: bool) -> Select[Any]:
    stmt = select(AuditEvent.__table__)
    if security_only:
        stmt = stmt.where(security_events())
    if f.occurred_from is not None:
        stmt = stmt.where(E.occurred_at >= f.occurred_from)
    if f.occurred_to is not None:
        stmt = stmt.where(E.occurred_at < f.occurred_to)
    if f.actor_id is not None:
        stmt = stmt.where(E.actor_id == f.actor_id)
    if f.actor_username:
        stmt = stmt.where(E.actor_username == f.actor_username)
    if f.org_unit_id is not None:
        stmt = stmt.where(E.org_unit_id == f.org_unit_id)
    if f.operation:
        op = f.operation.strip()
        stmt = stmt.where(E.operation.like(_escape(op) + "%", escape="\\") if op.endswith(".") else E.operation == op)
    if f.outcome is not None:
        stmt = stmt.where(E.outcome == f.outcome)
    if f.target_type:
        stmt = stmt.where(E.target_type == f.target_type)
    if f.target_id is not None:
        stmt = stmt.where(E.target_id == f.target_id)
    if f.keyword:
        pattern = f"%{_escape(f.keyword.strip())}%"
        stmt = stmt.where(
            or_(
                E.operation.like(pattern, escape="\\"), E.actor_username.like(pattern, escape="\\"),
                E.client_ip.like(pattern, escape="\\"), E.request_id.like(pattern, escape="\\"),
                cast(E.detail, String).like(pattern, escape="\\"),
            )
        )  # fmt: skip
    return stmt


async def list_events(db: Db, f: AuditFilter, page: PageRequest, *, security_only: bool) -> Page[Any]:
    """Newest first, keyset-paginated on the id."""
    stmt = _query(f, security_only).order_by(E.id.desc()).limit(page.first + 1)
    if page.after is not None:
        stmt = stmt.where(E.id < decode_cursor(page.after, 1)[0])
    rows = list(await db.execute(stmt))
    return to_page(rows, rows, lambda r: (r.id,), page)


async def get_event(db: Db, event_id: int, *, security_only: bool) -> Any:
    stmt = _query(AuditFilter(), security_only).where(E.id == event_id)
    return (await db.execute(stmt)).first()


async def count_events(db: Db, f: AuditFilter, *, security_only: bool, limit: int) -> int:
    """How many match, counting no further than `limit` (enough to refuse an oversized export)."""
    from sqlalchemy import func

    sub = _query(f, security_only).with_only_columns(E.id).limit(limit + 1).subquery()
    return int((await db.execute(select(func.count()).select_from(sub))).scalar_one())


async def stream_events(db: Db, f: AuditFilter, *, security_only: bool, batch: int = 2000) -> AsyncIterator[Any]:
    """Every matching record, newest first, in keyset batches (exports)."""
    last = None
    while True:
        stmt = _query(f, security_only).order_by(E.id.desc()).limit(batch)
        if last is not None:
            stmt = stmt.where(E.id < last)
        rows = list(await db.execute(stmt))
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        last = rows[-1].id


EXPORT_COLUMNS = [
    ("编号 / Id", 10), ("时间 / Time (Beijing)", 20), ("操作人 / Actor", 16), ("单位 / Unit id", 10), ("操作 / Operation", 28),
    ("对象类型 / Target", 14), ("对象 / Target id", 10), ("结果 / Outcome", 10), ("来源地址 / Client", 16),
    ("请求编号 / Request id", 34), ("详情 / Detail", 60), ("链序号 / Chain seq", 10), ("校验值 / MAC (HMAC-SM3)", 66),
]  # fmt: skip


def export_row(row: Any) -> list[Any]:
    import orjson

    detail = row.detail if isinstance(row.detail, (dict, list)) else row.detail or {}
    return [
        row.id, row.occurred_at, row.actor_username, row.org_unit_id, row.operation, row.target_type, row.target_id,
        getattr(row.outcome, "value", row.outcome), row.client_ip, row.request_id,
        orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode(), row.chain_seq, row.mac,
    ]  # fmt: skip
