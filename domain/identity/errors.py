"""Identity error codes (machine-readable) with bilingual messages."""

from __future__ import annotations

import enum

from core.errors import DomainError


class IdentityErrorCode(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    DUPLICATE_CODE = "DUPLICATE_CODE"
    DUPLICATE_USERNAME = "DUPLICATE_USERNAME"
    INVALID_PARENT = "INVALID_PARENT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    UNIT_DISABLED = "UNIT_DISABLED"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    WRONG_PASSWORD = "WRONG_PASSWORD"
    DUTY_CONFLICT = "DUTY_CONFLICT"
    ROLE_UNIT_KIND_MISMATCH = "ROLE_UNIT_KIND_MISMATCH"
    UNKNOWN_PERMISSION = "UNKNOWN_PERMISSION"
    ROLE_BUILT_IN = "ROLE_BUILT_IN"
    ROLE_IN_USE = "ROLE_IN_USE"
    SELF_LOCKOUT = "SELF_LOCKOUT"
    ADMIN_PROTECTED = "ADMIN_PROTECTED"
    UNKNOWN_OPERATION = "UNKNOWN_OPERATION"
    LOGIN_CHALLENGE_INVALID = "LOGIN_CHALLENGE_INVALID"
    PASSWORD_EXPIRED = "PASSWORD_EXPIRED"
    PASSWORD_REUSED = "PASSWORD_REUSED"
    TOTP_REQUIRED = "TOTP_REQUIRED"
    TOTP_INVALID = "TOTP_INVALID"
    SSO_NOT_CONFIGURED = "SSO_NOT_CONFIGURED"
    SSO_STATE_INVALID = "SSO_STATE_INVALID"
    SSO_FAILED = "SSO_FAILED"
    SSO_UNIT_UNKNOWN = "SSO_UNIT_UNKNOWN"


def error(code: IdentityErrorCode, message: str, field: str | None = None) -> DomainError:
    return DomainError(code, message, field)


def not_found(what: str, field: str | None = "id") -> DomainError:
    return DomainError(IdentityErrorCode.NOT_FOUND, f"{what}不存在或无权访问 / {what} not found", field)
