"""Work order statistics (module 58: duration and timeout analysis): counts by kind and status, orders per month,
durations per kind and step, the overdue count, over the orders a filter and the viewer's scope select."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import fmean
from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, literal, or_, select, union_all

from core.db.engine import Db, dialect_name
from domain.identity.actor import Actor
from domain.workorders.enums import WorkOrderStatus
from domain.workorders.models import WorkOrder, WorkOrderDispatch, WorkOrderTask
from domain.workorders.repository import WO, T, WorkOrderFilter, order_conditions


@dataclass(frozen=True, slots=True)
class Durations:
    kind: str
    step: str | None  # None: the whole order
    count: int
    mean: float
    p50: float
    p90: float


@dataclass(frozen=True, slots=True)
class Statistics:
    total: int
    overdue: int
    by_kind_status: list[tuple[str, WorkOrderStatus, int]]
    per_month: list[tuple[str, int]]  # ("2026-11", n), Beijing months
    durations: list[Durations]


def _seconds_between(db: Db, start: Any, end: Any) -> ColumnElement[float]:
    if dialect_name(db) == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _month(db: Db, column: Any) -> ColumnElement[str]:
    if dialect_name(db) == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours")  # stored as UTC text; China has no daylight saving


def _summarise(samples: dict[tuple[str, str | None], list[float]]) -> list[Durations]:
    out = []
    for (kind, step), values in sorted(samples.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        values.sort()
        out.append(Durations(kind, step, len(values), fmean(values), _quantile(values, 0.5), _quantile(values, 0.9)))
    return out


def _quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (what PostgreSQL's percentile_cont computes)."""
    if len(ordered) == 1:
        return ordered[0]
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


async def statistics(db: Db, actor: Actor, f: WorkOrderFilter, now: datetime) -> Statistics:
    """Counts by kind and status, orders per month, durations per kind and per step, and the overdue count.

    A step's duration is how long each of its decisions (or its platform's confirmation) took; the order's is
    submission to completion. Durations are wall-clock seconds of completed orders; the working-time view of the
    same orders is their SLA clocks.
    """
    where = order_conditions(actor, f, now)
    grouped = select(WO.kind, WO.status, func.count()).where(*where).group_by(WO.kind, WO.status)
    by_kind_status = [(r[0], r[1], int(r[2])) for r in await db.execute(grouped.order_by(WO.kind, WO.status))]
    month = _month(db, WO.created_at).label("month")
    per_month = [
        (r[0], int(r[1])) for r in await db.execute(select(month, func.count()).where(*where).group_by(month).order_by(month))
    ]
    late = or_(WO.overdue.is_(True), and_(WO.due_at < now, WO.finished_at.is_(None)))
    overdue = int((await db.execute(select(func.count()).where(*where, late))).scalar_one())
    done = [*where, WO.status == WorkOrderStatus.COMPLETED]
    D = WorkOrderDispatch.__table__.c
    whole = select(
        WO.kind, literal(None, String()).label("step"), _seconds_between(db, WO.created_at, WO.finished_at).label("s")
    ).where(*done)
    decided = (
        select(WO.kind, T.step, _seconds_between(db, T.created_at, T.acted_at).label("s"))
        .join_from(WorkOrderTask.__table__, WorkOrder.__table__, WO.id == T.order_id)
        .where(*done, T.acted_by.is_not(None))
    )
    confirmed = (
        select(WO.kind, D.step, _seconds_between(db, D.created_at, D.confirmed_at).label("s"))
        .join_from(WorkOrderDispatch.__table__, WorkOrder.__table__, WO.id == D.order_id)
        .where(*done, D.confirmed_at.is_not(None))
    )
    if dialect_name(db) == "postgresql":
        # A year of a city's orders is a few hundred thousand durations: PostgreSQL summarises them where they are
        # (percentile_cont is the interpolation _quantile does) instead of shipping every one to this process.
        u = union_all(whole, decided, confirmed).subquery()
        summary = select(u.c.kind, u.c.step, func.count(), func.avg(u.c.s), func.percentile_cont(0.5).within_group(u.c.s),
                         func.percentile_cont(0.9).within_group(u.c.s)).group_by(u.c.kind, u.c.step)  # fmt: skip
        durations = sorted(
            (
                Durations(k, st, int(n), float(mean), float(p50), float(p90))
                for k, st, n, mean, p50, p90 in await db.execute(summary)
            ),
            key=lambda d: (d.kind, d.step or ""),
        )
    else:
        samples: dict[tuple[str, str | None], list[float]] = {}
        for stmt in (whole, decided, confirmed):
            for kind, step, seconds in await db.execute(stmt):
                samples.setdefault((kind, step), []).append(float(seconds))
        durations = _summarise(samples)
    total = sum(n for _, _, n in by_kind_status)
    return Statistics(total, overdue, by_kind_status, per_month, durations)
