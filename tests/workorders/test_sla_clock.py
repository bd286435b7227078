"""SLA clocks count working time only while running; pauses hold across anything else."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.clock import SHANGHAI, UTC
from core.workcalendar import WorkCalendar
from domain.workorders.sla import SlaClock, SlaState

CAL = WorkCalendar.from_spec("09:00-12:00,13:30-17:30")
HOUR = 3600


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_a_clock_over_national_day_with_a_pause_for_the_applicant():
    clock = SlaClock(8 * HOUR).start(bj(2026, 9, 30, 15, 30))  # 2 h left that Wednesday
    clock = clock.pause(bj(2026, 9, 30, 16, 30))  # 1 h run, then waiting on the applicant
    assert clock.elapsed(CAL, bj(2026, 10, 9, 12, 0)) == HOUR  # paused: the holiday and two days do not count
    assert clock.due(CAL, bj(2026, 10, 9, 12, 0)) is None
    clock = clock.resume(bj(2026, 10, 9, 9, 0))  # the applicant answered on Friday the 9th
    now = bj(2026, 10, 9, 14, 30)
    assert clock.elapsed(CAL, now) == HOUR + 3 * HOUR + HOUR  # 1 h before + the morning + 13:30-14:30
    assert clock.state(CAL, now) == SlaState.ON_TRACK  # 5 of 8 h
    # 3 h left from 14:30: 14:30-17:30 on Friday, so due exactly at 17:30.
    assert clock.due(CAL, now) == bj(2026, 10, 9, 17, 30).astimezone(UTC)
    # The 75 % warning (6 h) falls an hour later, at 15:30.
    assert clock.warn_at(CAL, now) == bj(2026, 10, 9, 15, 30).astimezone(UTC)
    assert clock.state(CAL, bj(2026, 10, 9, 15, 30)) == SlaState.WARNING
    assert clock.state(CAL, bj(2026, 10, 10, 9, 1)) == SlaState.BREACHED  # a minute into the make-up Saturday


def test_a_clock_refuses_impossible_histories():
    clock = SlaClock(HOUR).start(bj(2026, 10, 8, 9, 0))
    with pytest.raises(ValueError, match="already running"):
        clock.start(bj(2026, 10, 8, 10, 0))
    with pytest.raises(ValueError, match="before it started"):
        clock.pause(bj(2026, 10, 8, 8, 0))
    paused = clock.pause(bj(2026, 10, 8, 10, 0))
    with pytest.raises(ValueError, match="not running"):
        paused.pause(bj(2026, 10, 8, 11, 0))
    with pytest.raises(ValueError, match="before it paused"):
        paused.resume(bj(2026, 10, 8, 9, 30))
