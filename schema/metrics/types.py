"""Metric object types: series, panels and the points a live panel receives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.ids import to_global_id
from schema.catalog.enums import ServiceDomain
from schema.metrics.enums import MetricResolution

Parent = strawberry.Parent[Any]


@strawberry.type(description="A measured thing: a metric on a resource, with labels.")
class MetricSeries:
    metric: str = strawberry.field(description="The metric, e.g. upf.uplink_bytes.")
    domain: ServiceDomain = strawberry.field(description="The service.")  # type: ignore[valid-type]
    resource_type: str = strawberry.field(description="The resource's type, e.g. UPF.")
    resource_key: str = strawberry.field(description="The resource, e.g. UPF-PD-1.")
    labels: JSON = strawberry.field(description="Its labels.")
    unit: str = strawberry.field(description="The measure: bytes, count, bps, percent.")
    last_sample_at: datetime | None = strawberry.field(description="Its latest sample.")

    @strawberry.field(description="Its id (what a live panel's points name).")
    def id(self, root: Parent) -> strawberry.ID:
        return strawberry.ID(to_global_id("MetricSeries", root.id))

    @strawberry.field(description="The unit whose data it is, if any (its global id).")
    def unit_id(self, root: Parent) -> strawberry.ID | None:
        return None if root.unit_id is None else strawberry.ID(to_global_id("OrgUnit", root.unit_id))


@strawberry.type(description="One point of a curve.")
class MetricPoint:
    at: datetime = strawberry.field(description="The start of its step.")
    value: float = strawberry.field(description="The aggregate of the step.")


@strawberry.type(description="One series' curve on a panel.")
class PanelCurve:
    series: MetricSeries = strawberry.field(description="The series.")
    points: list[MetricPoint] = strawberry.field(description="Its points, oldest first (steps without data are left out).")


@strawberry.type(description="资源监控面板: curves over a range, from the coarsest data that answers it.")
class MetricPanel:
    resolution: MetricResolution = strawberry.field(description="What it was read from: raw, hourly or daily.")  # type: ignore[valid-type]
    step_seconds: int = strawberry.field(description="The step between points.")
    curves: list[PanelCurve] = strawberry.field(description="One per series.")


@strawberry.type(description="A fresh sample of one series.")
class LivePoint:
    series_id: strawberry.ID = strawberry.field(description="The series (MetricSeries.id).")
    value: float = strawberry.field(description="Its value.")


@strawberry.type(description="Fresh samples of the series a live panel shows.")
class ResourcePanelUpdate:
    at: datetime = strawberry.field(description="The samples' instant.")
    points: list[LivePoint] = strawberry.field(description="One per series that has a sample then.")
