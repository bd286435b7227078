"""Silences and recurring maintenance windows. An alert that fires while a matching silence holds is silenced: no
notice, no automatic fault. When it resolves, the silence's author is told; when the silence ends (or is cancelled)
while it still fires, it is noticed then, as if it had just fired. Windows recur by an RFC 5545 rule in Beijing time
(python-dateutil), each lasting `duration_minutes`."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from dateutil.rrule import rrulestr
from sqlalchemy import or_, select

from core.clock import SHANGHAI, utcnow
from core.db.uow import UnitOfWork
from domain.alerts.enums import AlertKind, AlertSeverity, SilenceStatus
from domain.alerts.errors import Code, error
from domain.alerts.models import AlertSilence
from domain.identity import repository as identity
from domain.identity.actor import Actor
from domain.identity.journal import record_change

log = logging.getLogger(__name__)
MAX_DAYS = 366  # a one-off silence lasts at most a year; a window at most a day
MAX_WINDOW_MINUTES = 24 * 60


@dataclass
class SilenceSpec:
    comment: str | None
    starts_at: datetime | None
    ends_at: datetime | None = None
    recurrence: str | None = None
    duration_minutes: int | None = None
    kinds: list[AlertKind] = field(default_factory=list)
    severities: list[AlertSeverity] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)
    unit_id: int | None = None


RULE = re.compile(r"^FREQ=(HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[A-Z0-9,+-]+)*$")


@lru_cache(maxsize=256)
def _parsed(recurrence: str, start: datetime) -> Any:
    return rrulestr(recurrence, dtstart=start)


def _rule(silence: AlertSilence | SilenceSpec) -> Any:
    """The window rule in Beijing time, from the start's hour: a window starts on the hour unless BYMINUTE says not."""
    start = (silence.starts_at or utcnow()).astimezone(SHANGHAI).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    return _parsed(silence.recurrence or "", start)


def holds(silence: AlertSilence, at: datetime) -> bool:
    """Whether the silence holds at `at` (its status aside). A rule that cannot be evaluated holds nowhere: a silence
    never stops an alert from firing."""
    if at < silence.starts_at or (silence.ends_at is not None and at >= silence.ends_at):
        return False
    if not silence.recurrence:
        return True
    local = at.astimezone(SHANGHAI).replace(tzinfo=None)
    try:
        last = _rule(silence).before(local, inc=True)
    except (ValueError, TypeError):
        log.exception("silence %s: its rule cannot be evaluated", silence.id)
        return False
    return last is not None and local < last + timedelta(minutes=silence.duration_minutes or 0)


def matches(silence: AlertSilence, *, kind: AlertKind, severity: AlertSeverity, source: str, labels: dict[str, Any],
            unit_id: int | None) -> bool:  # fmt: skip
    return (
        (not silence.kinds or kind.value in silence.kinds)
        and (not silence.severities or severity.value in silence.severities)
        and (not silence.sources or source in silence.sources)
        and (silence.unit_id is None or silence.unit_id == unit_id)
        and all(str(labels.get(k)) == str(v) for k, v in (silence.labels or {}).items())
    )


async def active(session: Any, at: datetime) -> list[AlertSilence]:
    """The silences that may hold at `at` (active, started, not past their end); few, so matched in memory."""
    stmt = select(AlertSilence).where(
        AlertSilence.status == SilenceStatus.ACTIVE, AlertSilence.starts_at <= at,
        or_(AlertSilence.ends_at.is_(None), AlertSilence.ends_at > at),
    ).order_by(AlertSilence.id)  # fmt: skip
    return list((await session.execute(stmt)).scalars())


def _check(spec: SilenceSpec, now: datetime) -> tuple[str, datetime]:
    comment = (spec.comment or "").strip()
    if not 1 <= len(comment) <= 500:
        raise error(Code.INVALID_INPUT, "请说明静默原因（1-500字） / Say why (1-500 characters)", "comment")
    if not (spec.kinds or spec.severities or spec.sources or spec.labels or spec.unit_id is not None):
        raise error(Code.INVALID_INPUT, "至少需要一个匹配条件 / A silence needs at least one matcher", "kinds")
    starts = spec.starts_at or now
    if spec.ends_at is not None and spec.ends_at <= starts:
        raise error(Code.INVALID_INPUT, "结束时间须晚于开始时间 / The end must be after the start", "endsAt")
    if spec.recurrence:
        if spec.duration_minutes is None or not 1 <= spec.duration_minutes <= MAX_WINDOW_MINUTES:
            raise error(Code.INVALID_INPUT, "维护窗口时长须为1-1440分钟 / A window lasts 1-1440 minutes", "durationMinutes")
        if not RULE.match(spec.recurrence):
            raise error(Code.INVALID_INPUT, "重复规则须为单条RRULE，频率为HOURLY至YEARLY / One RRULE of HOURLY to YEARLY "
                        "frequency, without DTSTART", "recurrence")  # fmt: skip
        try:
            _rule(spec)
        except (ValueError, TypeError) as exc:
            raise error(Code.INVALID_INPUT, f"重复规则无效 / Not an RFC 5545 rule: {exc}", "recurrence") from None
    elif spec.ends_at is None or spec.ends_at - starts > timedelta(days=MAX_DAYS):
        raise error(Code.INVALID_INPUT, "一次性静默须有结束时间且不超过一年 / A one-off silence ends within a year",
                    "endsAt")  # fmt: skip
    return comment, starts


async def _in_scope(uow: UnitOfWork, actor: Actor, unit_id: int | None, field: str) -> None:
    """An access unit's people silence only their own units' alerts (NOT_FOUND otherwise); the management unit, any."""
    if actor.sees_all_units:
        return
    if unit_id is None or not await identity.units_by_ids(uow.session, actor, [unit_id]):
        raise error(Code.NOT_FOUND, "单位不存在或不在您的数据范围内 / Give a unit in your data scope", field)


async def create(uow: UnitOfWork, actor: Actor, spec: SilenceSpec, now: datetime | None = None) -> AlertSilence:
    """A silence or a recurring window (INVALID_INPUT); audited. It holds for alerts that fire from now on."""
    now = now or utcnow()
    comment, starts = _check(spec, now)
    await _in_scope(uow, actor, spec.unit_id, "unitId")
    silence = AlertSilence(
        comment=comment, kinds=[k.value for k in spec.kinds], severities=[s.value for s in spec.severities],
        sources=sorted(set(spec.sources)), labels=dict(spec.labels), unit_id=spec.unit_id, starts_at=starts,
        ends_at=spec.ends_at, recurrence=spec.recurrence or None,
        duration_minutes=spec.duration_minutes if spec.recurrence else None, status=SilenceStatus.ACTIVE,
        created_by_id=actor.user_id, created_by_name=actor.display_name, created_at=now,
    )  # fmt: skip
    uow.session.add(silence)
    await uow.session.flush()
    record_change(uow, actor, "alerts.silence_create", "AlertSilence", silence.id, comment=comment,
                  kinds=silence.kinds, severities=silence.severities, sources=silence.sources, labels=silence.labels,
                  recurrence=silence.recurrence)  # fmt: skip
    return silence


async def cancel(uow: UnitOfWork, actor: Actor, silence_id: int, now: datetime | None = None) -> AlertSilence:
    """End a silence now (NOT_FOUND, INVALID_TRANSITION); the alerts it held are noticed at the next tick."""
    now = now or utcnow()
    silence = await uow.session.get(AlertSilence, silence_id, with_for_update=True)
    if silence is None:
        raise error(Code.NOT_FOUND, "静默不存在 / No such silence", "id")
    await _in_scope(uow, actor, silence.unit_id, "id")
    if silence.status is not SilenceStatus.ACTIVE:
        raise error(Code.INVALID_TRANSITION, "静默已结束 / The silence has ended", "id")
    silence.status, silence.cancelled_at = SilenceStatus.CANCELLED, now
    record_change(uow, actor, "alerts.silence_cancel", "AlertSilence", silence.id, comment=silence.comment)
    return silence
