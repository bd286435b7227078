"""Work order numbers: readable, unique under concurrency, per Beijing day, gaps allowed, duplicates never."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

from core.clock import SHANGHAI, UTC
from domain.workorders.numbering import next_number


async def test_concurrent_creators_get_distinct_consecutive_numbers(services):
    at = datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)
    numbers = await asyncio.gather(*(next_number(services.engine, at) for _ in range(40)))
    assert len(set(numbers)) == 40
    assert all(re.fullmatch(r"GD20261128\d{6}", n) for n in numbers)
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 41))


async def test_the_day_is_the_beijing_day_and_each_day_starts_again(services):
    assert await next_number(services.engine, datetime(2026, 11, 28, 23, 59, tzinfo=SHANGHAI)) == "GD20261128000001"
    assert await next_number(services.engine, datetime(2026, 11, 29, 0, 30, tzinfo=SHANGHAI)) == "GD20261129000001"
    # 16:30 UTC on the 28th is already 00:30 on the 29th in Beijing.
    assert await next_number(services.engine, datetime(2026, 11, 28, 16, 30, tzinfo=UTC)) == "GD20261129000002"
