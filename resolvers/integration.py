"""Interface log resolvers: the operations screen of every platform call."""

from __future__ import annotations

from typing import Any

import strawberry

from core.db.pagination import PageRequest
from core.ids import decode_id
from domain.integration import repository as repo
from domain.integration.platforms import PLATFORMS
from schema.integration import types
from schema.lookahead import selection
from schema.pagination import ConnectionValue


def platforms() -> list[types.IntegrationPlatform]:
    return [types.IntegrationPlatform(name=name, label=label) for name, label in PLATFORMS.items()]


async def interface_calls(info: strawberry.Info, f: types.InterfaceCallFilter | None, first: int, after: str | None) -> Any:
    info.context.require_actor()
    f = f or types.InterfaceCallFilter()
    rf = repo.CallFilter(
        platform=f.platform, operation=f.operation, outcome=f.outcome, idempotency_key=f.idempotency_key,
        order_id=decode_id(str(f.work_order_id), "WorkOrder") if f.work_order_id is not None else None,
        started_from=f.started_from, started_before=f.started_to,
    )  # fmt: skip
    page_req = PageRequest(first, after)
    # An ORM session: the rows verify their own MAC (`intact`); this screen is not a hot path.
    async with info.context.services.session_factory() as s:
        page = await repo.list_calls(s, rf, page_req)
        total = await repo.count_calls(s, rf) if "totalCount" in selection(info) else None
    return ConnectionValue(page, total)
