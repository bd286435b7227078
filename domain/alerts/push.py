"""Security alerts go to the Big Data Center's integrated operations platform (module 36): each new alert of a
security kind is written to the outbox with the change that raised it, and the `alerts.push_security` job sends it
with an idempotency key (retried with backoff). After the last try one business alert per outage says pushes are
stuck; the `alerts.push_retry` cron sends what was never received again, and the first push that gets through
resolves the business alert. `pushed_at` marks what the platform has."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.alerts.models import Alert
from domain.identity.models import OrgUnit

PLATFORM = "operations_platform"
PUSH_JOB = "alerts.push_security"
SECURITY_KINDS = (AlertKind.NETWORK_SECURITY, AlertKind.SECURE_ACCESS_ZONE, AlertKind.TERMINAL_BEHAVIOUR,
                  AlertKind.USER_BEHAVIOUR)  # fmt: skip


def key(alert_id: int) -> str:
    """The push's idempotency key: the platform does the work once per alert, whatever the retries."""
    return f"govops-alert-{alert_id}"


def enqueue(uow: UnitOfWork, alert: Alert) -> None:
    if alert.kind in SECURITY_KINDS:
        uow.enqueue(PUSH_JOB, {"alert_id": alert.id}, key=key(alert.id))


async def payload(session: Any, alert_id: int) -> dict[str, Any] | None:
    """The alert as the platform takes it (None when it is gone)."""
    alert = await session.get(Alert, alert_id)
    if alert is None:
        return None
    unit = await session.get(OrgUnit, alert.unit_id) if alert.unit_id is not None else None
    return {
        "alertId": alert.id, "kind": alert.kind.value, "severity": alert.severity.value, "title": alert.title[:300],
        "detail": (alert.detail or "")[:4000], "source": alert.source[:60], "labels": dict(alert.labels or {}),
        "unitCode": unit.code if unit is not None else None, "firstSeenAt": alert.first_seen_at.isoformat(),
        "lastSeenAt": alert.last_seen_at.isoformat(), "count": alert.count,
    }  # fmt: skip


STUCK = f"{PLATFORM}:push"  # one business alert per outage, counting the pushes that could not get through
RETRY_AFTER = timedelta(minutes=10)
RETRY_WITHIN = timedelta(days=7)


async def stuck(uow: UnitOfWork, alert_id: int, why: str, now: datetime | None = None) -> None:
    """The last try failed: the outage's business alert counts it (the duty desk hears of the outage once)."""
    from domain.alerts import service  # service enqueues pushes: imported at use

    await service.fire(
        uow, kind=AlertKind.BUSINESS, severity=AlertSeverity.MAJOR, source=PLATFORM, fingerprint=STUCK,
        title="安全告警推送一体化运营平台失败 / Security alerts cannot reach the operations platform",
        detail=f"告警 {alert_id}: {why}"[:2000], labels={"lastAlertId": alert_id}, now=now or utcnow(),
    )  # fmt: skip


async def pushed(uow: UnitOfWork, alert_id: int, now: datetime | None = None) -> None:
    """The platform has it: marked (without moving the alert's version), and an outage alert resolves."""
    from domain.alerts import service

    now = now or utcnow()
    t = Alert.__table__.c
    await uow.session.execute(update(Alert.__table__).where(t.id == alert_id, t.pushed_at.is_(None)).values(pushed_at=now))
    await service.resolve(uow, STUCK, "推送已恢复 / Pushes get through again", now)


async def retry_unpushed(uow: UnitOfWork, now: datetime | None = None, limit: int = 200) -> int:
    """Security alerts of the last week the platform never received: pushed again (the same idempotency key)."""
    now = now or utcnow()
    t = Alert.__table__.c
    stmt = (
        select(t.id).where(t.kind.in_(SECURITY_KINDS), t.pushed_at.is_(None), t.first_seen_at < now - RETRY_AFTER,
                           t.first_seen_at > now - RETRY_WITHIN).order_by(t.id).limit(limit)
    )  # fmt: skip
    ids = list((await uow.session.execute(stmt)).scalars())
    for alert_id in ids:
        uow.enqueue(PUSH_JOB, {"alert_id": alert_id}, key=f"{PUSH_JOB}:{alert_id}:{now:%Y%m%d%H%M}")
    return len(ids)
