"""Reads of the metric store: the series a viewer may see, and panels (a range, a step, an aggregate) answered from
the coarsest resolution that can: raw samples for up to two days, hourly rollups up to a week, daily beyond."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, true

from core.db.engine import Db
from domain.catalog.enums import ServiceDomain
from domain.identity.actor import Actor
from domain.identity.repository import in_readable_units
from domain.metrics.enums import WIDTH, Aggregate, Resolution
from domain.metrics.models import MetricRollup, MetricSample, MetricSeries

SE = MetricSeries.__table__.c
SA = MetricSample.__table__.c
RO = MetricRollup.__table__.c
SERIES_COLS = [SE.id, SE.domain, SE.metric, SE.resource_type, SE.resource_key, SE.labels, SE.unit, SE.unit_id, SE.created_at,
               SE.last_sample_at]  # fmt: skip
MAX_SERIES = 50
MAX_POINTS = 1000  # per series
RAW_UP_TO = timedelta(days=2)
HOURLY_UP_TO = timedelta(days=7)
RAW_STEP = timedelta(minutes=5)


@dataclass(slots=True, eq=False)
class SeriesRecord:
    id: int
    domain: ServiceDomain
    metric: str
    resource_type: str
    resource_key: str
    labels: dict[str, Any]
    unit: str
    unit_id: int | None
    created_at: datetime
    last_sample_at: datetime | None


@dataclass(frozen=True, slots=True)
class SeriesFilter:
    metrics: tuple[str, ...] = ()
    domains: tuple[ServiceDomain, ...] = ()
    resource_types: tuple[str, ...] = ()
    resource_keys: tuple[str, ...] = ()
    unit_id: int | None = None
    labels: tuple[tuple[str, str], ...] = ()  # each must equal the series' label


def readable(actor: Actor) -> ColumnElement[bool]:
    """Units see their subtree's series; series of no unit (a UPF's totals, the access zone) are the Big Data Center's."""
    if actor.sees_all_units:
        return true()
    return SE.unit_id.is_not(None) & in_readable_units(actor, SE.unit_id)


async def series(db: Db, actor: Actor, f: SeriesFilter, limit: int = MAX_SERIES) -> list[SeriesRecord]:
    stmt = select(*SERIES_COLS).where(readable(actor))
    for column, values in ((SE.metric, f.metrics), (SE.domain, f.domains), (SE.resource_type, f.resource_types),
                           (SE.resource_key, f.resource_keys)):  # fmt: skip
        if values:
            stmt = stmt.where(column.in_(values))
    if f.unit_id is not None:
        stmt = stmt.where(SE.unit_id == f.unit_id)
    found = [SeriesRecord(*r) for r in await db.execute(stmt.order_by(SE.metric, SE.resource_key, SE.id).limit(limit * 4))]
    if f.labels:  # labels are JSON: matched here, the same on both backends
        found = [s for s in found if all(str(s.labels.get(k)) == v for k, v in f.labels)]
    return found[:limit]


def resolution_for(start: datetime, end: datetime) -> Resolution:
    span = end - start
    return Resolution.RAW if span <= RAW_UP_TO else Resolution.HOUR if span <= HOURLY_UP_TO else Resolution.DAY


@dataclass
class Panel:
    resolution: Resolution
    step: timedelta
    start: datetime
    series: list[SeriesRecord] = field(default_factory=list)
    points: dict[int, list[tuple[datetime, float]]] = field(default_factory=dict)


class PanelTooLarge(ValueError):
    pass


def aligned(at: datetime, step: timedelta) -> datetime:
    """`at` moved back to a step boundary, so points fall on whole hours and (for steps of days) Beijing midnights."""
    day = timedelta(days=1)
    origin = datetime(1970, 1, 1, tzinfo=UTC) - (
        timedelta(hours=8) if step >= day and step % day == timedelta(0) else timedelta(0)
    )
    return at - (at - origin) % step


def _combine(aggregate: Aggregate, parts: list[tuple[int, float, float, float]]) -> float:
    """(count, sum, min, max) parts of one step: the aggregate, exactly."""
    if aggregate is Aggregate.SUM:
        return sum(p[1] for p in parts)
    if aggregate is Aggregate.MIN:
        return min(p[2] for p in parts)
    if aggregate is Aggregate.MAX:
        return max(p[3] for p in parts)
    return sum(p[1] for p in parts) / sum(p[0] for p in parts)


async def panel(db: Db, actor: Actor, f: SeriesFilter, start: datetime, end: datetime, step: timedelta | None,
                aggregate: Aggregate) -> Panel:  # fmt: skip
    """The chosen series over [start, end), one point per step (the resolution's width at least), aggregated."""
    resolution = resolution_for(start, end)
    least = RAW_STEP if resolution is Resolution.RAW else WIDTH[resolution]
    step = max(step or least, least)
    start = aligned(start, step)
    if (end - start) / step > MAX_POINTS:
        raise PanelTooLarge(f"每条曲线最多{MAX_POINTS}个点 / at most {MAX_POINTS} points per series: widen the step")
    out = Panel(resolution, step, start, await series(db, actor, f))
    ids = [s.id for s in out.series]
    if not ids:
        return out
    buckets: dict[tuple[int, int], list[tuple[int, float, float, float]]] = {}
    for sid, at, part in await _parts(db, ids, resolution, start, end):
        buckets.setdefault((sid, int((at - start) / step)), []).append(part)
    for (sid, n), parts in sorted(buckets.items()):
        out.points.setdefault(sid, []).append((start + n * step, _combine(aggregate, parts)))
    return out


async def _parts(db: Db, ids: Iterable[int], resolution: Resolution, start: datetime,
                 end: datetime) -> list[tuple[int, datetime, tuple[int, float, float, float]]]:  # fmt: skip
    if resolution is Resolution.RAW:
        stmt = select(SA.series_id, SA.at, SA.value).where(SA.series_id.in_(list(ids)), SA.at >= start, SA.at < end)
        return [(sid, at, (1, v, v, v)) for sid, at, v in await db.execute(stmt)]
    stmt = select(RO.series_id, RO.bucket_start, RO.count, RO.sum, RO.min, RO.max).where(
        RO.series_id.in_(list(ids)), RO.resolution == resolution, RO.bucket_start >= start, RO.bucket_start < end)  # fmt: skip
    return [(sid, at, (n, total, low, high)) for sid, at, n, total, low, high in await db.execute(stmt)]


async def latest(db: Db, ids: Iterable[int], at: datetime) -> dict[int, float]:
    """The samples of these series at one instant (what a live panel pushes)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(list(await db.execute(select(SA.series_id, SA.value).where(SA.series_id.in_(wanted), SA.at == at))))
