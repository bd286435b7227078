"""Daily partitions of metric_sample on PostgreSQL: kept from the raw retention horizon to a few days ahead, made
ahead of time by the `metrics.rollup` job (and by the migration for the first days), dropped whole when they pass
the horizon (no row-by-row delete of millions of samples)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from domain.metrics.enums import RETENTION, Resolution

AHEAD = 3  # days of partitions made ahead
NAME = re.compile(r"^metric_sample_p(\d{8})$")


def not_a_partition(name: str | None, type_: str, _parents: Any = None) -> bool:
    """Alembic's `include_name`: the daily partitions are parts of metric_sample, not tables of the model (they come
    and go with the days, so autogenerate must neither drop them nor their indexes)."""
    return not (type_ in ("table", "index") and name is not None and name.startswith("metric_sample_p"))


def name_of(day: date) -> str:
    return f"metric_sample_p{day:%Y%m%d}"


def ddl(day: date) -> str:
    """The partition of one UTC day."""
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    return (f'CREATE TABLE IF NOT EXISTS "{name_of(day)}" PARTITION OF metric_sample '
            f"FOR VALUES FROM ('{start} 00:00:00+00') TO ('{end} 00:00:00+00')")  # fmt: skip


def wanted(today: date) -> list[date]:
    """The days that must have a partition: the retention horizon to AHEAD days from today."""
    first = today - RETENTION[Resolution.RAW] - timedelta(days=1)
    return [first + timedelta(days=i) for i in range((today - first).days + AHEAD + 1)]


async def ensure(session: Any, today: date) -> int:
    """Make the missing partitions; returns how many were made."""
    have = await existing(session)
    made = 0
    for day in wanted(today):
        if name_of(day) not in have:
            await session.execute(text(ddl(day)))
            made += 1
    return made


_KNOWN: set[str] = set()  # partitions this process has seen: most batches need no catalogue read


async def ready(session: Any, days: set[date]) -> None:
    """Make sure the days of a batch of samples have their partitions (a day the daily job has not made yet)."""
    missing = {name_of(d) for d in days} - _KNOWN
    if not missing:
        return
    _KNOWN.update(await existing(session))
    for day in sorted(days):
        if name_of(day) not in _KNOWN:
            await session.execute(text(ddl(day)))
            _KNOWN.add(name_of(day))


async def existing(session: Any) -> set[str]:
    rows = await session.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'metric_sample'"
    ))  # fmt: skip
    return {r[0] for r in rows}


async def drop_before(session: Any, horizon: datetime) -> int:
    """Drop the partitions whose whole day ends before `horizon`."""
    dropped = 0
    for name in sorted(await existing(session)):
        match = NAME.match(name)
        if match is None:
            continue
        day = datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC)
        if day + timedelta(days=1) <= horizon:
            await session.execute(text(f'DROP TABLE "{name}"'))
            _KNOWN.discard(name)
            dropped += 1
    return dropped
