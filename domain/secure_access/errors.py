"""Secure access error codes (machine-readable) with bilingual messages."""

from __future__ import annotations

import enum

from core.errors import DomainError


class SecureAccessErrorCode(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE_ACCOUNT = "DUPLICATE_ACCOUNT"
    STALE_STATE = "STALE_STATE"


Code = SecureAccessErrorCode


def error(code: SecureAccessErrorCode, message: str, field: str | None = None) -> DomainError:
    return DomainError(code, message, field)
