"""MTBF (mean time between failures) of an asset, from its faults."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from core.clock import beijing_today


def mtbf(commissioned_on: date | None, faults: Iterable[Any], today: date | None = None) -> float | None:
    """Hours in service since commissioning per fault resolved on it (None before commissioning or without faults).
    A rejected or withdrawn report was no failure and does not count."""
    failures = sum(1 for f in faults if getattr(f.stage, "value", f.stage) == "CLOSED")
    if commissioned_on is None or not failures:
        return None
    return round(max(0, ((today or beijing_today()) - commissioned_on).days) * 24 / failures, 1)
