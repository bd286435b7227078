"""A simulated metric feed (integrations.base.metric_feed): what a platform measured every 5 minutes, as a log.

The log measures each 5 minutes once it is over, up to the simulator's clock: a fresh log starts `backfill` (two
hours) before its first read, so a demo just started already has curves, and it grows as the clock moves. Values
come from the platform's `measure`, a pure function of the instant (and the platform's seed), so the same clock
gives the same samples on every run. Sample ids start at 1 and only grow; the platform keeps `kept` (two days) of
samples, as a real one keeps a buffer, and a consumer that fell further behind loses the oldest.

The feed's GET meets the base simulator's armed failures (POST /_sim/fail with the feed's operation name, or none)
and latency, as /ops calls do, so a consumer's retries can be tested: down (503), 500, 429 (Retry-After), reject
(422), slow (the answer after `slow_seconds`) and drop (the page is cut off half-way).
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from core.clock import SHANGHAI
from integrations.base.metric_feed import PAGE_DEFAULT, PAGE_MAX, FeedSample
from integrations.base.sim_state import SimulatorState
from integrations.base.simulator import control_endpoint

STEP = timedelta(minutes=5)
BACKFILL = timedelta(hours=2)
KEPT = timedelta(days=2)


@dataclass(frozen=True)
class Measured:
    """One value the platform measured for a 5 minutes (the log gives it its id and instant)."""

    metric: str
    resource_type: str
    resource_key: str
    value: float
    unit_code: str | None = None
    labels: dict[str, str] = field(default_factory=dict)


Measure = Callable[[datetime], list[Measured]]  # what the platform measured in the 5 minutes from an instant


def floor_step(at: datetime) -> datetime:
    """The start of the 5 minutes `at` falls in (UTC)."""
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % 5, second=0, microsecond=0)


def working_hours(at: datetime) -> float:
    """How busy a government network is at `at`, 0.15 to 1: full in Beijing office hours (a dip at lunch), rising
    from 07:00 and falling until 21:00, quiet at night, and a third of that at weekends."""
    local = at.astimezone(SHANGHAI)
    h = local.hour + local.minute / 60
    if 9 <= h < 18:
        level = 0.75 if 12 <= h < 13 else 1.0
    elif 7 <= h < 9:
        level = 0.15 + 0.85 * (h - 7) / 2
    elif 18 <= h < 21:
        level = 1.0 - 0.85 * (h - 18) / 3
    else:
        level = 0.15
    return level * (0.35 if local.weekday() >= 5 else 1.0)


@dataclass
class SampleLog:
    """The feed: samples in wire form, ascending id (and time); `clock` says how far the platform has measured."""

    clock: Callable[[], datetime]
    measure: Measure
    backfill: timedelta = BACKFILL
    kept: timedelta = KEPT
    samples: list[dict[str, Any]] = field(default_factory=list)
    last_id: int = 0
    start: datetime | None = None  # the first 5 minutes measured (set by the first read)
    until: datetime | None = None  # every 5 minutes before this is in the log

    def catch_up(self) -> int:
        """Measure every 5 minutes that ended by now; returns how many samples were added."""
        now = self.clock().astimezone(UTC)
        if self.until is None:
            self.start = self.until = floor_step(now) - self.backfill
        horizon = floor_step(now) - self.kept
        self.until = max(self.until, horizon)  # a clock moved on by days: the platform only has what it keeps
        added = 0
        while self.until + STEP <= now:
            for m in self.measure(self.until):
                self.last_id += 1
                self.samples.append(FeedSample(
                    id=self.last_id, metric=m.metric, resource_type=m.resource_type, resource_key=m.resource_key,
                    unit_code=m.unit_code, labels=m.labels, value=m.value, at=self.until,
                ).wire())  # fmt: skip
                added += 1
            self.until += STEP
        gone = bisect.bisect_left(self.samples, horizon, key=lambda s: datetime.fromisoformat(s["at"]))
        del self.samples[:gone]
        return added

    def page(self, after: int | None, limit: int) -> dict[str, Any]:
        """GET: up to `limit` samples with an id above `after` (None: from the first kept), oldest first."""
        self.catch_up()
        first = 0 if after is None else bisect.bisect_right(self.samples, after, key=lambda s: s["id"])
        samples = self.samples[first : first + limit]
        return {"samples": samples, "next": samples[-1]["id"] if samples else after, "more": first + limit < len(self.samples)}

    def snapshot(self) -> dict[str, Any]:
        """GET /_sim/<feed>: how far the platform has measured, and what it keeps."""
        self.catch_up()
        return {
            "start": None if self.start is None else self.start.isoformat(), "until": None if self.until is None else self.until.isoformat(),
            "lastId": self.last_id, "kept": len(self.samples), "oldestId": self.samples[0]["id"] if self.samples else None,
        }  # fmt: skip


class _CutOff(Response):
    """Headers promise a body that never comes, then the connection closes: the page is lost on the way."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"64")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"samples": ', "more_body": True})


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status, headers=headers)


def _whole(request: Request, name: str, low: int, high: int | None) -> int | None:
    """A whole-number query parameter within bounds, None when absent; ValueError (bilingual) otherwise."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < low or (high is not None and int(raw) > high):
        if high is None:
            raise ValueError(f"参数 {name} 须为不小于 {low} 的整数 / {name} must be a whole number, at least {low}")
        raise ValueError(f"参数 {name} 须为 {low} 至 {high} 的整数 / {name} must be a whole number from {low} to {high}")
    return int(raw)


def feed_routes(path: str, operation: str, log_of: Callable[[Request], SampleLog]) -> list[Route]:
    """GET `path` (the feed, meeting the base's armed failures for `operation`) and GET /_sim`path` (its state)."""

    async def read(request: Request) -> Response:
        sim: SimulatorState = request.app.state.sim
        sim.calls += 1
        sim.calls_by_operation[operation] += 1
        if sim.latency_seconds > 0:
            await asyncio.sleep(sim.latency_seconds)
        rule = sim.take_failure(operation)
        mode = rule.mode if rule is not None else None
        if mode == "down":
            return Response(status_code=503)
        if mode == "500":
            return _error(500, "INTERNAL_ERROR", "平台内部错误（模拟） / Simulated platform failure")
        if mode == "429":
            return _error(
                429, "RATE_LIMITED", "请求过于频繁（模拟） / Too many requests (simulated)", {"Retry-After": str(sim.retry_after)}
            )
        if mode == "reject":
            return _error(422, "SIMULATED_REJECTION", "平台拒绝了请求（模拟） / The platform refused the request (simulated)")
        if mode == "slow":
            await asyncio.sleep(sim.slow_seconds)
        try:
            after = _whole(request, "after", 0, None)
            limit = _whole(request, "limit", 1, PAGE_MAX)
        except ValueError as error:
            return _error(400, "BAD_REQUEST", str(error))
        page = log_of(request).page(after, PAGE_DEFAULT if limit is None else limit)
        return _CutOff() if mode == "drop" else JSONResponse(page)

    snapshot = control_endpoint(lambda log, _b: log.snapshot(), log_of)
    return [Route(path, read, methods=["GET"]), Route(f"/_sim{path}", snapshot, methods=["GET"])]
