"""Ingest samples, roll them up (5 min -> hour -> Beijing day), keep each resolution for its retention.

A sample names its series (metric, resource, labels); unknown series are registered on first sight. Samples of a
series are unique by instant, so a platform that sends a page twice stores it once. A sample older than what the
rollup has done marks the rollup dirty from its hour, and the next run redoes those hours and their days: the hourly
and daily figures always equal what the raw samples say (count, sum, min, max)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.clock import SHANGHAI, UTC, utcnow
from core.db.uow import UnitOfWork
from domain.catalog.enums import ServiceDomain
from domain.metrics.enums import RETENTION, WIDTH, Resolution
from domain.metrics.models import MetricRollup, MetricSample, MetricSeries, MetricWatermark

CHANNEL = "govops.metrics"
METRIC = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
RESOURCE_TYPE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
MAX_LABELS = 10
FUTURE = timedelta(minutes=10)  # a platform's clock may run a little ahead
GRACE = timedelta(minutes=10)  # an hour is rolled up this long after it ends (its last samples are in by then)
MAX_HOURS_PER_RUN = 72


@dataclass(frozen=True)
class Sample:
    metric: str
    resource_type: str
    resource_key: str
    value: float
    at: datetime
    domain: ServiceDomain
    unit: str = "count"
    labels: dict[str, Any] = field(default_factory=dict)
    unit_id: int | None = None


@dataclass
class Ingested:
    accepted: int = 0
    duplicates: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (index in the batch, why)


def labels_key(labels: dict[str, Any]) -> str:
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def _problem(s: Sample, now: datetime) -> str | None:
    if not METRIC.match(s.metric) or len(s.metric) > 100:
        return "指标名须如 upf.uplink_bytes / a metric name like upf.uplink_bytes"
    if not RESOURCE_TYPE.match(s.resource_type):
        return "资源类型须为大写字母、数字和下划线 / a resource type in upper case"
    if not 1 <= len(s.resource_key) <= 100:
        return "资源标识须为1-100个字符 / a resource key of 1-100 characters"
    if isinstance(s.value, bool) or not isinstance(s.value, int | float) or not math.isfinite(s.value):
        return "数值须为有限数 / the value must be a finite number"
    if s.at.tzinfo is None:
        return "时间须带时区 / the time needs its zone"
    if s.at > now + FUTURE or s.at < now - RETENTION[Resolution.RAW]:
        return "时间超出保留期或在未来 / the time is outside the retention or in the future"
    if len(s.labels) > MAX_LABELS or len(labels_key(s.labels)) > 500:
        return f"标签最多{MAX_LABELS}个 / at most {MAX_LABELS} labels"
    return None


async def _series_ids(uow: UnitOfWork, samples: list[Sample], now: datetime) -> dict[tuple[str, str, str, str], int]:
    """The series of the samples, registering the unknown ones (one read, one insert)."""
    keys = {(s.metric, s.resource_type, s.resource_key, labels_key(s.labels)): s for s in samples}
    t = MetricSeries.__table__.c
    stmt = select(t.id, t.metric, t.resource_type, t.resource_key, t.labels_key).where(
        t.metric.in_({k[0] for k in keys}), t.resource_key.in_({k[2] for k in keys}))  # fmt: skip
    rows = list(await uow.session.execute(stmt.add_columns(t.unit_id)))
    found = {(r.metric, r.resource_type, r.resource_key, r.labels_key): r.id for r in rows}
    # A series first seen with a unit we did not know yet takes the unit once a sample names one.
    for r in rows:
        key = (r.metric, r.resource_type, r.resource_key, r.labels_key)
        if r.unit_id is None and key in keys and keys[key].unit_id is not None:
            await uow.session.execute(update(MetricSeries).where(t.id == r.id).values(unit_id=keys[key].unit_id))
    missing = [k for k in keys if k not in found]
    if missing:
        await uow.session.execute(insert(MetricSeries), [{
            "domain": keys[k].domain, "metric": k[0], "resource_type": k[1], "resource_key": k[2], "labels": keys[k].labels,
            "labels_key": k[3], "unit": keys[k].unit, "unit_id": keys[k].unit_id, "created_at": now, "last_sample_at": None,
        } for k in missing])  # fmt: skip
        found |= {(r.metric, r.resource_type, r.resource_key, r.labels_key): r.id for r in await uow.session.execute(stmt)}
    return found


async def ingest(uow: UnitOfWork, samples: Iterable[Sample], now: datetime | None = None) -> Ingested:
    """Store a batch: malformed samples are refused one by one (with why), the rest stored once each."""
    now = now or utcnow()
    result, good = Ingested(), []
    for i, s in enumerate(samples):
        if why := _problem(s, now):
            result.refused.append((i, why))
        else:
            good.append(s)
    if not good:
        return result
    ids = await _series_ids(uow, good, now)
    rows = {(ids[(s.metric, s.resource_type, s.resource_key, labels_key(s.labels))], s.at.astimezone(UTC)): float(s.value)
            for s in good}  # fmt: skip
    dialect = uow.session.bind.dialect.name if uow.session.bind is not None else "sqlite"
    if dialect == "postgresql":
        from domain.metrics import partitions

        await partitions.ready(uow.session, {at.date() for _sid, at in rows})
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(MetricSample).on_conflict_do_nothing(
        index_elements=["series_id", "at"])  # fmt: skip
    before = await _count_existing(uow, rows)
    await uow.session.execute(ins, [{"series_id": sid, "at": at, "value": v} for (sid, at), v in rows.items()])
    result.accepted, result.duplicates = len(rows) - before, before + (len(good) - len(rows))
    t = MetricSeries.__table__.c
    latest: dict[int, datetime] = {}
    for sid, at in rows:
        latest[sid] = max(latest.get(sid, at), at)
    for sid, at in latest.items():
        await uow.session.execute(MetricSeries.__table__.update().where(
            t.id == sid, func.coalesce(t.last_sample_at, literal(at, t.last_sample_at.type)) <= at).values(last_sample_at=at))  # fmt: skip
    await _mark_dirty(uow, min(at for _sid, at in rows))
    uow.publish(CHANNEL, {"series": sorted(latest), "at": max(latest.values()).isoformat()})
    return result


async def _count_existing(uow: UnitOfWork, rows: dict[tuple[int, datetime], float]) -> int:
    """How many of the (series, instant) pairs are stored already: one statement per 500 pairs (row values)."""
    s = MetricSample.__table__.c
    keys, n = list(rows), 0
    for i in range(0, len(keys), 500):
        stmt = select(func.count()).where(tuple_(s.series_id, s.at).in_(keys[i : i + 500]))
        n += int((await uow.session.execute(stmt)).scalar_one())
    return n


async def _watermark(uow: UnitOfWork, resolution: Resolution, default: datetime) -> MetricWatermark:
    mark = await uow.session.get(MetricWatermark, resolution, with_for_update=True)
    if mark is None:
        mark = MetricWatermark(resolution=resolution, done_until=default, dirty_from=None)
        uow.session.add(mark)
        await uow.session.flush()
    return mark


async def _mark_dirty(uow: UnitOfWork, earliest: datetime) -> None:
    """A sample for an hour already rolled up: redo from that hour."""
    mark = await uow.session.get(MetricWatermark, Resolution.HOUR)
    if mark is not None and earliest < mark.done_until:
        hour = floor_hour(earliest)
        if mark.dirty_from is None or hour < mark.dirty_from:
            mark.dirty_from = hour


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def beijing_day_start(at: datetime) -> datetime:
    local = at.astimezone(SHANGHAI)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


async def _roll_bucket(uow: UnitOfWork, resolution: Resolution, start: datetime) -> None:
    """(Re)compute one bucket of every series: delete what was there, insert what the finer data says."""
    end = start + WIDTH[resolution]
    r = MetricRollup.__table__.c
    await uow.session.execute(delete(MetricRollup).where(r.resolution == resolution, r.bucket_start == start))
    if resolution is Resolution.HOUR:
        s = MetricSample.__table__.c
        source = select(s.series_id, literal(resolution.value), literal(start, r.bucket_start.type), func.count(), func.sum(s.value),
                        func.min(s.value), func.max(s.value)).where(s.at >= start, s.at < end).group_by(s.series_id)  # fmt: skip
    else:
        h = MetricRollup.__table__.alias("hourly").c
        source = select(h.series_id, literal(resolution.value), literal(start, r.bucket_start.type), func.sum(h.count),
                        func.sum(h.sum), func.min(h.min), func.max(h.max)).where(
            h.resolution == Resolution.HOUR, h.bucket_start >= start, h.bucket_start < end).group_by(h.series_id)  # fmt: skip
    await uow.session.execute(insert(MetricRollup).from_select(["series_id", "resolution", "bucket_start", "count", "sum", "min",
                                                                 "max"], source))  # fmt: skip


async def roll(uow: UnitOfWork, now: datetime | None = None) -> dict[str, int]:
    """Roll up every complete hour not yet done (and those a late sample dirtied), then every complete Beijing day
    those hours complete. Returns how many buckets of each were computed."""
    now = now or utcnow()
    first = await _first_sample(uow)
    if first is None:
        return {"hours": 0, "days": 0}
    hours_mark = await _watermark(uow, Resolution.HOUR, floor_hour(first))
    days_mark = await _watermark(uow, Resolution.DAY, beijing_day_start(first))
    complete = floor_hour(now - GRACE)
    start = min(hours_mark.done_until, hours_mark.dirty_from or hours_mark.done_until)
    hours = 0
    at = start
    while at < complete and hours < MAX_HOURS_PER_RUN:
        await _roll_bucket(uow, Resolution.HOUR, at)
        at += WIDTH[Resolution.HOUR]
        hours += 1
    if hours:
        redo_day = beijing_day_start(start)
        days_mark.dirty_from = (
            min(days_mark.dirty_from or redo_day, redo_day) if redo_day < days_mark.done_until else days_mark.dirty_from
        )
        hours_mark.done_until = max(hours_mark.done_until, at)
        hours_mark.dirty_from = None if hours_mark.dirty_from is None or hours_mark.dirty_from < at else hours_mark.dirty_from
    days = 0
    day = min(days_mark.done_until, days_mark.dirty_from or days_mark.done_until)
    while day + WIDTH[Resolution.DAY] <= hours_mark.done_until:
        await _roll_bucket(uow, Resolution.DAY, day)
        day += WIDTH[Resolution.DAY]
        days += 1
    if days:
        days_mark.done_until, days_mark.dirty_from = max(days_mark.done_until, day), None
    return {"hours": hours, "days": days}


async def _first_sample(uow: UnitOfWork) -> datetime | None:
    s = MetricSample.__table__.c
    return (await uow.session.execute(select(func.min(s.at)))).scalar_one()  # type: ignore[no-any-return]


async def prune(uow: UnitOfWork, now: datetime | None = None) -> dict[str, int]:
    """Drop what is past each resolution's retention (on PostgreSQL whole partitions of raw samples go)."""
    now = now or utcnow()
    out: dict[str, int] = {}
    s = MetricSample.__table__.c
    horizon = now - RETENTION[Resolution.RAW]
    if uow.session.bind is not None and uow.session.bind.dialect.name == "postgresql":
        from domain.metrics import partitions

        out["partitions"] = await partitions.drop_before(uow.session, horizon)
        out["made"] = await partitions.ensure(uow.session, now.date())
    out["samples"] = (await uow.session.execute(delete(MetricSample).where(s.at < horizon))).rowcount or 0
    r = MetricRollup.__table__.c
    for resolution in (Resolution.HOUR, Resolution.DAY):
        gone = delete(MetricRollup).where(and_(r.resolution == resolution, r.bucket_start < now - RETENTION[resolution]))
        out[resolution.value.lower()] = (await uow.session.execute(gone)).rowcount or 0
    return out
