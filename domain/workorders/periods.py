"""Work orders over time: how many of an area's kinds were submitted per (Beijing) day, ISO week or month, by kind
and status. Every area's application statistics (wireless, secure access, ...) are this, with its kind prefix."""

from __future__ import annotations

import enum
from collections import Counter
from datetime import datetime

from sqlalchemy import select

from core.clock import SHANGHAI
from core.db.engine import Db
from domain.identity.actor import Actor
from domain.workorders import repository as orders
from domain.workorders.models import WorkOrder


class Grain(str, enum.Enum):
    DAY = "DAY"
    WEEK = "WEEK"  # ISO weeks, Monday first
    MONTH = "MONTH"


def bucket(at: datetime, grain: Grain) -> str:
    """The period `at` falls in, in Beijing time: 2026-11-29, 2026-W48 or 2026-11."""
    local = at.astimezone(SHANGHAI)
    if grain is Grain.DAY:
        return local.strftime("%Y-%m-%d")
    if grain is Grain.WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.strftime("%Y-%m")


async def submitted(db: Db, actor: Actor, area: str, start: datetime, end: datetime,
                    grain: Grain) -> list[tuple[str, str, str, int]]:  # fmt: skip
    """(period, kind, status, count) of the orders of kinds `area`.* submitted in [start, end) that the actor sees."""
    wo = WorkOrder.__table__.c
    stmt = select(wo.created_at, wo.kind, wo.status).where(
        orders.readable(actor), wo.kind.like(f"{area}.%"), wo.created_at >= start, wo.created_at < end
    )  # fmt: skip
    counts: Counter[tuple[str, str, str]] = Counter()
    # Bucketed here, in Beijing time, the same on both backends; at city scale this wants issue 8's rollups.
    for created, kind, status in await db.execute(stmt):
        counts[(bucket(created, grain), kind, status.value)] += 1
    return [(b, k, s, n) for (b, k, s), n in sorted(counts.items())]
