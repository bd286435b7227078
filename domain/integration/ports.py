"""What integrations hand to the interface log: one `CallRecord` per HTTP exchange, already redacted.

Integrations import this module only (never models or repository): they build a record with `redact`
and `clip` applied, and give it to a `CallRecorder`, which the caller wires to `repository.record_call`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from core.db.encrypted import mask
from domain.integration.enums import CallDirection, CallOutcome

__all__ = [
    "MASK",
    "RESPONSE_LIMIT",
    "CallDirection",
    "CallOutcome",
    "CallRecord",
    "CallRecorder",
    "clip",
    "current_order_id",
    "is_secret_name",
    "redact",
    "redact_url",
]

MASK = "***"
# A name is secret when, lower-cased and without "_"/"-", it contains one of these...
SECRET_PARTS = (
    "password", "passwd", "secret", "token", "authorization", "signature", "credential", "privatekey", "apikey",
    "accesskey", "idnumber", "idcard",
)  # fmt: skip
# ...or is exactly one of these (a bare "key" is secret; "idempotencyKey" or "keyId" are not).
SECRET_NAMES = frozenset({"key", "pin", "otp", "idno", "sfzh"})  # sfzh: 身份证号, as Chinese platforms spell the ID number
RESPONSE_LIMIT = 16_000  # characters of JSON kept of one request or response body


def is_secret_name(name: str) -> bool:
    """Whether a field of this name holds a secret or a personal identifier (case-insensitive)."""
    flat = name.lower().replace("_", "").replace("-", "")
    return flat in SECRET_NAMES or any(part in flat for part in SECRET_PARTS)


# Personal numbers are masked in the middle ('139****5678'): enough to tell them apart, not to use them.
PERSONAL_PARTS = ("phone", "msisdn", "mobile", "email")


def is_personal_name(name: str) -> bool:
    flat = name.lower().replace("_", "").replace("-", "")
    return any(part in flat for part in PERSONAL_PARTS)


def _redacted(key: str, value: Any) -> Any:
    if value is None:
        return None
    if is_secret_name(key):
        return MASK
    if is_personal_name(key) and isinstance(value, str):
        return mask(value)
    return redact(value)


def redact(obj: Any) -> Any:
    """A deep copy of dicts and lists with the value of every secret-named key replaced by "***", and personal numbers
    (phones, MSISDNs, e-mail addresses) masked in the middle; None stays None. For logs, history and API output."""
    if isinstance(obj, dict):
        return {k: _redacted(str(k), v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [redact(v) for v in obj]
    return obj


def redact_url(url: str) -> str:
    """The URL with the values of secret-named query parameters replaced by "***"."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, MASK if is_secret_name(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def clip(obj: dict[str, Any] | None, limit: int = RESPONSE_LIMIT) -> dict[str, Any] | None:
    """The body as is when its JSON fits in `limit` characters, else its head as text (a log row stays small)."""
    if obj is None:
        return None
    text = orjson.dumps(obj, default=str).decode()
    if len(text) <= limit:
        return obj
    return {"_truncated": True, "_chars": len(text), "_head": text[:limit]}


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecord:
    """One HTTP exchange with a platform, as the interface log keeps it; bodies are redacted and clipped."""

    platform: str
    operation: str
    direction: CallDirection
    method: str
    url: str
    idempotency_key: str | None
    request: dict[str, Any] | None
    response: dict[str, Any] | None
    status_code: int | None  # None when no answer came (unreachable, timeout)
    latency_ms: int
    outcome: CallOutcome
    error: str | None = None
    started_at: datetime  # timezone-aware UTC
    order_id: int | None = None  # the work order the call served, when there is one


# Where integrations hand their records; it must not raise into the call it records (callers log and go on).
CallRecorder = Callable[[CallRecord], Awaitable[None]]

# The work order a call serves. The DispatchGateway port takes no order id, so the dispatch job sets this around
# `gateway.send(...)` and clients copy it into their records (an explicit `order_id=` wins).
current_order_id: ContextVar[int | None] = ContextVar("interface_call_order_id", default=None)
