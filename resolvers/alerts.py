"""Alert resolvers: thin glue between the contract and domain/alerts."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry

from core.db.pagination import PageRequest
from core.errors import Forbidden
from core.ids import decode_id, from_global_id
from domain.alerts import repository as repo
from domain.alerts import service
from domain.alerts import silences as silence_rules
from domain.alerts.enums import AlertSort
from domain.alerts.errors import AlertErrorCode
from domain.workorders.periods import Grain
from resolvers import prefetch
from resolvers.common import INPUT, decode, errors_as, run
from schema.alerts import inputs
from schema.alerts.types import (
    AlertError,
    AlertPayload,
    AlertPeriodCount,
    AlertSilence,
    AlertSilencePayload,
    AlertStatistics,
)
from schema.lookahead import selection
from schema.pagination import ConnectionValue
from schema.statistics import KeyCount

VIEW = "alerts.view_alerts"
MANAGE = "alerts.manage_alerts"


def alert_filter(f: inputs.AlertFilter | None) -> repo.AlertFilter:
    if f is None:
        return repo.AlertFilter()
    target_type, target_id = (None, None)
    if f.target_id is not None:
        target_type, raw_id = from_global_id(str(f.target_id))
        target_id = int(raw_id)
    return repo.AlertFilter(
        kinds=tuple(f.kinds or ()), severities=tuple(f.severities or ()), statuses=tuple(f.statuses or ()),
        sources=tuple(f.sources or ()), unit_id=decode_id(str(f.unit_id), "OrgUnit") if f.unit_id is not None else None,
        target_type=target_type, target_id=target_id, acknowledged=f.acknowledged,
        owner_id=decode_id(str(f.owner_id), "User") if f.owner_id is not None else None,
        fired_from=f.fired_from, fired_to=f.fired_to, keyword=f.keyword,
    )  # fmt: skip


async def alerts(info: strawberry.Info, f: inputs.AlertFilter | None, sort: AlertSort, first: int, after: str | None) -> Any:
    actor = info.context.require_actor()
    rf, page_req, sel = alert_filter(f), PageRequest(first, after), selection(info)
    async with info.context.read_session() as s:
        page = await repo.list_alerts(s, actor, rf, sort, page_req)
        await prefetch.alerts(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.total_alerts(s, actor, rf) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def alert(info: strawberry.Info, id: strawberry.ID) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "Alert", [decode_id(str(id), "Alert")], selection(info))
    return next(iter(found.values()), None)


async def _act(info: strawberry.Info, work: Any) -> AlertPayload:
    actor = info.context.require_actor()
    done, errors = await run(info, work)
    if errors:
        return AlertPayload(alert=None, errors=errors_as(AlertError, errors))
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, actor, "Alert", [done.id], selection(info).get("alert"))
    return AlertPayload(alert=found.get(done.id), errors=[])


def _id(value: strawberry.ID, type_name: str = "Alert", field: str = "id") -> int:
    return decode(value, type_name, field, AlertErrorCode.INVALID_INPUT)


async def acknowledge(info: strawberry.Info, input: Annotated[inputs.AlertAcknowledgeInput, INPUT]) -> AlertPayload:
    actor = info.context.require_actor()
    return await _act(info, lambda uow: service.acknowledge(
        uow, actor, _id(input.id), input.comment, expected_version=input.expected_version))  # fmt: skip


async def assign(info: strawberry.Info, input: Annotated[inputs.AlertAssignInput, INPUT]) -> AlertPayload:
    actor = info.context.require_actor()
    return await _act(info, lambda uow: service.assign(
        uow, actor, _id(input.id), _id(input.owner_id, "User", "ownerId"), input.comment,
        expected_version=input.expected_version))  # fmt: skip


async def comment(info: strawberry.Info, input: Annotated[inputs.AlertCommentInput, INPUT]) -> AlertPayload:
    actor = info.context.require_actor()
    return await _act(info, lambda uow: service.comment(uow, actor, _id(input.id), input.text))


async def resolve(info: strawberry.Info, input: Annotated[inputs.AlertResolveInput, INPUT]) -> AlertPayload:
    actor = info.context.require_actor()
    return await _act(info, lambda uow: service.close(
        uow, actor, _id(input.id), input.resolution, expected_version=input.expected_version))  # fmt: skip


async def statistics(info: strawberry.Info, f: inputs.AlertFilter | None, grain: Grain) -> AlertStatistics:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        st = await repo.statistics(s, actor, alert_filter(f), grain)
    return AlertStatistics(
        by_kind=[KeyCount(key=k, count=n) for k, n in st.by_kind], by_severity=[KeyCount(key=k, count=n) for k, n in st.by_severity],
        by_source=[KeyCount(key=k, count=n) for k, n in st.by_source],
        by_period=[AlertPeriodCount(period=p, kind=k, count=n) for p, k, n in st.by_period],
    )  # fmt: skip


def _matches(message: dict[str, Any], f: inputs.AlertSubscriptionFilter | None, unit_id: int | None) -> bool:
    if f is None:
        return True
    if f.kinds and message.get("kind") not in {k.value for k in f.kinds}:
        return False
    if f.severities and message.get("severity") not in {s.value for s in f.severities}:
        return False
    return unit_id is None or message.get("unitId") == unit_id


async def _follow(info: strawberry.Info, f: inputs.AlertSubscriptionFilter | None, *, fired_only: bool,
                  only: int | None = None) -> AsyncGenerator[Any, None]:  # fmt: skip
    """Alerts as the channel reports them, judged with the subscriber's rights as they are at each message."""
    ctx = info.context
    ctx.require_actor()
    unit_id = decode_id(str(f.unit_id), "OrgUnit") if f is not None and f.unit_id is not None else None
    sel = selection(info)
    async for _channel, message in ctx.services.bus.subscribe(service.CHANNEL):
        alert_id = int(message["id"])
        if (fired_only and not message.get("fired")) or (only is not None and alert_id != only):
            continue
        if not _matches(message, f, unit_id):
            continue
        actor = await ctx.refresh_actor()
        if not actor.can(VIEW):
            raise Forbidden(f"权限不足 / Permission denied: {VIEW}")
        async with ctx.read_session() as s:
            found = await prefetch.fetch_nodes(s, actor, "Alert", [alert_id], sel)
        if alert_id in found:
            yield found[alert_id]


def fired(info: strawberry.Info, f: inputs.AlertSubscriptionFilter | None) -> AsyncGenerator[Any, None]:
    return _follow(info, f, fired_only=True)


def changed(
    info: strawberry.Info, id: strawberry.ID | None, f: inputs.AlertSubscriptionFilter | None
) -> AsyncGenerator[Any, None]:
    return _follow(info, f, fired_only=False, only=decode_id(str(id), "Alert") if id is not None else None)


async def silences(info: strawberry.Info, active_only: bool) -> list[AlertSilence]:
    info.context.require_actor()
    async with info.context.read_session() as s:
        return [AlertSilence.of(r) for r in await repo.silences(s, info.context.require_actor(), active_only)]


async def silence_create(info: strawberry.Info, input: Annotated[inputs.AlertSilenceCreateInput, INPUT]) -> AlertSilencePayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        spec = silence_rules.SilenceSpec(
            comment=input.comment, starts_at=input.starts_at, ends_at=input.ends_at, recurrence=input.recurrence,
            duration_minutes=input.duration_minutes, kinds=list(input.kinds or []), severities=list(input.severities or []),
            sources=list(input.sources or []), labels=dict(input.labels or {}),
            unit_id=_id(input.unit_id, "OrgUnit", "unitId") if input.unit_id is not None else None,
        )  # fmt: skip
        return await silence_rules.create(uow, actor, spec)

    made, errors = await run(info, work)
    return AlertSilencePayload(silence=None if errors else AlertSilence.of(made), errors=errors_as(AlertError, errors))


async def silence_cancel(
    info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="The silence.")]
) -> AlertSilencePayload:
    actor = info.context.require_actor()
    done, errors = await run(info, lambda uow: silence_rules.cancel(uow, actor, _id(id, "AlertSilence")))
    return AlertSilencePayload(silence=None if errors else AlertSilence.of(done), errors=errors_as(AlertError, errors))
