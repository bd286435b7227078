"""What the work order engine needs from the external platforms it dispatches to (implemented in integrations/).

A gateway sends one operation of one order step to its platform with an idempotency key: the platform
does the work once however many times the key arrives. It answers either at once (CONFIRMED, with the
platform's result) or later (ACCEPTED: a callback will confirm). Failures are typed, so the dispatch
job can tell a retry from a refusal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol


class DispatchAnswer(str, enum.Enum):
    CONFIRMED = "CONFIRMED"  # done; `result` holds what the platform issued
    ACCEPTED = "ACCEPTED"  # taken; the platform confirms later through the callback mutation


@dataclass(frozen=True)
class DispatchResult:
    answer: DispatchAnswer
    result: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None  # the platform's own ticket number, when it gives one


class PlatformUnavailable(Exception):
    """Worth retrying: the platform is down, slow, overloaded (429) or failed inside (5xx)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the platform asked us to wait (Retry-After), if it said


class PlatformRejected(Exception):
    """Not worth retrying: the platform refused the request itself (4xx other than 429)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class DispatchGateway(Protocol):
    """One external platform, as the engine sees it."""

    platform: str

    async def send(self, operation: str, payload: dict[str, Any], *, idempotency_key: str) -> DispatchResult: ...
