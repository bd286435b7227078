"""Security alerts go to the Big Data Center's integrated operations platform (module 36): each new alert of a
security kind is written to the outbox with the change that raised it, and the `alerts.push_security` job sends it
with an idempotency key (retried with backoff; after the last try a business alert says it is stuck)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


async def stuck(uow: UnitOfWork, alert_id: int, why: str, now: datetime | None = None) -> None:
    """The last try failed: a business alert on the security alert, for the duty desk (resolved if a later push works)."""
    from domain.alerts import service  # service enqueues pushes: imported at use

    await service.fire(
        uow, kind=AlertKind.BUSINESS, severity=AlertSeverity.MAJOR, source=PLATFORM, fingerprint=f"{PLATFORM}:push:{alert_id}",
        title=f"安全告警推送一体化运营平台失败（告警 {alert_id}）", detail=why[:2000], target=("Alert", alert_id),
        now=now or utcnow(),
    )  # fmt: skip
