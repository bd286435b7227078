"""Errors the kernel and the domain raise; the schema maps them to GraphQL."""

from __future__ import annotations

import enum


class DomainError(Exception):
    """An expected failure: becomes a payload error with a code, a field and a bilingual message."""

    def __init__(self, code: enum.Enum, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class DomainErrors(Exception):
    """Several expected failures at once (input validation reports every bad field)."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class AccessError(Exception):
    """Authentication or permission failure: a top-level error with extensions.code."""

    code = "FORBIDDEN"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(AccessError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "未登录或登录已过期 / Authentication required") -> None:
        super().__init__(message)


class Forbidden(AccessError):
    code = "FORBIDDEN"
