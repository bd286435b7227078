"""Working time on the Chinese government calendar: holidays, make-up working days, working hours."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from core.clock import SHANGHAI, UTC
from core.workcalendar import WorkCalendar, is_workday

CAL = WorkCalendar.from_spec("09:00-12:00,13:30-17:30")  # 7 working hours a day


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_the_2026_national_day_and_mid_autumn_schedule():
    assert not is_workday(date(2026, 9, 25))  # Mid-Autumn Festival (Friday)
    assert is_workday(date(2026, 9, 30))
    assert not any(is_workday(date(2026, 10, d)) for d in range(1, 8))  # National Day week
    assert is_workday(date(2026, 10, 10))  # Saturday make-up working day
    assert not is_workday(date(2026, 10, 11))


def test_working_seconds_across_national_day_count_only_working_hours():
    assert CAL.seconds_per_day == 7 * 3600
    # Wed 30 Sep 16:30 -> Sat 10 Oct 12:00: 1 h on the 30th, two full days (8th, 9th), 3 h on the make-up Saturday.
    assert CAL.working_seconds(bj(2026, 9, 30, 16, 30), bj(2026, 10, 10, 12, 0)) == 3600 + 2 * 7 * 3600 + 3 * 3600
    assert CAL.working_seconds(bj(2026, 10, 1, 9, 0), bj(2026, 10, 7, 18, 0)) == 0  # the holiday week
    assert CAL.working_seconds(bj(2026, 10, 8, 12, 0), bj(2026, 10, 8, 13, 30)) == 0  # lunch
    assert CAL.working_seconds(bj(2026, 10, 9, 10, 0), bj(2026, 10, 9, 9, 0)) == 0  # end before start


def test_a_due_time_skips_the_holiday_and_lands_in_working_hours():
    due = CAL.add_working(bj(2026, 9, 30, 16, 30), 2 * 3600)  # 1 h left on the 30th, the next hour on Thu 8 Oct
    assert due == bj(2026, 10, 8, 10, 0).astimezone(UTC)
    assert CAL.add_working(bj(2026, 10, 8, 11, 0), 5400) == bj(2026, 10, 8, 14, 0).astimezone(UTC)  # over lunch
    assert CAL.add_working(bj(2026, 10, 8, 11, 0), 3600) == bj(2026, 10, 8, 12, 0).astimezone(UTC)  # exactly to the break
    assert CAL.add_working(bj(2026, 10, 9, 17, 0), 3600) == bj(2026, 10, 10, 9, 30).astimezone(UTC)  # into the make-up day
    assert CAL.next_working_instant(bj(2026, 10, 3, 8, 0)) == bj(2026, 10, 8, 9, 0).astimezone(UTC)
    start = bj(2026, 9, 30, 16, 30)
    assert CAL.working_seconds(start, CAL.add_working(start, 12345)) == 12345  # the two agree


def test_a_year_without_a_published_schedule_counts_weekdays_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="core.workcalendar"):
        assert is_workday(date(2099, 1, 5)) and not is_workday(date(2099, 1, 3))  # Monday, Saturday
    assert "2099" in caplog.text


def test_malformed_working_hours_are_refused():
    for spec in ("9-12", "12:00-09:00", "09:00-12:00,11:00-13:00"):
        with pytest.raises(ValueError):
            WorkCalendar.from_spec(spec)
    from pydantic import ValidationError

    from core.settings import Profile, Settings

    with pytest.raises(ValidationError):
        Settings(profile=Profile.DEMO, working_hours="all day")
