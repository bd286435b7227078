"""Statistics every area shares: its work orders per day, week or month."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from core.clock import utcnow
from domain.workorders.periods import Grain, submitted
from schema.statistics import PeriodCount


async def period_counts(info: strawberry.Info, area: str, grain: Grain, start: datetime | None,
                        end: datetime | None) -> list[PeriodCount]:  # fmt: skip
    """The area's orders by period, kind and status in [start, end) (default: the last 90 days), in the data scope."""
    actor = info.context.require_actor()
    end = end or utcnow()
    start = start or end - timedelta(days=90)
    async with info.context.read_session() as s:
        rows = await submitted(s, actor, area, start, end, grain)
    return [PeriodCount(period=b, kind=k, status=st, count=n) for b, k, st, n in rows]
