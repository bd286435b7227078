"""One source of the current time, always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UTC = UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing (the calendar carriers, platforms and people go by)."""
    return (now or utcnow()).astimezone(SHANGHAI).date()
