"""Alert error codes (machine-readable) with bilingual messages."""

from __future__ import annotations

import enum

from core.errors import DomainError


class AlertErrorCode(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    STALE_STATE = "STALE_STATE"


Code = AlertErrorCode


def error(code: AlertErrorCode, message: str, field: str | None = None) -> DomainError:
    return DomainError(code, message, field)
