"""Raise and resolve alerts; a repeat of a firing alert (same fingerprint) counts instead of adding a row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.alerts.enums import AlertKind, AlertSeverity, AlertStatus
from domain.alerts.models import Alert

CHANNEL = "govops.alerts"


async def fire(
    uow: UnitOfWork, *, kind: AlertKind, severity: AlertSeverity, source: str, fingerprint: str, title: str,
    detail: str | None = None, labels: dict[str, Any] | None = None, target: tuple[str, int] | None = None,
    unit_id: int | None = None, now: datetime | None = None,
) -> Alert:  # fmt: skip
    """Open an alert, or count a repeat of the one firing with the same fingerprint (updating last-seen and detail)."""
    now = now or utcnow()
    stmt = select(Alert).where(Alert.fingerprint == fingerprint, Alert.status == AlertStatus.FIRING)
    alert = (await uow.session.execute(stmt)).scalars().first()
    if alert is not None:
        alert.count += 1
        alert.last_seen_at = now
        alert.detail = detail or alert.detail
        alert.severity = severity
    else:
        alert = Alert(
            kind=kind, severity=severity, status=AlertStatus.FIRING, source=source, fingerprint=fingerprint, title=title,
            detail=detail, labels=labels or {}, target_type=target[0] if target else None,
            target_id=target[1] if target else None, unit_id=unit_id, count=1, first_seen_at=now, last_seen_at=now,
        )  # fmt: skip
        uow.session.add(alert)
    await uow.session.flush()
    uow.publish(CHANNEL, {"id": alert.id, "status": alert.status.value, "unitId": unit_id})
    return alert


async def resolve(uow: UnitOfWork, fingerprint: str, resolution: str, now: datetime | None = None) -> int:
    """The source says the problem is gone: resolve the firing alert with this fingerprint (0 or 1)."""
    now = now or utcnow()
    stmt = select(Alert).where(Alert.fingerprint == fingerprint, Alert.status == AlertStatus.FIRING)
    alerts = list((await uow.session.execute(stmt)).scalars())
    for alert in alerts:
        alert.status, alert.resolved_at, alert.resolution = AlertStatus.RESOLVED, now, resolution
        uow.publish(CHANNEL, {"id": alert.id, "status": alert.status.value, "unitId": alert.unit_id})
    return len(alerts)


async def firing(uow: UnitOfWork, fingerprint: str) -> Alert | None:
    stmt = select(Alert).where(Alert.fingerprint == fingerprint, Alert.status == AlertStatus.FIRING)
    return (await uow.session.execute(stmt)).scalars().first()
