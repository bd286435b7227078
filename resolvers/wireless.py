"""Wireless resolvers: thin glue between the contract and domain/wireless."""

from __future__ import annotations

from typing import Any

import strawberry

from core.db.pagination import PageRequest
from core.ids import decode_id
from domain.wireless import repository as repo
from domain.wireless.enums import Carrier, SimCardSort
from resolvers import prefetch
from schema.lookahead import selection
from schema.pagination import ConnectionValue
from schema.wireless import inputs

VIEW = "wireless.view_cards"


def _filter(f: inputs.SimCardFilter | None) -> repo.CardFilter:
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
    rf, page_req, sel = _filter(f), PageRequest(first, after), selection(info)
    async with info.context.read_session() as s:
        page = await repo.list_cards(s, actor, rf, sort, page_req)
        await prefetch.sim_cards(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.count_cards(s, actor, rf) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def sim_card(info: strawberry.Info, id: strawberry.ID) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "SimCard", [decode_id(str(id), "SimCard")], selection(info))
    return next(iter(found.values()), None)


async def sim_plans(info: strawberry.Info, carrier: Carrier | None) -> list[Any]:
    async with info.context.read_session() as s:
        return await repo.plans(s, carrier)


async def applications(info: strawberry.Info) -> list[Any]:
    async with info.context.read_session() as s:
        return await repo.applications(s)
