"""Read models of alerts: slotted records from Core rows, with slots for prefetched relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.alerts.enums import AlertEventKind, AlertKind, AlertSeverity, AlertStatus
from domain.identity.records import NOT_LOADED


@dataclass(slots=True, eq=False)
class AlertRecord:
    id: int
    kind: AlertKind
    severity: AlertSeverity
    status: AlertStatus
    source: str
    fingerprint: str
    title: str
    detail: str | None
    labels: dict[str, Any]
    target_type: str | None
    target_id: int | None
    unit_id: int | None
    count: int
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None
    owner_id: int | None
    silenced_by_id: int | None
    version: int
    unit: Any = field(default=NOT_LOADED)
    owner: Any = field(default=NOT_LOADED)
    events: list[AlertEventRecord] = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class AlertEventRecord:
    id: int
    alert_id: int
    kind: AlertEventKind
    actor_id: int | None
    actor_name: str
    at: datetime
    comment: str | None
    detail: dict[str, Any]
