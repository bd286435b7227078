"""Metric resolvers: series, panels, and the live panel subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import Any

import strawberry
from graphql import GraphQLError

from core.clock import utcnow
from core.errors import Forbidden
from core.ids import decode_id, to_global_id
from domain.catalog.enums import ServiceDomain
from domain.metrics import repository as repo
from domain.metrics import service
from domain.metrics.enums import Aggregate
from schema.metrics import inputs
from schema.metrics.types import LivePoint, MetricPanel, MetricPoint, PanelCurve, ResourcePanelUpdate

VIEW = "metrics.view_metrics"


def _bad(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def series_filter(f: inputs.MetricSeriesFilter | None) -> repo.SeriesFilter:
    if f is None:
        return repo.SeriesFilter()
    labels = f.labels or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str | int | float) for v in labels.values()):
        raise _bad('标签须为 {"名": "值"} / labels must be an object of plain values')
    return repo.SeriesFilter(
        metrics=tuple(f.metrics or ()), domains=tuple(ServiceDomain(d.value) for d in f.domains or ()),
        resource_types=tuple(f.resource_types or ()), resource_keys=tuple(f.resource_keys or ()),
        unit_id=decode_id(str(f.unit_id), "OrgUnit") if f.unit_id is not None else None,
        labels=tuple(sorted((str(k), str(v)) for k, v in labels.items())),
    )  # fmt: skip


async def series(info: strawberry.Info, f: inputs.MetricSeriesFilter | None) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        return await repo.series(s, actor, series_filter(f))


async def panel(info: strawberry.Info, f: inputs.MetricSeriesFilter | None, start: datetime | None, end: datetime | None,
                step_seconds: int | None, aggregate: Aggregate) -> MetricPanel:  # fmt: skip
    actor = info.context.require_actor()
    end = end or utcnow()
    start = start or end - timedelta(days=1)
    if end <= start or end - start > timedelta(days=400):
        raise _bad("区间须在400天以内且结束晚于开始 / The range must end after it starts and span at most 400 days")
    if step_seconds is not None and step_seconds < 60:
        raise _bad("步长至少60秒 / The step is at least 60 seconds")
    try:
        async with info.context.read_session() as s:
            got = await repo.panel(s, actor, series_filter(f), start, end,
                                   timedelta(seconds=step_seconds) if step_seconds else None, Aggregate(aggregate.value))  # fmt: skip
    except repo.PanelTooLarge as exc:
        raise _bad(str(exc)) from None
    return MetricPanel(
        resolution=got.resolution, step_seconds=int(got.step.total_seconds()),
        curves=[PanelCurve(series=x, points=[MetricPoint(at=at, value=v) for at, v in got.points.get(x.id, [])])
                for x in got.series],
    )  # fmt: skip


async def live(info: strawberry.Info, f: inputs.MetricSeriesFilter | None) -> AsyncGenerator[ResourcePanelUpdate, None]:
    """Fresh samples of the panel's series as they are stored, judged with the subscriber's rights at each message."""
    ctx = info.context
    actor = ctx.require_actor()
    wanted = series_filter(f)
    async with ctx.read_session() as s:
        shown = {x.id for x in await repo.series(s, actor, wanted)}
    async for _channel, message in ctx.services.bus.subscribe(service.CHANNEL):
        ids = set(message.get("series", []))
        if not shown or ids - shown == ids:
            # A series registered after the subscription began may match too: look again for the new ones.
            async with ctx.read_session() as s:
                shown = {x.id for x in await repo.series(s, actor, wanted)}
        hit = ids & shown
        if not hit:
            continue
        actor = await ctx.refresh_actor()
        if not actor.can(VIEW):
            raise Forbidden(f"权限不足 / Permission denied: {VIEW}")
        at = datetime.fromisoformat(message["at"])
        async with ctx.read_session() as s:
            values = await repo.latest(s, hit, at)
        if values:
            yield ResourcePanelUpdate(at=at, points=[LivePoint(series_id=strawberry.ID(to_global_id("MetricSeries", sid)),
                                                               value=v) for sid, v in sorted(values.items())])  # fmt: skip
