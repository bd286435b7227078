"""What a platform simulator knows and does apart from HTTP: its record of done work, armed failures, callbacks.

Kept apart from the endpoints (simulator.py) so tests and the demo can build, drive and inspect it directly.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from core.clock import utcnow
from integrations.base.signing import signed_headers

log = logging.getLogger(__name__)

FAIL_MODES = ("down", "drop", "slow", "429", "500", "reject", "duplicate_callback")
ANSWER_MODES = ("CONFIRMED", "ACCEPTED")
BODY_KEPT = 2000  # characters of a callback's answer kept in `callbacks`

# A handler does the operation's work: it returns the platform's result or raises SimRejection.
Handler = Callable[["SimulatorState", dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]]
# Delivers one callback: (url, body, headers) -> the answer. The default posts with httpx; tests may use an ASGITransport.
CallbackSender = Callable[[str, bytes, dict[str, str]], Awaitable[httpx.Response]]


class SimRejection(Exception):
    """A handler's refusal: a 4xx answer in CONFIRMED mode, a FAILED callback in ACCEPTED mode."""

    def __init__(self, code: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class FailRule:
    """The next `remaining` calls (None: until cleared), of one operation or of any, fail this way."""

    mode: str
    remaining: int | None
    operation: str | None = None

    def matches(self, operation: str) -> bool:
        return self.operation is None or self.operation == operation


@dataclass
class CallbackSettings:
    """Where and how ACCEPTED work is confirmed: a signed call of GovOps's persisted confirm mutation, by hash."""

    url: str | None = None
    api_key: str = ""
    secret: str = ""
    document_hash: str = ""  # sha256 of operations/workOrderDispatchConfirm.graphql
    delay_seconds: float = 0.5
    attempts: int = 3  # deliveries tried on a 5xx, a 429 or no answer
    retry_seconds: float = 1.0
    fail_message: str | None = None  # set: every callback reports FAILED with this message
    send: CallbackSender | None = None

    def public(self) -> dict[str, Any]:
        return {
            "url": self.url, "api_key": self.api_key, "secret": "***" if self.secret else "",
            "document_hash": self.document_hash, "delay_seconds": self.delay_seconds, "attempts": self.attempts,
            "retry_seconds": self.retry_seconds, "fail_message": self.fail_message,
        }  # fmt: skip


async def post_callback(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """The default sender: one POST over the network."""
    async with httpx.AsyncClient(timeout=10.0) as http:
        return await http.post(url, content=body, headers=headers)


@dataclass
class SimulatorState:
    """Everything one simulated platform knows; the HTTP app keeps it as `app.state.sim`."""

    name: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    strict: bool = False  # only the handlers' operations exist (else any name is confirmed with an empty result)
    # idempotency key -> the platform's own record of the work: a repeated key gets the first answer back.
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: int = 0
    calls_by_operation: Counter[str] = field(default_factory=Counter)
    replays: int = 0  # calls answered from `accepted` without doing the work again
    failures: list[FailRule] = field(default_factory=list)
    latency_seconds: float = 0.0
    slow_seconds: float = 30.0  # how long "slow" stalls: past any sensible client timeout
    retry_after: int = 1  # the Retry-After of a "429" (0 is allowed)
    default_mode: str = "CONFIRMED"
    modes: dict[str, str] = field(default_factory=dict)  # operation -> CONFIRMED | ACCEPTED
    callback: CallbackSettings = field(default_factory=CallbackSettings)
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # every delivery attempt, in order
    _sequence: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    in_progress: dict[str, asyncio.Event] = field(default_factory=dict)  # keys being worked on right now

    # --- failures ----------------------------------------------------------------------------------------------

    def fail(self, mode: str, times: int | None = 1, *, operation: str | None = None) -> None:
        """Arm a failure for the next `times` calls (None: until cleared), optionally of one operation only."""
        if mode not in FAIL_MODES:
            raise ValueError(f"mode must be one of {', '.join(FAIL_MODES)}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for until cleared")
        self.failures.append(FailRule(mode, times, operation))

    def clear_failures(self) -> None:
        self.failures.clear()

    def take_failure(self, operation: str, *, callback: bool = False) -> FailRule | None:
        """Consume one armed rule for this call (call rules) or this callback (duplicate_callback), oldest first."""
        for rule in self.failures:
            if rule.matches(operation) and (rule.mode == "duplicate_callback") == callback:
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self.failures.remove(rule)
                return rule
        return None

    # --- the work ----------------------------------------------------------------------------------------------

    def mode_of(self, operation: str) -> str:
        return self.modes.get(operation, self.default_mode)

    def next_reference(self) -> str:
        self._sequence += 1
        return f"{self.name.upper()}-{self._sequence:06d}"

    async def run_handler(self, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The operation's work: its handler, or by default an empty result."""
        handler = self.handlers.get(operation)
        if handler is None:
            return {}
        result = handler(self, payload)
        if inspect.isawaitable(result):
            result = await result
        if not isinstance(result, dict):
            raise TypeError(f"the handler of {operation} returned {type(result).__name__}, not a dict")
        return result

    # --- callbacks ---------------------------------------------------------------------------------------------

    def schedule_callback(self, key: str) -> None:
        """Finish ACCEPTED work later and call back, in a background task that `flush_callbacks` waits for."""
        duplicate = self.take_failure(self.accepted[key]["operation"], callback=True) is not None
        task = asyncio.get_running_loop().create_task(self._complete(key, 2 if duplicate else 1))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush_callbacks(self) -> None:
        """Wait until every scheduled callback (and any scheduled meanwhile) has been delivered or given up."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _complete(self, key: str, copies: int) -> None:
        try:
            await asyncio.sleep(self.callback.delay_seconds)
            entry = self.accepted[key]
            try:
                entry["result"] = await self.run_handler(entry["operation"], entry["payload"])
                entry["outcome"], entry["message"] = "CONFIRMED", None
            except SimRejection as refusal:
                entry["result"], entry["outcome"], entry["message"] = {}, "FAILED", refusal.message
            if self.callback.fail_message is not None:
                entry["result"], entry["outcome"], entry["message"] = {}, "FAILED", self.callback.fail_message
            body = orjson.dumps(self.callback_body(key))
            for _ in range(copies):  # a duplicate is the same body, signed afresh as a platform's re-delivery is
                await self._deliver(key, body)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("simulator %s: the callback for %s failed", self.name, key)

    def callback_body(self, key: str) -> dict[str, Any]:
        """The persisted-operation request a third party sends: the document by hash, and the outcome as input."""
        entry = self.accepted[key]
        return {
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": self.callback.document_hash}},
            "variables": {
                "input": {
                    "idempotencyKey": key, "outcome": entry["outcome"], "result": entry["result"],
                    "reference": entry["reference"], "message": entry["message"],
                }
            },
        }  # fmt: skip

    async def _deliver(self, key: str, body: bytes) -> None:
        settings = self.callback
        if not settings.url:
            self.callbacks.append({"idempotency_key": key, "status": None, "error": "no callback url configured"})
            return
        send = settings.send or post_callback
        path = urlsplit(settings.url).path or "/"
        for attempt in range(1, max(1, settings.attempts) + 1):
            headers = signed_headers(settings.api_key, settings.secret, "POST", path, body)
            sent: dict[str, Any] = {"idempotency_key": key, "attempt": attempt, "body": body.decode(), "headers": headers}
            try:
                response = await send(settings.url, body, headers)
            except httpx.HTTPError as error:
                sent |= {"status": None, "error": f"{type(error).__name__}: {error}"}
            else:
                sent |= {"status": response.status_code, "answer": response.text[:BODY_KEPT], "error": None}
            self.callbacks.append(sent)
            status = sent["status"]
            # 2xx: delivered. Another 4xx: our request is wrong (key, signature), sending it again cannot help.
            if status is not None and (status < 300 or (400 <= status < 500 and status != 429)):
                return
            if attempt < settings.attempts:
                await asyncio.sleep(settings.retry_seconds)

    # --- control -----------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh platform: forget work, calls, failures and settings; keep the handlers and the callback wiring."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        for busy in self.in_progress.values():  # release callers waiting on a key that no longer means anything
            busy.set()
        self.in_progress.clear()
        self.accepted.clear()
        self.callbacks.clear()
        self.failures.clear()
        self.modes.clear()
        self.calls_by_operation.clear()
        self.calls = self.replays = self._sequence = 0
        self.latency_seconds, self.slow_seconds, self.retry_after, self.default_mode = 0.0, 30.0, 1, "CONFIRMED"

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """Apply settings from a /_sim/config body; unknown names are refused."""
        known = {"latency_seconds", "slow_seconds", "retry_after", "default_mode", "modes", "callback"}
        if unknown := set(body) - known:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        modes = dict(body.get("modes") or {})
        for mode in [body.get("default_mode", self.default_mode), *modes.values()]:
            if mode not in ANSWER_MODES:
                raise ValueError(f"a mode must be one of {', '.join(ANSWER_MODES)}")
        callback = dict(body.get("callback") or {})
        fields = {"url", "api_key", "secret", "document_hash", "delay_seconds", "attempts", "retry_seconds", "fail_message"}
        if unknown := set(callback) - fields:
            raise ValueError(f"unknown callback settings: {', '.join(sorted(unknown))}")
        for name in ("latency_seconds", "slow_seconds"):
            if name in body:
                setattr(self, name, float(body[name]))
        if "retry_after" in body:
            self.retry_after = max(0, int(body["retry_after"]))
        self.default_mode = body.get("default_mode", self.default_mode)
        self.modes.update(modes)
        for name, value in callback.items():
            number = {"delay_seconds": float, "retry_seconds": float, "attempts": int}.get(name)
            setattr(self.callback, name, number(value) if number else value)
        return self.config()

    def config(self) -> dict[str, Any]:
        return {
            "latency_seconds": self.latency_seconds, "slow_seconds": self.slow_seconds, "retry_after": self.retry_after,
            "default_mode": self.default_mode, "modes": dict(self.modes), "callback": self.callback.public(),
        }  # fmt: skip

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "calls": self.calls,
            "calls_by_operation": dict(self.calls_by_operation),
            "replays": self.replays,
            "accepted": self.accepted,
            "failures": [vars(rule) for rule in self.failures],
            "callbacks": [{k: v for k, v in sent.items() if k != "headers"} for sent in self.callbacks],
            "pending_callbacks": len(self._tasks),
            "config": self.config(),
            "at": utcnow().isoformat(),
        }
