"""Reads of alerts: the ones a viewer may see (their unit subtree's; alerts of no unit only for the management
unit), filtered and keyset-paged, their history, and counts by kind, severity, source and period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select, true

from core.db.engine import Db
from core.db.pagination import Count, InvalidCursor, Page, PageRequest, count_rows, decode_cursor, to_page
from domain.alerts.enums import AlertKind, AlertSeverity, AlertSort, AlertStatus, SilenceStatus
from domain.alerts.models import Alert, AlertEvent, AlertSilence
from domain.alerts.records import AlertEventRecord, AlertRecord
from domain.identity.actor import Actor
from domain.identity.repository import in_readable_units
from domain.workorders.periods import Grain, bucket

AL = Alert.__table__.c
EV = AlertEvent.__table__.c
ALERT_COLS = [
    AL.id, AL.kind, AL.severity, AL.status, AL.source, AL.fingerprint, AL.title, AL.detail, AL.labels, AL.target_type,
    AL.target_id, AL.unit_id, AL.count, AL.first_seen_at, AL.last_seen_at, AL.resolved_at, AL.resolution,
    AL.acknowledged_at, AL.acknowledged_by_id, AL.owner_id, AL.silenced_by_id, AL.version,
]  # fmt: skip
EVENT_COLS = [EV.id, EV.alert_id, EV.kind, EV.actor_id, EV.actor_name, EV.at, EV.comment, EV.detail]


def readable(actor: Actor) -> ColumnElement[bool]:
    """Management staff see every alert; an access unit's people see those of their unit subtree."""
    if actor.sees_all_units:
        return true()
    return AL.unit_id.is_not(None) & in_readable_units(actor, AL.unit_id)


@dataclass(frozen=True, slots=True)
class AlertFilter:
    kinds: tuple[AlertKind, ...] = ()
    severities: tuple[AlertSeverity, ...] = ()
    statuses: tuple[AlertStatus, ...] = ()
    sources: tuple[str, ...] = ()
    unit_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    acknowledged: bool | None = None
    owner_id: int | None = None
    fired_from: datetime | None = None
    fired_to: datetime | None = None
    keyword: str | None = None  # in the title


def conditions(actor: Actor, f: AlertFilter) -> list[ColumnElement[bool]]:
    where = [readable(actor)]
    for column, values in ((AL.kind, f.kinds), (AL.severity, f.severities), (AL.status, f.statuses), (AL.source, f.sources)):
        if values:
            where.append(column.in_(values))
    for column, value in ((AL.unit_id, f.unit_id), (AL.target_type, f.target_type), (AL.target_id, f.target_id),
                          (AL.owner_id, f.owner_id)):  # fmt: skip
        if value is not None:
            where.append(column == value)
    if f.acknowledged is not None:
        where.append(AL.acknowledged_at.is_not(None) if f.acknowledged else AL.acknowledged_at.is_(None))
    if f.fired_from is not None:
        where.append(AL.first_seen_at >= f.fired_from)
    if f.fired_to is not None:
        where.append(AL.first_seen_at < f.fired_to)
    if f.keyword:
        text = f.keyword.strip()
        where.append(AL.title.contains(text, autoescape=True) if text else false())
    return where


async def list_alerts(db: Db, actor: Actor, f: AlertFilter, sort: AlertSort, page: PageRequest) -> Page[AlertRecord]:
    """A page of alerts, newest-seen (or newest-fired) first, keyset on (time, id)."""
    column = AL.last_seen_at if sort is AlertSort.LAST_SEEN_DESC else AL.first_seen_at
    stmt: Select[Any] = select(*ALERT_COLS).where(*conditions(actor, f))
    if page.after is not None:
        try:
            value, last_id = decode_cursor(page.after, 2)
            at, last_id = datetime.fromisoformat(value), int(last_id)
        except (TypeError, ValueError) as exc:
            raise InvalidCursor(page.after) from exc
        stmt = stmt.where((column < at) | ((column == at) & (AL.id < last_id)))
    rows = list(await db.execute(stmt.order_by(column.desc(), AL.id.desc()).limit(page.first + 1)))
    items = [AlertRecord(*r) for r in rows]
    attr = "last_seen_at" if sort is AlertSort.LAST_SEEN_DESC else "first_seen_at"
    return to_page(rows, items, lambda r: (getattr(r, attr).isoformat(), r.id), page)


async def count_alerts(db: Db, actor: Actor, f: AlertFilter) -> int:
    return int((await db.execute(select(func.count()).select_from(Alert.__table__).where(*conditions(actor, f)))).scalar_one())


async def total_alerts(db: Db, actor: Actor, f: AlertFilter) -> Count:
    """The list's totalCount: exact up to 10,000 alerts, estimated beyond (core.db.pagination.count_rows)."""
    return await count_rows(db, Alert.__table__, conditions(actor, f))


async def alerts_by_ids(db: Db, actor: Actor, ids: Iterable[int]) -> dict[int, AlertRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {r.id: AlertRecord(*r) for r in await db.execute(select(*ALERT_COLS).where(AL.id.in_(wanted), readable(actor)))}


async def firing_by_targets(db: Db, actor: Actor, target_type: str, ids: Iterable[int]) -> dict[int, list[AlertRecord]]:
    """The alerts firing on each record of a type (an asset's lifecycle reminders among them), most recent first."""
    wanted = sorted(set(ids))
    out: dict[int, list[AlertRecord]] = {i: [] for i in wanted}
    if wanted:
        stmt = select(*ALERT_COLS).where(AL.target_type == target_type, AL.target_id.in_(wanted),
                                         AL.status == AlertStatus.FIRING, readable(actor))  # fmt: skip
        for r in await db.execute(stmt.order_by(AL.last_seen_at.desc(), AL.id.desc())):
            out[r.target_id].append(AlertRecord(*r))
    return out


async def silences(db: Db, actor: Actor, active_only: bool) -> list[Any]:
    """Silences and windows, newest first (the ones that still hold, or all): all of them for the management unit,
    those of a unit in their scope for an access unit's people."""
    t = AlertSilence.__table__
    stmt = select(t).order_by(t.c.id.desc()).limit(500)
    if not actor.sees_all_units:
        stmt = stmt.where(t.c.unit_id.is_not(None), in_readable_units(actor, t.c.unit_id))
    if active_only:
        stmt = stmt.where(t.c.status == SilenceStatus.ACTIVE)
    return list(await db.execute(stmt))


async def events_by_alerts(db: Db, ids: Iterable[int]) -> dict[int, list[AlertEventRecord]]:
    wanted = sorted(set(ids))
    out: dict[int, list[AlertEventRecord]] = {i: [] for i in wanted}
    if wanted:
        for r in await db.execute(select(*EVENT_COLS).where(EV.alert_id.in_(wanted)).order_by(EV.alert_id, EV.id)):
            out[r.alert_id].append(AlertEventRecord(*r))
    return out


@dataclass(frozen=True)
class Statistics:
    by_kind: list[tuple[str, int]]
    by_severity: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    by_period: list[tuple[str, str, int]]  # (period, kind, alerts fired)


async def statistics(db: Db, actor: Actor, f: AlertFilter, grain: Grain) -> Statistics:
    """Alerts matching the filter by kind, severity and source, and fired per (Beijing) day, week or month by kind."""
    where = conditions(actor, f)

    async def grouped(column: Any) -> list[tuple[str, int]]:
        rows = await db.execute(select(column, func.count()).where(*where).group_by(column).order_by(func.count().desc(), column))
        return [(getattr(k, "value", k), int(n)) for k, n in rows]

    periods: Counter[tuple[str, str]] = Counter()
    # Bucketed here, in Beijing time, the same on both backends; at city scale this wants issue 8's rollups.
    for fired, kind in await db.execute(select(AL.first_seen_at, AL.kind).where(*where)):
        periods[(bucket(fired, grain), kind.value)] += 1
    return Statistics(await grouped(AL.kind), await grouped(AL.severity), await grouped(AL.source),
                      [(p, k, n) for (p, k), n in sorted(periods.items())])  # fmt: skip
