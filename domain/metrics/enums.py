"""Resolutions, their retention, and the aggregates a panel may ask for."""

from __future__ import annotations

import enum
from datetime import timedelta


class Resolution(str, enum.Enum):
    RAW = "RAW"  # the samples as they came (every 5 minutes from the platforms)
    HOUR = "HOUR"
    DAY = "DAY"  # a Beijing calendar day


class Aggregate(str, enum.Enum):
    AVG = "AVG"
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"


RETENTION = {Resolution.RAW: timedelta(days=35), Resolution.HOUR: timedelta(days=400), Resolution.DAY: timedelta(days=5 * 366)}
WIDTH = {Resolution.HOUR: timedelta(hours=1), Resolution.DAY: timedelta(days=1)}
