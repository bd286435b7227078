"""What every part of the generator shares: the seeded random source, the clock, id allocation, sealing, COPY.

Rows go in with asyncpg's binary COPY, ids assigned here (so children can name their parents without a round
trip), sequences moved past them at the end. Sealed columns are sealed with the deployment's own key ring and
blind-indexed with its own keys, exactly as the application writes them, so the API reads the generated rows like
its own.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson

from core import integrity
from core.db.encrypted import normalize_email, normalize_exact, normalize_phone
from core.keyring import RING

BEIJING = timedelta(hours=8)
# Relative volume of government work by month (Spring Festival in Jan/Feb, the year-end rush in Nov/Dec).
MONTH_WEIGHT = [0.85, 0.55, 1.1, 1.0, 0.95, 1.05, 0.9, 0.85, 1.1, 0.8, 1.15, 1.25]
# By Beijing hour on a working day: the office day with a lunch dip.
HOUR_WEIGHT = [0.05, 0.02, 0.02, 0.02, 0.02, 0.05, 0.1, 0.3, 0.9, 1.6, 1.8, 1.4, 0.6, 1.1, 1.7, 1.7, 1.4, 0.9, 0.4, 0.3, 0.25, 0.2,
               0.12, 0.08]  # fmt: skip
WEEKEND_WEIGHT = 0.15


def zipf_weights(n: int, s: float = 0.9) -> list[float]:
    """A few large units and a long tail of small ones."""
    return [1.0 / (i + 1) ** s for i in range(n)]


class Picker:
    """Weighted choice in O(log n) from precomputed cumulative weights (random.choices rebuilds them every call)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


@dataclass
class Gen:
    conn: asyncpg.Connection
    rng: random.Random
    now: datetime
    scale: float
    counts: dict[str, int] = field(default_factory=dict)
    _next_id: dict[str, int] = field(default_factory=dict)
    _hours: Picker | None = None

    def n(self, at_scale_1: int) -> int:
        return max(1, round(at_scale_1 * self.scale))

    async def ids(self, table: str, count: int) -> range:
        """`count` fresh ids of `table`, above every id already there."""
        if table not in self._next_id:
            self._next_id[table] = int(await self.conn.fetchval(f'SELECT coalesce(max(id), 0) FROM "{table}"')) + 1
        start = self._next_id[table]
        self._next_id[table] = start + count
        return range(start, start + count)

    async def copy(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        records = rows if isinstance(rows, list) else list(rows)
        if records:
            await self.conn.copy_records_to_table(table, records=records, columns=list(columns))
        self.counts[table] = self.counts.get(table, 0) + len(records)
        return len(records)

    async def fix_sequences(self) -> None:
        """Move every id sequence past the ids written here (the application's own inserts come next)."""
        for table in self._next_id:
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM \"{table}\"))"
            )

    # -- sealing, exactly as the ORM types do it ------------------------------------------------------------------

    @staticmethod
    def seal(context: str, value: str | None) -> bytes | None:
        return None if value is None else RING.seal(value.encode(), context.encode())

    @staticmethod
    def seal_json(context: str, value: Any) -> bytes:
        return RING.seal(orjson.dumps(value), context.encode())

    @staticmethod
    def phone_index(context: str, value: str | None) -> str | None:
        return None if value is None else RING.blind_index(context, normalize_phone(value))

    @staticmethod
    def email_index(context: str, value: str) -> str:
        return RING.blind_index(context, normalize_email(value))

    @staticmethod
    def exact_index(context: str, value: str) -> str:
        return RING.blind_index(context, normalize_exact(value))

    @staticmethod
    def mac(*fields: object) -> str:
        return integrity.seal(*fields)

    # -- time that looks like real work ---------------------------------------------------------------------------

    def working_instant(self, start: datetime, end: datetime) -> datetime:
        """A moment between start and end, weighted by month, weekday and office hour (Beijing time)."""
        if self._hours is None:
            self._hours = Picker(range(24), HOUR_WEIGHT)
        span = (end - start).total_seconds()
        while True:
            at = start + timedelta(seconds=self.rng.random() * span)
            local = at + BEIJING
            weight = MONTH_WEIGHT[local.month - 1] / 1.25 * (WEEKEND_WEIGHT if local.weekday() >= 5 else 1.0)
            if self.rng.random() < weight:
                hour = self._hours(self.rng)
                moved = local.replace(hour=hour, minute=self.rng.randrange(60), second=self.rng.randrange(60)) - BEIJING
                return min(moved.replace(tzinfo=UTC), end)

    def burst_instants(self, count: int, start: datetime, end: datetime, bursts: int) -> list[datetime]:
        """`count` instants of which most fall in `bursts` short storms (an outage floods alerts), the rest spread."""
        span = (end - start).total_seconds()
        centres = sorted(start + timedelta(seconds=self.rng.random() * span) for _ in range(bursts))
        out = []
        for _ in range(count):
            if self.rng.random() < 0.7:
                centre = centres[self.rng.randrange(bursts)]
                at = centre + timedelta(seconds=self.rng.expovariate(1 / 900))
            else:
                at = start + timedelta(seconds=self.rng.random() * span)
            out.append(min(at, end))
        out.sort()
        return out


class Progress:
    """One line per stage, with its row count and rate."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def stage(self, name: str, rows: int, since: float) -> None:
        took = time.monotonic() - since
        rate = f"{rows / took:,.0f} rows/s" if took > 0 and rows else ""
        print(f"  {name:<34} {rows:>12,} rows {took:7.1f} s {rate}", flush=True)

    def total(self) -> float:
        return time.monotonic() - self.started


def chunks(n: int, size: int) -> Iterable[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


def log_normal_days(rng: random.Random, median_days: float, sigma: float = 0.8) -> float:
    return median_days * math.exp(rng.gauss(0, sigma))
