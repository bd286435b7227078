"""The metric fields of Query and Subscription; schema.root's classes inherit them (root.py stays readable)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from resolvers import metrics as rm
from schema.errors import policed
from schema.metrics import enums, inputs, types
from schema.permissions import guard

Which = strawberry.argument(description="Which series (at most 50).")


@strawberry.type
class MetricQuery:
    @strawberry.field(permission_classes=guard(rm.VIEW), description="The metric series in your data scope (at most 50).")
    async def metric_series(
        self, info: strawberry.Info, filter: Annotated[inputs.MetricSeriesFilter | None, Which] = None
    ) -> list[types.MetricSeries]:
        return await rm.series(info, filter)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(rm.VIEW),
        description="资源监控面板: curves of the chosen series over a range, one point per step, read from raw samples "
        "(up to two days), hourly rollups (up to a week) or daily rollups (longer).",
    )
    async def metric_panel(
        self, info: strawberry.Info,
        filter: Annotated[inputs.MetricSeriesFilter | None, Which] = None,
        start: Annotated[datetime | None, strawberry.argument(name="from", description="Range start (default: a day ago).")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to", description="Range end (default: now).")] = None,
        step_seconds: Annotated[int | None, strawberry.argument(description="Seconds per point (at least the data's own).")] = None,
        aggregate: Annotated[enums.MetricAggregate, strawberry.argument(description="How a step's values combine.")] = enums.MetricAggregate.AVG,  # type: ignore[valid-type]
    ) -> types.MetricPanel:  # fmt: skip
        return await rm.panel(info, filter, start, end, step_seconds, aggregate)


@strawberry.type
class MetricSubscription:
    @strawberry.subscription(
        permission_classes=guard(rm.VIEW),
        description="A live resource panel: the fresh samples of the chosen series as the platforms' feeds store them.",
    )
    async def resource_panel(
        self, info: strawberry.Info, scope: Annotated[inputs.MetricSeriesFilter | None, Which] = None
    ) -> AsyncGenerator[types.ResourcePanelUpdate, None]:
        async for item in policed(rm.live(info, scope), info.context.request_id):
            yield item
