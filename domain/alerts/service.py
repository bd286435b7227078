"""Raise, resolve and work on alerts. A repeat of a firing alert (same fingerprint) counts on it instead of adding a
row; every change of state leaves a history row and is published for the alertFired / alertChanged subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, literal, select, update

from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.settings import get_settings
from domain.alerts import push, silences
from domain.alerts import repository as repo
from domain.alerts.enums import SEVERITY_RANK, AlertEventKind, AlertKind, AlertSeverity, AlertStatus, SilenceStatus
from domain.alerts.errors import Code, error
from domain.alerts.models import Alert, AlertEvent, AlertSilence
from domain.identity import repository as identity
from domain.identity.actor import Actor
from domain.identity.journal import record_change
from domain.notifications.models import NotificationKind
from domain.notifications.service import notify
from domain.workorders.enums import ScopeKind
from domain.workorders.repository import holders

CHANNEL = "govops.alerts"
DUTY_DESK = "management_operator"  # the role told of alerts as they fire
SYSTEM = "系统"
FAULT_JOB = "faults.from_alert"  # jobs/faults.py: opens the fault of an alert (domain/faults/service.py)


def opens_fault(severity: AlertSeverity) -> bool:
    """Whether an alert of `severity` opens a fault (GOVOPS_FAULT_ALERT_SEVERITY: that severity or worse; NONE: never)."""
    threshold = get_settings().fault_alert_severity
    return threshold != "NONE" and SEVERITY_RANK[severity] <= SEVERITY_RANK[AlertSeverity(threshold)]


def _to_fault(uow: UnitOfWork, alerts: Iterable[Alert]) -> None:
    """Alerts of the fault severity that fire unsilenced (or fire on after their silence) open a fault, by a job. A
    lifecycle reminder is no fault: it never opens one."""
    for alert in alerts:
        if opens_fault(alert.severity) and alert.kind is not AlertKind.ASSET_LIFECYCLE:
            uow.enqueue(FAULT_JOB, {"alert_id": alert.id}, key=f"{FAULT_JOB}:{alert.id}")


def _event(uow: UnitOfWork, alert: Alert, kind: AlertEventKind, now: datetime, actor: Actor | None = None,
           comment: str | None = None, **detail: Any) -> None:  # fmt: skip
    uow.session.add(AlertEvent(
        alert_id=alert.id, kind=kind, actor_id=actor.user_id if actor else None,
        actor_name=actor.display_name if actor else (alert.source if kind is AlertEventKind.RESOLVED else SYSTEM),
        at=now, comment=comment, detail=detail,
    ))  # fmt: skip


def _publish(uow: UnitOfWork, alert: Alert, fired: bool = False) -> None:
    uow.publish(CHANNEL, {"id": alert.id, "status": alert.status.value, "unitId": alert.unit_id, "fired": fired,
                          "kind": alert.kind.value, "severity": alert.severity.value})  # fmt: skip


@dataclass(frozen=True)
class Occurrence:
    """One report of a problem by a source; occurrences with one fingerprint are the same alert while it fires."""

    kind: AlertKind
    severity: AlertSeverity
    source: str
    fingerprint: str
    title: str
    detail: str | None = None
    labels: dict[str, Any] | None = None
    target: tuple[str, int] | None = None
    unit_id: int | None = None
    at: datetime | None = None


async def fire(
    uow: UnitOfWork, *, kind: AlertKind, severity: AlertSeverity, source: str, fingerprint: str, title: str,
    detail: str | None = None, labels: dict[str, Any] | None = None, target: tuple[str, int] | None = None,
    unit_id: int | None = None, now: datetime | None = None,
) -> Alert:  # fmt: skip
    """Open an alert, or count a repeat of the one firing with the same fingerprint (updating last-seen and detail)."""
    occurrence = Occurrence(kind, severity, source, fingerprint, title, detail, labels, target, unit_id, now)
    return (await fire_batch(uow, [occurrence]))[0]


@dataclass
class _Repeat:
    count: int = 0
    last: datetime | None = None
    detail: str | None = None
    severity: AlertSeverity | None = None


async def fire_batch(uow: UnitOfWork, occurrences: Iterable[Occurrence], now: datetime | None = None) -> list[Alert]:
    """Many occurrences at once (a platform's push, a monitoring pass): one read of the firing alerts they name, one
    row per new fingerprint, the repeats counted; returns the alert of each occurrence, in order."""
    now = now or utcnow()
    given = list(occurrences)
    prints = sorted({o.fingerprint for o in given})
    stmt = select(Alert).where(Alert.fingerprint.in_(prints), Alert.status == AlertStatus.FIRING).order_by(Alert.id)
    open_ = {a.fingerprint: a for a in (await uow.session.execute(stmt)).scalars()} if prints else {}
    new: list[Alert] = []
    touched: dict[int, Alert] = {}
    repeats: dict[int, _Repeat] = {}
    out: list[Alert] = []
    for o in given:
        at = o.at or now
        alert = open_.get(o.fingerprint)
        if alert is None:
            alert = Alert(
                kind=o.kind, severity=o.severity, status=AlertStatus.FIRING, source=o.source, fingerprint=o.fingerprint,
                title=o.title, detail=o.detail, labels=o.labels or {}, target_type=o.target[0] if o.target else None,
                target_id=o.target[1] if o.target else None, unit_id=o.unit_id, count=1, first_seen_at=at, last_seen_at=at,
            )  # fmt: skip
            uow.session.add(alert)
            open_[o.fingerprint] = alert
            new.append(alert)
        elif alert.id is None:  # new in this batch: still ours alone
            alert.count += 1
            alert.last_seen_at = max(alert.last_seen_at, at)
            alert.detail, alert.severity = o.detail or alert.detail, o.severity
        else:
            seen = repeats.setdefault(alert.id, _Repeat())
            seen.count, seen.last = seen.count + 1, max(seen.last or at, at)
            seen.detail, seen.severity = o.detail or seen.detail, o.severity
            touched[alert.id] = alert
        out.append(alert)
    await uow.session.flush()
    for alert_id, seen in repeats.items():
        # In the database, without the version: a repeat is not an edit, so it neither collides with a person acting
        # on the alert (expectedVersion) nor with another push counting at the same moment.
        t = Alert.__table__.c
        await uow.session.execute(update(Alert.__table__).where(t.id == alert_id).values(
            count=t.count + seen.count, severity=seen.severity,
            last_seen_at=case((t.last_seen_at < seen.last, literal(seen.last, t.last_seen_at.type)), else_=t.last_seen_at),
            detail=seen.detail if seen.detail is not None else t.detail,
        ).execution_options(synchronize_session=False))  # fmt: skip
    held = await silences.active(uow.session, min((a.first_seen_at for a in new), default=now)) if new else []
    noticed = []
    for alert in new:
        _event(uow, alert, AlertEventKind.FIRED, alert.first_seen_at, fingerprint=alert.fingerprint)
        silence = next((x for x in held if silences.matches(
            x, kind=alert.kind, severity=alert.severity, source=alert.source, labels=alert.labels,
            unit_id=alert.unit_id) and silences.holds(x, alert.first_seen_at)), None)  # fmt: skip
        if silence is not None:
            alert.silenced_by_id = silence.id
            _event(uow, alert, AlertEventKind.SILENCED, alert.first_seen_at, silence=silence.id, comment=silence.comment)
        else:
            _to_fault(uow, [alert])
            if alert.severity in NOTICED:
                noticed.append(alert)
        push.enqueue(uow, alert)
        _publish(uow, alert, fired=True)
    await _notice(uow, noticed, now)
    for alert in touched.values():
        _publish(uow, alert)
    return out


NOTICED = (AlertSeverity.CRITICAL, AlertSeverity.MAJOR)  # the duty desk is told of these as they fire


async def _notice(uow: UnitOfWork, alerts: list[Alert], now: datetime, again: bool = False) -> None:
    """Tell the duty desk (the Big Data Center's operators) of alerts that fire, or fire on after their silence."""
    if not alerts:
        return
    desk = [h[0] for h in await holders(uow.session, DUTY_DESK, ScopeKind.MANAGEMENT, "/")]
    for alert in alerts:
        prefix = "静默结束仍在告警" if again else f"{alert.severity.value}告警"
        notify(uow, desk, NotificationKind.ALERT_FIRED, f"{prefix}：{alert.title}", body=alert.detail,
               target=("Alert", alert.id), now=now)  # fmt: skip


async def _resolved_under_silence(uow: UnitOfWork, alert: Alert, now: datetime) -> None:
    """The resolved notice: whoever silenced an alert hears that it went away while they were not told of it."""
    if alert.silenced_by_id is None:
        return
    silence = await uow.session.get(AlertSilence, alert.silenced_by_id)
    if silence is not None:
        notify(uow, [silence.created_by_id], NotificationKind.ALERT_RESOLVED, f"静默期间的告警已恢复：{alert.title}",
               body=alert.resolution, target=("Alert", alert.id), now=now)  # fmt: skip


async def silence_tick(uow: UnitOfWork, now: datetime | None = None) -> dict[str, int]:
    """Every minute: one-off silences past their end expire; alerts that fire on after their silence stopped holding
    are unsilenced and noticed now. Returns counts."""
    now = now or utcnow()
    ended = (await uow.session.execute(select(AlertSilence).where(
        AlertSilence.status == SilenceStatus.ACTIVE, AlertSilence.ends_at <= now))).scalars().all()  # fmt: skip
    for silence in ended:
        silence.status = SilenceStatus.EXPIRED
    stmt = select(Alert).where(Alert.status == AlertStatus.FIRING, Alert.silenced_by_id.is_not(None)).order_by(Alert.id)
    waiting = list((await uow.session.execute(stmt)).scalars())
    by_id = {x.id: x for x in (await uow.session.execute(select(AlertSilence).where(
        AlertSilence.id.in_({a.silenced_by_id for a in waiting})))).scalars()} if waiting else {}  # fmt: skip
    woken = []
    for alert in waiting:
        silence = by_id.get(alert.silenced_by_id or 0)
        if silence is None or silence.status is not SilenceStatus.ACTIVE or not silences.holds(silence, now):
            _event(uow, alert, AlertEventKind.UNSILENCED, now, silence=alert.silenced_by_id)
            alert.silenced_by_id = None
            woken.append(alert)
            _publish(uow, alert)
    await _notice(uow, woken, now, again=True)
    _to_fault(uow, woken)
    return {"expired": len(ended), "unsilenced": len(woken)}


async def resolve(uow: UnitOfWork, fingerprint: str, resolution: str, now: datetime | None = None) -> int:
    """The source says the problem is gone: resolve the firing alert with this fingerprint (0 or 1)."""
    now = now or utcnow()
    stmt = select(Alert).where(Alert.fingerprint == fingerprint, Alert.status == AlertStatus.FIRING)
    alerts = list((await uow.session.execute(stmt)).scalars())
    for alert in alerts:
        alert.status, alert.resolved_at, alert.resolution = AlertStatus.RESOLVED, now, resolution
        _event(uow, alert, AlertEventKind.RESOLVED, now, comment=resolution, by="source")
        await _resolved_under_silence(uow, alert, now)
        _publish(uow, alert)
    return len(alerts)


async def firing(uow: UnitOfWork, fingerprint: str) -> Alert | None:
    stmt = select(Alert).where(Alert.fingerprint == fingerprint, Alert.status == AlertStatus.FIRING)
    return (await uow.session.execute(stmt)).scalars().first()


# --- what people do with an alert ---------------------------------------------------------------------------------


def _comment(text: str | None, required: bool, field: str = "comment") -> str | None:
    text = (text or "").strip() or None
    if required and text is None:
        raise error(Code.INVALID_INPUT, "请填写说明 / A comment is required", field)
    if text is not None and len(text) > 2000:
        raise error(Code.INVALID_INPUT, "说明最多2000字 / At most 2,000 characters", field)
    return text


async def _load(uow: UnitOfWork, actor: Actor, alert_id: int, expected_version: int | None) -> Alert:
    visible = await repo.alerts_by_ids(uow.session, actor, [alert_id])
    alert = await uow.session.get(Alert, alert_id, with_for_update=True) if visible else None
    if alert is None:
        raise error(Code.NOT_FOUND, "告警不存在或不在您的数据范围内 / No such alert in your data scope", "id")
    if expected_version is not None and alert.version != expected_version:
        raise error(Code.STALE_STATE, "告警已变化，请刷新后重试 / The alert changed since you read it; reload", "id")
    return alert


def _touch(uow: UnitOfWork, actor: Actor, alert: Alert, operation: str, **detail: Any) -> None:
    record_change(uow, actor, f"alerts.{operation}", "Alert", alert.id, fingerprint=alert.fingerprint, **detail)
    _publish(uow, alert)


async def acknowledge(uow: UnitOfWork, actor: Actor, alert_id: int, comment: str | None, *,
                      expected_version: int | None = None, now: datetime | None = None) -> Alert:  # fmt: skip
    """Take a firing alert on (it stays firing until resolved); the acknowledger becomes its owner if it has none."""
    now = now or utcnow()
    alert = await _load(uow, actor, alert_id, expected_version)
    text = _comment(comment, required=False)
    if alert.status is not AlertStatus.FIRING:
        raise error(Code.INVALID_TRANSITION, "只能确认正在告警的告警 / Only a firing alert can be acknowledged", "id")
    if alert.acknowledged_at is not None:
        raise error(Code.INVALID_TRANSITION, "告警已被确认 / The alert is acknowledged already", "id")
    alert.acknowledged_at, alert.acknowledged_by_id = now, actor.user_id
    alert.owner_id = alert.owner_id or actor.user_id
    _event(uow, alert, AlertEventKind.ACKNOWLEDGED, now, actor, text)
    _touch(uow, actor, alert, "acknowledge", comment=text)
    return alert


async def assign(uow: UnitOfWork, actor: Actor, alert_id: int, owner_id: int, comment: str | None, *,
                 expected_version: int | None = None, now: datetime | None = None) -> Alert:  # fmt: skip
    """Give the alert an owner: a user in the actor's data scope (NOT_FOUND otherwise)."""
    now = now or utcnow()
    alert = await _load(uow, actor, alert_id, expected_version)
    text = _comment(comment, required=False)
    owners = await identity.users_by_ids(uow.session, actor, [owner_id])
    if owner_id not in owners:
        raise error(Code.NOT_FOUND, "用户不存在或不在您的数据范围内 / No such user in your data scope", "ownerId")
    before, alert.owner_id = alert.owner_id, owner_id
    _event(uow, alert, AlertEventKind.ASSIGNED, now, actor, text, before=before, after=owner_id)
    _touch(uow, actor, alert, "assign", ownerId={"before": before, "after": owner_id})
    return alert


async def comment(uow: UnitOfWork, actor: Actor, alert_id: int, text: str | None, *, now: datetime | None = None) -> Alert:
    now = now or utcnow()
    alert = await _load(uow, actor, alert_id, None)
    body = _comment(text, required=True, field="text")
    _event(uow, alert, AlertEventKind.COMMENTED, now, actor, body)
    _publish(uow, alert)
    return alert


async def close(uow: UnitOfWork, actor: Actor, alert_id: int, resolution: str | None, *,
                expected_version: int | None = None, now: datetime | None = None) -> Alert:  # fmt: skip
    """Resolve by hand, with the reason (the source may fire it again: a new alert then)."""
    now = now or utcnow()
    alert = await _load(uow, actor, alert_id, expected_version)
    text = _comment(resolution, required=True, field="resolution")
    if alert.status is not AlertStatus.FIRING:
        raise error(Code.INVALID_TRANSITION, "告警已恢复 / The alert is resolved already", "id")
    alert.status, alert.resolved_at, alert.resolution, alert.resolved_by_id = AlertStatus.RESOLVED, now, text, actor.user_id
    _event(uow, alert, AlertEventKind.RESOLVED, now, actor, text, by="hand")
    await _resolved_under_silence(uow, alert, now)
    _touch(uow, actor, alert, "resolve", resolution=text)
    return alert
