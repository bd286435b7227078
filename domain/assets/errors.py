"""Asset error codes (machine-readable) with bilingual messages."""

from __future__ import annotations

import enum

from core.errors import DomainError


class AssetErrorCode(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE_SERIAL = "DUPLICATE_SERIAL"
    DUPLICATE_MODEL = "DUPLICATE_MODEL"
    STALE_STATE = "STALE_STATE"
    IMPORT_REFUSED = "IMPORT_REFUSED"  # the workbook has problems: the report lists them, nothing was imported


Code = AssetErrorCode


def error(code: AssetErrorCode, message: str, field: str | None = None) -> DomainError:
    return DomainError(code, message, field)
