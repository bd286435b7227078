"""SLA clocks stored: one row per clock (the order's, each step's), driven by the engine and the SLA cron."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.settings import get_settings
from core.workcalendar import AroundTheClock, Calendar, WorkCalendar
from domain.workorders.enums import SlaScope
from domain.workorders.models import WorkOrderSla
from domain.workorders.sla import Interval, SlaClock, SlaState

ORDER_STEP = ""  # the `step` of the order's own clock


@lru_cache(maxsize=8)
def _calendar(spec: str) -> WorkCalendar:
    return WorkCalendar.from_spec(spec)


def calendar() -> WorkCalendar:
    """The government calendar with the configured working hours."""
    return _calendar(get_settings().working_hours)


ALWAYS = AroundTheClock()


def calendar_of(row: WorkOrderSla) -> Calendar:
    """The calendar a clock counts on: working hours, or every hour for a clock that runs around the clock."""
    return ALWAYS if row.around_the_clock else calendar()


def to_clock(row: WorkOrderSla) -> SlaClock:
    intervals = tuple(
        Interval(datetime.fromisoformat(s), datetime.fromisoformat(e) if e else None) for s, e in row.intervals if s
    )
    return SlaClock(row.target_seconds, intervals)


def _store(row: WorkOrderSla, clock: SlaClock, now: datetime) -> None:
    cal = calendar_of(row)
    row.intervals = [[i.start.isoformat(), i.end.isoformat() if i.end else None] for i in clock.intervals]
    # The state moves only when the SLA cron fires (it writes the WARNING/BREACHED events) or at stop.
    row.due_at = None if row.breached_at else clock.due(cal, now)
    row.warn_at = None if row.warned_at or row.breached_at else clock.warn_at(cal, now)


def _final(row: WorkOrderSla, clock: SlaClock, now: datetime) -> None:
    row.stopped_at = now
    row.warn_at = row.due_at = None
    if clock.state(calendar_of(row), now) is SlaState.BREACHED:
        row.state = SlaState.BREACHED
        row.breached_at = row.breached_at or now


async def clock_of(session: AsyncSession, order_id: int, scope: SlaScope, step: str = ORDER_STEP) -> WorkOrderSla | None:
    stmt = select(WorkOrderSla).where(WorkOrderSla.order_id == order_id, WorkOrderSla.scope == scope, WorkOrderSla.step == step)
    return (await session.execute(stmt)).scalar_one_or_none()


async def start(
    session: AsyncSession, order_id: int, scope: SlaScope, step: str, hours: float | None, now: datetime, *,
    around_the_clock: bool = False, since: datetime | None = None,
) -> None:  # fmt: skip
    """Start a clock, or resume it when the order comes back to the same step (paused time stays paused).

    `since`: a new clock started earlier than now (a fault's clocks start when its alert fired)."""
    row = await clock_of(session, order_id, scope, step)
    if row is None:
        if hours is None:
            return
        row = WorkOrderSla(
            order_id=order_id, scope=scope, step=step, target_seconds=int(hours * 3600), intervals=[],
            state=SlaState.ON_TRACK, around_the_clock=around_the_clock,
        )  # fmt: skip
        session.add(row)
    clock = to_clock(row)
    if clock.running:
        return
    row.stopped_at = None
    last_end = clock.intervals[-1].end if clock.intervals else None
    at = max(now, last_end) if last_end else min(since or now, now)
    _store(row, clock.start(at), now)


async def pause(session: AsyncSession, order_id: int, scope: SlaScope, step: str, now: datetime, *, stop: bool = False) -> None:
    """Pause a running clock (waiting on the applicant), or stop it for good (`stop`: the step or order ended)."""
    row = await clock_of(session, order_id, scope, step)
    if row is None:
        return
    clock = to_clock(row)
    if clock.running:
        clock = clock.pause(now)
        _store(row, clock, now)
    if stop:
        _final(row, clock, now)


async def stop_all(session: AsyncSession, order_id: int, now: datetime) -> None:
    rows = (await session.execute(select(WorkOrderSla).where(WorkOrderSla.order_id == order_id))).scalars()
    for row in rows:
        clock = to_clock(row)
        if clock.running:
            clock = clock.pause(now)
            _store(row, clock, now)
        if row.stopped_at is None:
            _final(row, clock, now)


def elapsed(row: WorkOrderSla, now: datetime) -> int:
    return to_clock(row).elapsed(calendar_of(row), now)
