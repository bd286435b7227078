"""Wireless resolvers: thin glue between the contract and domain/wireless."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError

from core.clock import utcnow
from core.db.pagination import PageRequest
from core.ids import decode_id, to_global_id
from domain.alerts.enums import AlertSeverity
from domain.catalog.enums import ServiceDomain
from domain.faults import repository as fault_repo
from domain.wireless import exports as card_exports
from domain.wireless import overview as wireless_overview
from domain.wireless import repository as repo
from domain.wireless import service
from domain.wireless.alerts import PushedAlert, record
from domain.wireless.enums import Carrier, SimCardSort
from domain.wireless.errors import WirelessErrorCode
from domain.workorders.periods import Grain
from resolvers import exports, prefetch
from resolvers.common import INPUT, decode, errors_as, run
from resolvers.statistics import period_counts
from schema.lookahead import selection
from schema.pagination import ConnectionValue
from schema.statistics import KeyCount, KindStatusCount, PeriodCount, UnitCount
from schema.wireless import inputs
from schema.wireless.types import (
    DailyTraffic,
    PlanCount,
    TerminalAccountPayload,
    WirelessError,
    WirelessOverview,
    WirelessSecurityAlertPushPayload,
)

VIEW = "wireless.view_cards"


def card_filter(f: inputs.SimCardFilter | None) -> repo.CardFilter:
    if f is None:
        return repo.CardFilter()
    return repo.CardFilter(
        unit_id=decode_id(str(f.unit_id), "OrgUnit") if f.unit_id is not None else None,
        carriers=tuple(f.carriers or ()), domains=tuple(f.domains or ()), statuses=tuple(f.statuses or ()),
        plan_id=decode_id(str(f.plan_id), "SimPlan") if f.plan_id is not None else None,
        iccid=f.iccid, msisdn=f.msisdn, holder_name=f.holder_name, activated_from=f.activated_from,
        activated_to=f.activated_to,
    )  # fmt: skip


async def sim_cards(
    info: strawberry.Info, f: inputs.SimCardFilter | None, sort: SimCardSort, first: int, after: str | None
) -> Any:
    actor = info.context.require_actor()
    rf, page_req, sel = card_filter(f), PageRequest(first, after), selection(info)
    async with info.context.read_session() as s:
        page = await repo.list_cards(s, actor, rf, sort, page_req)
        await prefetch.sim_cards(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.total_cards(s, actor, rf) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def sim_card(info: strawberry.Info, id: strawberry.ID) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "SimCard", [decode_id(str(id), "SimCard")], selection(info))
    return next(iter(found.values()), None)


async def sim_plans(info: strawberry.Info, carrier: Carrier | None) -> list[Any]:
    async with info.context.read_session() as s:
        return await repo.plans(s, carrier)


def _bad(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


async def alert_push(info: strawberry.Info, input: Annotated[inputs.WirelessSecurityAlertPushInput, INPUT]) -> Any:
    """The support platform's alert batch: validated as a whole (a bad one refuses the batch), stored at once."""
    info.context.require_actor()
    if not 1 <= len(input.alerts) <= 500:
        raise _bad("一批告警须为1至500条 / A batch holds 1 to 500 alerts")
    pushed = []
    for a in input.alerts:
        if a.kind != "TERMINAL_BEHAVIOUR" or a.severity not in AlertSeverity.__members__:
            raise _bad(f"告警类型或级别无效 / Unknown kind or severity: {a.kind} {a.severity}")
        pushed.append(PushedAlert(a.fingerprint[:128], a.account_name[:40], a.iccid[:20], AlertSeverity(a.severity), a.title[:300],
                                  a.detail, a.occurred_at))  # fmt: skip
    async with info.context.unit_of_work() as uow:
        stored, unknown = await record(uow, pushed)
    return WirelessSecurityAlertPushPayload(stored=stored, unknown_cards=unknown)


async def export(info: strawberry.Info, f: inputs.SimCardFilter | None) -> Any:
    """The filtered card registry as .xlsx: at once up to 2,000 cards, else by a job (follow exportProgress)."""
    return await exports.request(info, card_exports.EXPORTER, card_exports.to_params(card_filter(f)))


async def terminal_accounts(info: strawberry.Info, f: inputs.TerminalAccountFilter | None, first: int, after: str | None) -> Any:
    actor = info.context.require_actor()
    f = f or inputs.TerminalAccountFilter()
    rf = repo.AccountFilter(
        unit_id=decode_id(str(f.unit_id), "OrgUnit") if f.unit_id is not None else None, statuses=tuple(f.statuses or ()),
        account_name=f.account_name, holder_name=f.holder_name, online=f.online,
    )  # fmt: skip
    page_req, sel = PageRequest(first, after), selection(info)
    async with info.context.read_session() as s:
        page = await repo.list_accounts(s, actor, rf, page_req)
        total = await repo.count_accounts(s, actor, rf) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def terminal_account_update(info: strawberry.Info, input: Annotated[inputs.TerminalAccountUpdateInput, INPUT]) -> Any:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        account_id = decode(input.id, "TerminalAccount", "id", WirelessErrorCode.INVALID_INPUT)
        return await service.update_account(uow, actor, account_id, input.holder_name)

    account, errors = await run(info, work)
    if errors:
        return TerminalAccountPayload(terminal_account=None, errors=errors_as(WirelessError, errors))
    async with info.context.read_session() as s:
        found = await repo.accounts_by_ids(s, actor, [account.id])
    return TerminalAccountPayload(terminal_account=found.get(account.id), errors=[])  # type: ignore[arg-type]


async def overview(info: strawberry.Info, start: datetime | None, end: datetime | None) -> Any:
    actor = info.context.require_actor()

    async def compute() -> WirelessOverview:
        at = utcnow()
        until = end or at
        since = start or until - timedelta(days=30)
        async with info.context.read_session() as s:
            o = await wireless_overview.overview(s, actor, since, until)
            open_faults, faults = await fault_repo.overview_counts(s, actor, ServiceDomain.WIRELESS, since, until)
        return WirelessOverview(
            cards=o.cards, by_status=[KeyCount(key=k, count=n) for k, n in o.by_status],
            by_carrier=[KeyCount(key=k, count=n) for k, n in o.by_carrier], by_domain=[KeyCount(key=k, count=n) for k, n in o.by_domain],
            by_plan=[PlanCount(code=c, name=name, count=n) for c, name, n in o.by_plan],
            top_units=[UnitCount(unit_id=strawberry.ID(to_global_id("OrgUnit", i)), unit_name=name, count=n) for i, name, n in o.top_units],
            terminal_accounts=o.accounts, online_users=o.online, open_alerts=o.open_alerts, open_faults=open_faults, faults=faults,
            applications=[KindStatusCount(kind=k, status=st, count=n) for k, st, n in o.orders],
            traffic=[DailyTraffic(day=d, uplink_bytes=float(up), downlink_bytes=float(down)) for d, up, down in o.traffic],
            computed_at=at,
        )  # fmt: skip

    return await info.context.screen("wirelessOverview", (start, end), compute)


async def application_statistics(
    info: strawberry.Info, grain: Grain, start: datetime | None, end: datetime | None
) -> list[PeriodCount]:
    return await period_counts(info, "wireless", grain, start, end)
