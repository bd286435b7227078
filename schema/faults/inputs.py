"""Fault inputs. Shapes are checked here; scope by the domain."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.catalog.enums import ServiceDomain
from schema.faults.enums import FaultCategory, FaultLevel, FaultStage


@strawberry.input(description="Narrow a fault list or its statistics. Every condition must hold.")
class FaultFilter:
    domains: list[ServiceDomain] | None = strawberry.field(default=None, description="Only these services.")  # type: ignore[valid-type]
    categories: list[FaultCategory] | None = strawberry.field(default=None, description="Only these categories.")  # type: ignore[valid-type]
    levels: list[FaultLevel] | None = strawberry.field(default=None, description="Only these levels.")  # type: ignore[valid-type]
    stages: list[FaultStage] | None = strawberry.field(default=None, description="Only these stages.")  # type: ignore[valid-type]
    open: bool | None = strawberry.field(default=None, description="True: only faults still being handled.")
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's faults.")
    sim_card_id: strawberry.ID | None = strawberry.field(default=None, description="Only faults on this card.")
    secure_access_account_id: strawberry.ID | None = strawberry.field(default=None, description="Only faults on this account.")
    asset_id: strawberry.ID | None = strawberry.field(default=None, description="Only faults on this asset.")
    alert_id: strawberry.ID | None = strawberry.field(default=None, description="Only the fault this alert opened or names.")
    carrier: str | None = strawberry.field(
        default=None, description="Only faults on this carrier's cards (TELECOM, MOBILE, UNICOM, CBN): 运营商报修."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="True: past the response or the resolution target; false: within both."
    )
    from_alert: bool | None = strawberry.field(default=None, description="True: opened by an alert; false: reported by a person.")
    reported_from: datetime | None = strawberry.field(default=None, description="Reported at or after.")
    reported_to: datetime | None = strawberry.field(default=None, description="Reported before.")
    keyword: str | None = strawberry.field(default=None, description="In the title, or exactly the order number.")
