"""Working time on the Chinese government calendar (issue 4: SLA clocks).

Which days are working days comes from `chinese_calendar` (statutory holidays and the make-up
working days the State Council announces each year, e.g. Saturday 2026-10-10 after National Day);
the working hours of a day come from settings (GOVOPS_WORKING_HOURS, Asia/Shanghai). Every figure is
computed in Beijing time and returned as aware UTC datetimes or whole seconds.

The library knows a year only once the State Council has published its schedule (usually in
November or December for the next year). For a year it does not know yet, Monday to Friday count as
working days and a warning is logged once per year: an SLA running into the next January must not
fail, and the estimate is corrected as soon as the library is upgraded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise

import chinese_calendar

from core.clock import SHANGHAI, UTC

log = logging.getLogger(__name__)
_UNKNOWN_YEARS_WARNED: set[int] = set()


def _parse_hours(spec: str) -> tuple[tuple[time, time], ...]:
    """'09:00-12:00,13:30-17:30' -> ((09:00, 12:00), (13:30, 17:30)); ordered, non-overlapping."""
    spans = []
    for part in spec.split(","):
        start_text, sep, end_text = part.strip().partition("-")
        if not sep:
            raise ValueError(f"working hours must look like 09:00-12:00,13:30-17:30, got {spec!r}")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        if end <= start:
            raise ValueError(f"working span {part.strip()} ends before it starts")
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in pairwise(spans):
        if start < end:
            raise ValueError(f"working spans overlap in {spec!r}")
    return tuple(spans)


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the State Council has not published yet
        if day.year not in _UNKNOWN_YEARS_WARNED:
            _UNKNOWN_YEARS_WARNED.add(day.year)
            log.warning("no holiday schedule for %s yet: counting Monday to Friday as working days", day.year)
        return day.weekday() < 5


@dataclass(frozen=True)
class WorkCalendar:
    """Working time arithmetic for one set of working hours."""

    spans: tuple[tuple[time, time], ...]

    @classmethod
    def from_spec(cls, spec: str) -> WorkCalendar:
        return cls(_parse_hours(spec))

    @property
    def seconds_per_day(self) -> int:
        return sum(_seconds(end) - _seconds(start) for start, end in self.spans)

    def _day_spans(self, day: date) -> list[tuple[datetime, datetime]]:
        if not is_workday(day):
            return []
        return [(datetime.combine(day, s, SHANGHAI), datetime.combine(day, e, SHANGHAI)) for s, e in self.spans]

    def working_seconds(self, start: datetime, end: datetime) -> int:
        """Working time between two instants (0 when end is not after start)."""
        if end <= start:
            return 0
        start, end = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        total = 0.0
        day = start.date()
        while day <= end.date():
            for span_start, span_end in self._day_spans(day):
                overlap = (min(span_end, end) - max(span_start, start)).total_seconds()
                if overlap > 0:
                    total += overlap
            day += timedelta(days=1)
        return int(total)

    def add_working(self, start: datetime, seconds: int) -> datetime:
        """The instant at which `seconds` of working time have passed since `start` (a due time)."""
        if seconds < 0:
            raise ValueError("working time to add must not be negative")
        if self.seconds_per_day <= 0:
            raise ValueError("no working hours configured")
        local = start.astimezone(SHANGHAI)
        remaining = float(seconds)
        day = local.date()
        for _ in range(3660):  # ten years of days: far beyond any SLA
            for span_start, span_end in self._day_spans(day):
                begin = max(span_start, local)
                if begin >= span_end:
                    continue
                available = (span_end - begin).total_seconds()
                if remaining <= available:
                    return (begin + timedelta(seconds=remaining)).astimezone(UTC)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("working time too long to place on the calendar")

    def next_working_instant(self, at: datetime) -> datetime:
        """`at` itself when it falls in working hours, else the start of the next working span."""
        return self.add_working(at, 0)


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class AroundTheClock:
    """Every second counts, nights and holidays too: the clock of an outage (a fault's response and repair times)."""

    def working_seconds(self, start: datetime, end: datetime) -> int:
        return max(0, int((end - start).total_seconds()))

    def add_working(self, start: datetime, seconds: int) -> datetime:
        if seconds < 0:
            raise ValueError("time to add must not be negative")
        return (start + timedelta(seconds=seconds)).astimezone(UTC)

    def next_working_instant(self, at: datetime) -> datetime:
        return at.astimezone(UTC)


Calendar = WorkCalendar | AroundTheClock
