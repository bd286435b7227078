"""Read model of a fault: a slotted record from a Core row (with its order's clocks), slots for prefetched relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.catalog.enums import ServiceDomain
from domain.faults.enums import FaultCategory, FaultLevel, FaultStage
from domain.identity.records import NOT_LOADED


@dataclass(slots=True, eq=False)
class FaultRecord:
    id: int
    order_id: int
    domain: ServiceDomain
    category: FaultCategory
    level: FaultLevel
    stage: FaultStage
    title: str
    description: str
    location: str | None
    unit_id: int
    reporter_id: int | None
    sim_card_id: int | None
    account_id: int | None
    asset_id: int | None
    alert_id: int | None
    occurred_at: datetime
    reported_at: datetime
    responded_at: datetime | None
    rectified_at: datetime | None
    closed_at: datetime | None
    response_seconds: int | None
    resolution_seconds: int | None
    updated_at: datetime
    number: str  # the rectification order's
    resolution_due_at: datetime | None  # the order's clock, while it runs
    resolution_overdue: bool
    response_due_at: datetime | None  # the review step's clock, while it runs
    response_overdue: bool
    unit: Any = field(default=NOT_LOADED)
    reporter: Any = field(default=NOT_LOADED)
    order: Any = field(default=NOT_LOADED)
    sim_card: Any = field(default=NOT_LOADED)
    account: Any = field(default=NOT_LOADED)
    alert: Any = field(default=NOT_LOADED)
    asset: Any = field(default=NOT_LOADED)
