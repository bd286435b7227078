"""SLA clocks in working time (issue 4, deliverable 3).

A clock is a target in working seconds and the history of when it ran: it starts when the order (or
step) starts, pauses while the order waits on the applicant, and resumes when they answer. Elapsed
time is the working time of the running intervals only, on the government calendar, so a pause
survives anything else that happens to the order (re-assignment changes the assignee, not the
intervals). At 75 % of the target the clock warns; past it, it is breached.

This module is pure: it computes from the intervals; the engine stores them and fires the events.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from core.workcalendar import Calendar

WARN_AT = 0.75


class SlaState(str, enum.Enum):
    ON_TRACK = "ON_TRACK"
    WARNING = "WARNING"  # 75 % of the target used
    BREACHED = "BREACHED"


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime | None = None  # None: running now


@dataclass(frozen=True)
class SlaClock:
    target_seconds: int
    intervals: tuple[Interval, ...] = field(default_factory=tuple)

    @property
    def running(self) -> bool:
        return bool(self.intervals) and self.intervals[-1].end is None

    def start(self, at: datetime) -> SlaClock:
        if self.running:
            raise ValueError("the clock is already running")
        if self.intervals and at < (self.intervals[-1].end or at):
            raise ValueError("a clock cannot resume before it paused")
        return SlaClock(self.target_seconds, (*self.intervals, Interval(at)))

    def pause(self, at: datetime) -> SlaClock:
        if not self.running:
            raise ValueError("the clock is not running")
        last = self.intervals[-1]
        if at < last.start:
            raise ValueError("a clock cannot pause before it started")
        return SlaClock(self.target_seconds, (*self.intervals[:-1], Interval(last.start, at)))

    resume = start

    def elapsed(self, calendar: Calendar, now: datetime) -> int:
        """Working seconds the clock has run (a running interval counts up to `now`)."""
        return sum(calendar.working_seconds(i.start, i.end or now) for i in self.intervals)

    def state(self, calendar: Calendar, now: datetime) -> SlaState:
        used = self.elapsed(calendar, now)
        if used > self.target_seconds:
            return SlaState.BREACHED
        if used >= WARN_AT * self.target_seconds:
            return SlaState.WARNING
        return SlaState.ON_TRACK

    def due(self, calendar: Calendar, now: datetime) -> datetime | None:
        """When the target will be reached if the clock keeps running (None while paused)."""
        if not self.running:
            return None
        remaining = max(0, self.target_seconds - self.elapsed(calendar, now))
        return calendar.add_working(now, remaining)

    def warn_at(self, calendar: Calendar, now: datetime) -> datetime | None:
        """When the 75 % warning falls due if the clock keeps running (None while paused or already past)."""
        if not self.running:
            return None
        remaining = int(WARN_AT * self.target_seconds) - self.elapsed(calendar, now)
        return calendar.add_working(now, remaining) if remaining > 0 else None
