"""Wireless inputs. Shapes are checked here; formats and scope by the domain."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.wireless.enums import Carrier, SimCardDomain, SimCardStatus


@strawberry.input(description="Narrow a card list. Every condition must hold.")
class SimCardFilter:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's cards.")
    carriers: list[Carrier] | None = strawberry.field(default=None, description="Only these carriers.")  # type: ignore[valid-type]
    domains: list[SimCardDomain] | None = strawberry.field(default=None, description="Only these domains.")  # type: ignore[valid-type]
    plan_id: strawberry.ID | None = strawberry.field(default=None, description="Only this plan.")
    statuses: list[SimCardStatus] | None = strawberry.field(default=None, description="Only these statuses.")  # type: ignore[valid-type]
    iccid: str | None = strawberry.field(default=None, description="Exactly this ICCID.")
    msisdn: str | None = strawberry.field(default=None, description="Exactly this phone number (found through its blind index).")
    holder_name: str | None = strawberry.field(default=None, description="Exactly this holder.")
    activated_from: datetime | None = strawberry.field(default=None, description="Activated at or after.")
    activated_to: datetime | None = strawberry.field(default=None, description="Activated before.")
