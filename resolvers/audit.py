"""Operation-log resolvers: the audit administrator reads everything, the security administrator security events."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import strawberry

from core import xlsx
from core.clock import SHANGHAI, utcnow
from core.db.pagination import PageRequest
from core.ids import decode_id
from domain.audit import repository as repo
from domain.audit import service
from resolvers.common import errors_as, run
from schema.audit import types
from schema.lookahead import selection
from schema.pagination import ConnectionValue


def _filter(f: types.AuditEventFilter | None) -> repo.AuditFilter:
    if f is None:
        return repo.AuditFilter()
    return repo.AuditFilter(
        occurred_from=f.occurred_from, occurred_to=f.occurred_to,
        actor_id=decode_id(str(f.actor_id), "User") if f.actor_id is not None else None,
        actor_username=f.actor_username, operation=f.operation, outcome=f.outcome, target_type=f.target_type,
        org_unit_id=decode_id(str(f.org_unit_id), "OrgUnit") if f.org_unit_id is not None else None, keyword=f.keyword,
    )  # fmt: skip


async def events(
    info: strawberry.Info, f: types.AuditEventFilter | None, first: int, after: str | None, *, security: bool
) -> Any:
    page_req, rf = PageRequest(first, after), _filter(f)
    async with info.context.read_session() as db:
        page = await repo.list_events(db, rf, page_req, security_only=security)
        # Counted only when asked for (it was null before, which the non-null field turned into an error).
        total = await repo.count_events(db, rf, security_only=security, limit=10**9) if "totalCount" in selection(info) else None
    return ConnectionValue(dataclasses.replace(page, items=[types.AuditEvent.of(r) for r in page.items]), total)


async def event(info: strawberry.Info, id: strawberry.ID) -> types.AuditEvent | None:
    async with info.context.read_session() as db:
        row = await repo.get_event(db, decode_id(str(id), "AuditEvent"), security_only=False)
    return types.AuditEvent.of(row) if row is not None else None


async def export(info: strawberry.Info, f: types.AuditEventFilter | None, *, security: bool) -> types.AuditExportPayload:
    actor = info.context.require_actor()
    services = info.context.services
    result, errors = await run(info, lambda uow: service.export(services.read, uow, actor, _filter(f), security_only=security))
    if result is None:
        return types.AuditExportPayload(filename=None, media_type=None, content_base64=None, row_count=None,
                                        errors=errors_as(types.AuditError, errors))  # fmt: skip
    content, count = result
    stamp = utcnow().astimezone(SHANGHAI).strftime("%Y%m%d-%H%M%S")
    return types.AuditExportPayload(
        filename=f"{'security-events' if security else 'operation-log'}-{stamp}.xlsx", media_type=xlsx.MEDIA_TYPE,
        content_base64=base64.b64encode(content).decode(), row_count=count, errors=[],
    )  # fmt: skip
