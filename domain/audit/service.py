"""Exports of the operation log (each export is itself logged)."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from core import audit, xlsx
from core.db.uow import UnitOfWork
from core.errors import DomainError
from domain.audit import repository as repo
from domain.identity.actor import Actor


class AuditErrorCode(str, enum.Enum):
    EXPORT_TOO_LARGE = "EXPORT_TOO_LARGE"


async def export(read: Any, uow: UnitOfWork, actor: Actor, f: repo.AuditFilter, *, security_only: bool) -> tuple[bytes, int]:
    """The matching records as .xlsx; refused above EXPORT_LIMIT rows (narrow the time range)."""
    async with read() as db:
        count = await repo.count_events(db, f, security_only=security_only, limit=repo.EXPORT_LIMIT)
        if count > repo.EXPORT_LIMIT:
            raise DomainError(
                AuditErrorCode.EXPORT_TOO_LARGE,
                f"超过{repo.EXPORT_LIMIT}条，请缩小时间范围 / More than {repo.EXPORT_LIMIT} records: narrow the time range",
                "filter",
            )
        rows = [repo.export_row(r) async for r in repo.stream_events(db, f, security_only=security_only)]
    content = xlsx.write("操作日志 Operation log", repo.EXPORT_COLUMNS, rows)
    audit.record(
        uow.session, operation="audit.export", actor_id=actor.user_id, actor_username=actor.username,
        org_unit_id=actor.org_unit_id, client_ip=actor.client_ip,
        detail={"rows": len(rows), "securityOnly": security_only,
                "filter": {k: str(v) for k, v in dataclasses.asdict(f).items() if v is not None}},
    )  # fmt: skip
    return content, len(rows)
