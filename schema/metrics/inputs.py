"""Metric inputs: which series a panel shows."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from schema.catalog.enums import ServiceDomain


@strawberry.input(description="Which series: every condition must hold (at most 50 series are shown).")
class MetricSeriesFilter:
    metrics: list[str] | None = strawberry.field(default=None, description="Metric names, e.g. upf.uplink_bytes.")
    domains: list[ServiceDomain] | None = strawberry.field(default=None, description="Only these services.")  # type: ignore[valid-type]
    resource_types: list[str] | None = strawberry.field(default=None, description="Resource types, e.g. UPF, UNIT.")
    resource_keys: list[str] | None = strawberry.field(default=None, description="Resources, e.g. UPF-PD-1.")
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's series.")
    labels: JSON | None = strawberry.field(default=None, description='Labels each series must carry, e.g. {"direction": "up"}.')
