"""The HTTP client every platform integration builds on, and a gateway for platforms with the plain `/ops` contract.

`PlatformClient.call` sends one JSON request with an `Idempotency-Key`, turns the answer into a dict or a typed
failure (`PlatformUnavailable`: worth retrying; `PlatformRejected`: not), and hands every exchange, whatever its
end, to the interface log as a redacted `CallRecord`.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from core.clock import UTC, utcnow
from domain.integration.ports import (
    CallDirection,
    CallOutcome,
    CallRecord,
    CallRecorder,
    clip,
    current_order_id,
    redact,
    redact_url,
)
from domain.workorders.ports import DispatchAnswer, DispatchResult, PlatformRejected, PlatformUnavailable

log = logging.getLogger(__name__)

TEXT_KEPT = 2000  # characters of a non-JSON answer (an HTML error page) kept in the log


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); None if absent or bad."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or utcnow())).total_seconds())


def _read_body(response: httpx.Response) -> tuple[Any, str]:
    """(parsed JSON or None, raw text); a body that is not JSON parses to None."""
    text = response.text
    if not text.strip():
        return None, text
    try:
        return response.json(), text
    except ValueError:
        return None, text


def _logged(parsed: Any, text: str) -> dict[str, Any] | None:
    """What the log keeps of an answer: the JSON object, other JSON wrapped, or the head of the text."""
    if isinstance(parsed, dict):
        return parsed
    if parsed is not None:
        return {"_json": parsed}
    return {"_text": text[:TEXT_KEPT]} if text.strip() else None


def _said(body: Any, *names: str) -> str | None:
    """The first non-empty string member of an error body among `names`."""
    if isinstance(body, dict):
        for name in names:
            value = body.get(name)
            if isinstance(value, str) and value:
                return value
    return None


class PlatformClient:
    """One platform's HTTP endpoint: JSON in and out, typed failures, and every exchange recorded."""

    def __init__(
        self,
        platform: str,
        base_url: str,
        *,
        timeout: float = 10.0,
        headers: dict[str, str] | None = None,
        recorder: CallRecorder | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.platform = platform
        self.timeout = timeout
        self.recorder = recorder
        # Auth headers ride on every request but never reach the log: only the JSON payload is recorded.
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, headers={"Accept": "application/json", **(headers or {})}, transport=transport
        )

    async def __aenter__(self) -> PlatformClient:
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        operation: str,
        path: str,
        payload: dict[str, Any] | None,
        *,
        idempotency_key: str | None,
        method: str = "POST",
        order_id: int | None = None,
    ) -> dict[str, Any]:
        """Send one request and return the 2xx JSON object; raises PlatformUnavailable or PlatformRejected."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
        request = self._http.build_request(method, path, json=payload, headers=headers)
        started_at, start = utcnow(), time.perf_counter()
        status: int | None = None
        logged: dict[str, Any] | None = None
        failure: Exception | None = None
        answer: dict[str, Any] = {}
        where = f"{self.platform} {operation}"
        try:
            response = await self._http.send(request)
        except httpx.TimeoutException as error:
            outcome = CallOutcome.TIMEOUT
            failure = PlatformUnavailable(f"{where}: no answer within {self.timeout:g}s ({type(error).__name__})")
        except httpx.TransportError as error:
            outcome = CallOutcome.UNREACHABLE
            failure = PlatformUnavailable(f"{where}: unreachable ({type(error).__name__}: {error})")
        else:
            status = response.status_code
            parsed, text = _read_body(response)
            logged = _logged(parsed, text)
            outcome, failure = self._classify(where, response, parsed, text)
            if failure is None:
                answer = parsed if isinstance(parsed, dict) else {}
        latency_ms = round((time.perf_counter() - start) * 1000)
        await self._record(
            CallRecord(
                platform=self.platform, operation=operation, direction=CallDirection.OUTBOUND, method=method.upper(),
                url=redact_url(str(request.url)), idempotency_key=idempotency_key, request=clip(redact(payload)),
                response=clip(redact(logged)), status_code=status, latency_ms=latency_ms, outcome=outcome,
                error=str(failure) if failure is not None else None, started_at=started_at,
                order_id=order_id if order_id is not None else current_order_id.get(),
            )
        )  # fmt: skip
        if failure is not None:
            raise failure
        return answer

    def _classify(self, where: str, response: httpx.Response, parsed: Any, text: str) -> tuple[CallOutcome, Exception | None]:
        status = response.status_code
        if 200 <= status < 300:
            if isinstance(parsed, dict) or (parsed is None and not text.strip()):
                return CallOutcome.OK, None  # an empty 2xx (204) is an empty answer
            # The work may be done: a retry with the same key gets the platform's stored answer again.
            return CallOutcome.FAILED, PlatformUnavailable(f"{where}: HTTP {status} without a JSON object")
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429:
            return CallOutcome.THROTTLED, PlatformUnavailable(f"{where}: HTTP 429 (throttled)", retry_after)
        if status >= 500:
            detail = _said(parsed, "message", "error_description", "error")
            return CallOutcome.FAILED, PlatformUnavailable(
                f"{where}: HTTP {status}" + (f" ({detail})" if detail else ""), retry_after
            )
        message = _said(parsed, "message", "error_description", "detail", "error") or f"{where}: HTTP {status}"
        code = _said(parsed, "code", "error") or f"HTTP_{status}"
        # 3xx lands here too: redirects are not followed, a moved endpoint is a configuration error.
        return CallOutcome.REJECTED, PlatformRejected(message, code)

    async def _record(self, record: CallRecord) -> None:
        if self.recorder is None:
            return
        try:
            await self.recorder(record)
        except Exception:  # the log must never turn a done call into a failed one
            log.exception("interface log: could not record %s %s", record.platform, record.operation)


def dispatch_result(answer: dict[str, Any]) -> DispatchResult:
    """Map `{"status", "result", "reference"}` to a DispatchResult; any other status is refused (a contract breach)."""
    status, result, reference = answer.get("status"), answer.get("result"), answer.get("reference")
    if status not in (DispatchAnswer.CONFIRMED.value, DispatchAnswer.ACCEPTED.value):
        raise PlatformRejected(f"unexpected answer status {status!r}", "UNEXPECTED_ANSWER")
    if result is not None and not isinstance(result, dict):
        raise PlatformRejected("the answer's result is not an object", "UNEXPECTED_ANSWER")
    return DispatchResult(DispatchAnswer(status), dict(result or {}), None if reference is None else str(reference))


class SimplePlatformGateway:
    """The DispatchGateway port for platforms with the plain contract: POST /ops/{operation} with the payload."""

    def __init__(self, client: PlatformClient, prefix: str = "/ops") -> None:
        self.client = client
        self.platform = client.platform
        self.prefix = prefix.rstrip("/")

    async def send(
        self, operation: str, payload: dict[str, Any], *, idempotency_key: str, order_id: int | None = None
    ) -> DispatchResult:
        """Send one operation; CONFIRMED or ACCEPTED, else PlatformUnavailable / PlatformRejected."""
        path = f"{self.prefix}/{quote(operation, safe='')}"
        answer = await self.client.call(operation, path, payload, idempotency_key=idempotency_key, order_id=order_id)
        return dispatch_result(answer)
