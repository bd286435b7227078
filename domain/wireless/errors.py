"""Wireless error codes (machine-readable) with bilingual messages."""

from __future__ import annotations

import enum

from core.errors import DomainError


class WirelessErrorCode(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE_CARD = "DUPLICATE_CARD"
    PLAN_OF_ANOTHER_CARRIER = "PLAN_OF_ANOTHER_CARRIER"
    UNKNOWN_APPLICATION = "UNKNOWN_APPLICATION"


Code = WirelessErrorCode


def error(code: WirelessErrorCode, message: str, field: str | None = None) -> DomainError:
    return DomainError(code, message, field)
