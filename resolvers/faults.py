"""Fault resolvers: thin glue between the contract and domain/faults."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import strawberry
from graphql import GraphQLError

from core.clock import utcnow
from core.db.pagination import PageRequest
from core.ids import decode_id, to_global_id
from domain.faults import exports as fault_exports
from domain.faults import repository as repo
from domain.faults.enums import FaultSort
from domain.workorders.periods import Grain
from resolvers import exports, prefetch
from schema.faults import inputs
from schema.faults.types import FaultStatistics
from schema.lookahead import selection
from schema.pagination import ConnectionValue
from schema.statistics import KeyCount, PeriodTotal, UnitCount

VIEW = "faults.view_faults"
MAX_PERIOD = timedelta(days=731)


def _id(value: Any, type_name: str) -> int | None:
    return None if value is None else decode_id(str(value), type_name)


def fault_filter(f: inputs.FaultFilter | None) -> repo.FaultFilter:
    if f is None:
        return repo.FaultFilter()
    if f.reported_from is not None and f.reported_to is not None and f.reported_to <= f.reported_from:
        raise GraphQLError(
            "结束时间须晚于开始时间 / reportedTo must be after reportedFrom", extensions={"code": "BAD_USER_INPUT"}
        )
    return repo.FaultFilter(
        domains=tuple(f.domains or ()), categories=tuple(f.categories or ()), levels=tuple(f.levels or ()),
        stages=tuple(f.stages or ()), open_only=bool(f.open), unit_id=_id(f.unit_id, "OrgUnit"),
        sim_card_id=_id(f.sim_card_id, "SimCard"), account_id=_id(f.secure_access_account_id, "SecureAccessAccount"),
        asset_id=_id(f.asset_id, "Asset"), alert_id=_id(f.alert_id, "Alert"), carrier=(f.carrier or "").strip().upper() or None, overdue=f.overdue,
        from_alert=f.from_alert, reported_from=f.reported_from, reported_to=f.reported_to,
        keyword=(f.keyword or "").strip() or None,
    )  # fmt: skip


async def faults(info: strawberry.Info, f: inputs.FaultFilter | None, sort: FaultSort, first: int, after: str | None) -> Any:
    actor = info.context.require_actor()
    rf, page_req, sel, now = fault_filter(f), PageRequest(first, after), selection(info), utcnow()
    async with info.context.read_session() as s:
        page = await repo.list_faults(s, actor, rf, sort, page_req, now)
        await prefetch.faults(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.count_faults(s, actor, rf, now) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def fault(info: strawberry.Info, id: strawberry.ID) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "Fault", [decode_id(str(id), "Fault")], selection(info))
    return next(iter(found.values()), None)


def _keys(rows: list[tuple[str, int]]) -> list[KeyCount]:
    return [KeyCount(key=k, count=n) for k, n in rows]


async def statistics(
    info: strawberry.Info, f: inputs.FaultFilter | None, grain: Grain, start: datetime | None, end: datetime | None
) -> FaultStatistics:
    actor = info.context.require_actor()
    end = end or utcnow()
    start = start or end - timedelta(days=365)
    if end <= start or end - start > MAX_PERIOD:
        raise GraphQLError("统计区间须在两年以内 / The period must end after it starts and span at most two years",
                           extensions={"code": "BAD_USER_INPUT"})  # fmt: skip
    rf = fault_filter(f)
    rf = repo.FaultFilter(**{**{k: getattr(rf, k) for k in rf.__slots__}, "reported_from": max(start, rf.reported_from or start),
                             "reported_to": min(end, rf.reported_to or end)})  # fmt: skip
    async with info.context.read_session() as s:
        st = await repo.statistics(s, actor, rf, grain, utcnow())
    return FaultStatistics(
        total=st.total, open=st.open, overdue_open=st.overdue_open, by_stage=_keys(st.by_stage), by_level=_keys(st.by_level),
        by_category=_keys(st.by_category), by_domain=_keys(st.by_domain), by_carrier=_keys(st.by_carrier),
        top_units=[UnitCount(unit_id=strawberry.ID(to_global_id("OrgUnit", i)), unit_name=n, count=c) for i, n, c in st.top_units],
        by_period=[PeriodTotal(period=p, count=n) for p, n in st.by_period], mean_response_seconds=st.mean_response_seconds,
        mean_resolution_seconds=st.mean_resolution_seconds, resolved=st.resolved, resolved_in_time=st.resolved_in_time,
    )  # fmt: skip


async def export(info: strawberry.Info, f: inputs.FaultFilter | None) -> Any:
    """The filtered faults as .xlsx: at once up to 2,000, else by a job (follow exportProgress)."""
    return await exports.request(info, fault_exports.EXPORTER, fault_exports.to_params(fault_filter(f)))
