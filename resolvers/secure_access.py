"""Secure access resolvers: thin glue between the contract and domain/secure_access."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError

from core.clock import beijing_today, utcnow
from core.db.pagination import PageRequest
from core.ids import decode_id, to_global_id
from domain.catalog.enums import ServiceDomain
from domain.faults import repository as fault_repo
from domain.secure_access import exports as account_exports
from domain.secure_access import overview as sa_overview
from domain.secure_access import repository as repo
from domain.secure_access import service
from domain.secure_access.enums import AccountSort
from domain.secure_access.errors import SecureAccessErrorCode
from domain.workorders.periods import Grain
from resolvers import exports, prefetch
from resolvers.common import INPUT, decode, errors_as, run
from resolvers.statistics import period_counts
from schema.lookahead import selection
from schema.pagination import ConnectionValue
from schema.secure_access import inputs
from schema.secure_access.types import SecureAccessAccountPayload, SecureAccessError, SecureAccessOverview
from schema.statistics import KeyCount, KindStatusCount, PeriodCount, UnitCount

VIEW = "secure_access.view_accounts"
MANAGE = "secure_access.manage_accounts"


def account_filter(f: inputs.SecureAccessAccountFilter | None) -> repo.AccountFilter:
    if f is None:
        return repo.AccountFilter()
    if f.expiring_within_days is not None and not 0 <= f.expiring_within_days <= 366:
        raise GraphQLError("到期天数须为0-366 / expiringWithinDays must be 0-366", extensions={"code": "BAD_USER_INPUT"})
    return repo.AccountFilter(
        unit_id=decode_id(str(f.unit_id), "OrgUnit") if f.unit_id is not None else None, statuses=tuple(f.statuses or ()),
        system=f.system, mac=f.mac, holder_name=f.holder_name, holder_id_number=f.holder_id_number,
        account_name=f.account_name, expiring_within_days=f.expiring_within_days, today=beijing_today(),
    )  # fmt: skip


async def accounts(
    info: strawberry.Info, f: inputs.SecureAccessAccountFilter | None, sort: AccountSort, first: int, after: str | None
) -> Any:
    actor = info.context.require_actor()
    rf, page_req, sel = account_filter(f), PageRequest(first, after), selection(info)
    async with info.context.read_session() as s:
        page = await repo.list_accounts(s, actor, rf, sort, page_req)
        await prefetch.secure_access_accounts(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.count_accounts(s, actor, rf) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def account(info: strawberry.Info, id: strawberry.ID) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(
            s, actor, "SecureAccessAccount", [decode_id(str(id), "SecureAccessAccount")], selection(info)
        )
    return next(iter(found.values()), None)


async def account_update(info: strawberry.Info, input: Annotated[inputs.SecureAccessAccountUpdateInput, INPUT]) -> Any:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        account_id = decode(input.id, "SecureAccessAccount", "id", SecureAccessErrorCode.INVALID_INPUT)
        changes = service.AccountEdit(holder_name=input.holder_name, holder_phone=input.holder_phone)
        return await service.edit(uow, actor, account_id, changes, expected_version=input.expected_version)

    edited, errors = await run(info, work)
    if errors:
        return SecureAccessAccountPayload(account=None, errors=errors_as(SecureAccessError, errors))
    sel = selection(info).get("account")
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "SecureAccessAccount", [edited.id], sel)
    return SecureAccessAccountPayload(account=found.get(edited.id), errors=[])


async def overview(info: strawberry.Info, start: datetime | None, end: datetime | None) -> SecureAccessOverview:
    actor = info.context.require_actor()

    async def compute() -> SecureAccessOverview:
        at = utcnow()
        until = end or at
        since = start or until - timedelta(days=30)
        async with info.context.read_session() as s:
            o = await sa_overview.overview(s, actor, since, until, beijing_today())
            open_faults, faults = await fault_repo.overview_counts(s, actor, ServiceDomain.SECURE_ACCESS, since, until)
        return SecureAccessOverview(
            accounts=o.accounts, by_status=[KeyCount(key=k, count=n) for k, n in o.by_status], units_connected=o.units_connected,
            systems_accessed=o.systems_accessed, online_users=o.online, expiring_soon=o.expiring, open_alerts=o.open_alerts,
            open_faults=open_faults, faults=faults,
            top_units=[UnitCount(unit_id=strawberry.ID(to_global_id("OrgUnit", i)), unit_name=name, count=n) for i, name, n in o.top_units],
            applications=[KindStatusCount(kind=k, status=st, count=n) for k, st, n in o.orders], computed_at=at,
        )  # fmt: skip

    return await info.context.screen("secureAccessOverview", (start, end), compute)


async def application_statistics(
    info: strawberry.Info, grain: Grain, start: datetime | None, end: datetime | None
) -> list[PeriodCount]:
    return await period_counts(info, "secure_access", grain, start, end)


async def export(info: strawberry.Info, f: inputs.SecureAccessAccountFilter | None) -> Any:
    """The filtered accounts as .xlsx: at once up to 2,000, else by a job (follow exportProgress)."""
    return await exports.request(info, account_exports.EXPORTER, account_exports.to_params(account_filter(f)))
