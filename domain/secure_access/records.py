"""Read models of the secure access registry: slotted records from Core rows, with slots for prefetched relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.catalog.repository import ApplicationRecord
from domain.identity.records import NOT_LOADED
from domain.secure_access.enums import AccountEventKind, AccountStatus


@dataclass(slots=True, eq=False)
class AccountRecord:
    id: int
    account_name: str
    holder_name: str
    holder_phone: str
    unit_id: int
    status: AccountStatus
    valid_from: date
    valid_to: date
    mac_limit: int
    online_sessions: int
    last_login_at: datetime | None
    activated_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    unit: Any = field(default=NOT_LOADED)
    macs: list[str] = field(default=NOT_LOADED)
    systems: list[ApplicationRecord] = field(default=NOT_LOADED)
    events: list[AccountEventRecord] = field(default=NOT_LOADED)
    work_orders: list[Any] = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class AccountEventRecord:
    id: int
    account_id: int
    kind: AccountEventKind
    from_status: AccountStatus | None
    to_status: AccountStatus | None
    order_id: int | None
    actor_name: str
    at: datetime
    detail: dict[str, Any]
