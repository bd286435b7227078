"""Read models of the wireless registry: slotted records from Core rows, with slots for prefetched relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.catalog.enums import CatalogStatus
from domain.catalog.repository import ApplicationRecord
from domain.identity.records import NOT_LOADED
from domain.wireless.enums import (
    Carrier,
    SimCardDomain,
    SimCardEventKind,
    SimCardStatus,
    TerminalAccountStatus,
)


@dataclass(slots=True, eq=False)
class PlanRecord:
    id: int
    carrier: Carrier
    code: str
    name: str
    monthly_fee: int
    data_gb: int
    status: CatalogStatus


@dataclass(slots=True, eq=False)
class TerminalAccountRecord:
    id: int
    card_id: int
    account_name: str
    holder_name: str
    status: TerminalAccountStatus
    online: bool
    last_seen_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    applications: list[ApplicationRecord] = field(default=NOT_LOADED)
    card: Any = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class SimCardRecord:
    id: int
    iccid: str
    msisdn: str
    imsi: str
    domain: SimCardDomain
    carrier: Carrier
    plan_id: int
    unit_id: int
    holder_name: str | None
    holder_phone: str | None
    status: SimCardStatus
    imei: str | None
    activated_at: datetime | None
    cancelled_at: datetime | None
    replaced_by_id: int | None
    next_plan_id: int | None
    next_plan_from: date | None
    created_at: datetime
    updated_at: datetime
    plan: PlanRecord | None = field(default=NOT_LOADED)
    next_plan: PlanRecord | None = field(default=NOT_LOADED)
    unit: Any = field(default=NOT_LOADED)
    terminal_account: TerminalAccountRecord | None = field(default=NOT_LOADED)
    events: list[SimCardEventRecord] = field(default=NOT_LOADED)
    work_orders: list[Any] = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class SimCardEventRecord:
    id: int
    card_id: int
    kind: SimCardEventKind
    from_status: SimCardStatus | None
    to_status: SimCardStatus | None
    order_id: int | None
    actor_name: str
    at: datetime
    detail: dict[str, Any]
