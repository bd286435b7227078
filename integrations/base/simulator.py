"""The common platform simulator: a real HTTP server that does each operation once per idempotency key.

Every platform simulator from now on is this app with the platform's handlers:

    POST /ops/{operation}   header Idempotency-Key, a JSON object body ->
                            {"status": "CONFIRMED" | "ACCEPTED", "result": {...}, "reference": "..."}

A call first waits the configured latency and meets any armed failure (down, drop, slow, 429, 500, reject), then
is answered from the platform's record if its key was seen (the work is not done again; the same key with another
operation or payload is refused with 409), else the operation's handler runs. In ACCEPTED mode the answer comes at
once and the work finishes later, confirmed by a signed callback to GovOps's persisted confirm mutation.

Test control, as the office platform simulator has: POST /_sim/fail, /_sim/config, /_sim/reset, /_sim/flush and
GET /_sim/state. Run a demo platform with `python -m integrations.base.simulator --name carrier --port 8200`.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from core.clock import utcnow
from integrations.base.sim_state import (
    ANSWER_MODES,
    FAIL_MODES,
    CallbackSender,
    CallbackSettings,
    FailRule,
    Handler,
    SimRejection,
    SimulatorState,
    post_callback,
)

__all__ = [
    "ANSWER_MODES",
    "FAIL_MODES",
    "CallbackSender",
    "CallbackSettings",
    "FailRule",
    "Handler",
    "SimRejection",
    "SimulatorState",
    "create_platform_simulator",
    "post_callback",
]


def _sim(request: Request) -> SimulatorState:
    return request.app.state.sim


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status, headers=headers)


class _Dropped(Response):
    """Headers promise a body that never comes, then the connection closes: the caller cannot know the outcome."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"64")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"status": ', "more_body": True})
        # Returning without finishing makes uvicorn close the connection (it logs that the response was incomplete).


async def _work(sim: SimulatorState, key: str, operation: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Do the operation (or accept it for later) and keep the first answer under its key."""
    entry: dict[str, Any] = {"operation": operation, "payload": payload, "at": utcnow().isoformat()}
    if sim.mode_of(operation) == "ACCEPTED":
        reference = sim.next_reference()
        answer = {"status": "ACCEPTED", "result": {}, "reference": reference}
        entry |= {"status": "ACCEPTED", "result": {}, "reference": reference, "outcome": None, "message": None}
        sim.accepted[key] = entry | {"answer": answer}
        sim.schedule_callback(key)
        return 200, answer
    try:
        result = await sim.run_handler(operation, payload)
    except SimRejection as refusal:  # refused work is not kept: the same key may be tried again
        return refusal.status, {"code": refusal.code, "message": refusal.message}
    reference = sim.next_reference()
    answer = {"status": "CONFIRMED", "result": result, "reference": reference}
    entry |= {"status": "CONFIRMED", "result": result, "reference": reference, "outcome": "CONFIRMED", "message": None}
    sim.accepted[key] = entry | {"answer": answer}
    return 200, answer


async def _once(sim: SimulatorState, key: str, operation: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The work of a key at most once, even for concurrent calls with the same key."""
    while (busy := sim.in_progress.get(key)) is not None:
        await busy.wait()
    entry = sim.accepted.get(key)
    if entry is not None:
        if entry["operation"] != operation or entry["payload"] != payload:
            return 409, {
                "code": "IDEMPOTENCY_KEY_REUSED",
                "message": "幂等键已用于另一请求 / This idempotency key was used for a different request",
            }
        sim.replays += 1
        return 200, entry["answer"]
    sim.in_progress[key] = done = asyncio.Event()
    try:
        return await _work(sim, key, operation, payload)
    finally:
        sim.in_progress.pop(key, None)  # a reset meanwhile may have cleared it already
        done.set()


async def ops(request: Request) -> Response:
    sim = _sim(request)
    operation = request.path_params["operation"]
    if sim.strict and operation not in sim.handlers:
        known = ", ".join(sim.handlers)
        return _error(404, "OPERATION_UNKNOWN", f"不支持的操作 / Unknown operation {operation}: one of {known}")
    raw = await request.body()  # received in full before any stall: a caller that gives up does not undo the work
    sim.calls += 1
    sim.calls_by_operation[operation] += 1
    if sim.latency_seconds > 0:
        await asyncio.sleep(sim.latency_seconds)
    rule = sim.take_failure(operation)
    mode = rule.mode if rule is not None else None
    if mode == "down":  # what a load balancer says with no healthy backend behind it
        return Response(status_code=503)
    if mode == "500":
        return _error(500, "INTERNAL_ERROR", "平台内部错误（模拟） / Simulated platform failure")
    if mode == "429":
        headers = {"Retry-After": str(sim.retry_after)}
        return _error(429, "RATE_LIMITED", "请求过于频繁（模拟） / Too many requests (simulated)", headers)
    if mode == "reject":
        return _error(422, "SIMULATED_REJECTION", "平台拒绝了请求（模拟） / The platform refused the request (simulated)")
    if mode == "slow":  # the work still happens after the stall, as on a real overloaded platform
        await asyncio.sleep(sim.slow_seconds)
    key = request.headers.get("idempotency-key", "").strip()
    if not key:
        return _error(400, "IDEMPOTENCY_KEY_REQUIRED", "缺少 Idempotency-Key 请求头 / The Idempotency-Key header is required")
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict):
        return _error(400, "INVALID_PAYLOAD", "请求体必须是 JSON 对象 / The body must be a JSON object")
    status, answer = await _once(sim, key, operation, payload)
    if mode == "drop":  # the work is done (or refused), but the answer is lost on the way back
        return _Dropped()
    return JSONResponse(answer, status)


# --- test control -------------------------------------------------------------------------------------------------


def control_endpoint(
    handler: Callable[[Any, dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]], state_of: Callable[[Request], Any]
) -> Callable[[Request], Awaitable[Response]]:
    """A test-control endpoint: a JSON object in, the handler's JSON out (given the state `state_of` finds on the
    app); a refusal keeps its code and status. Every platform simulator's /_sim routes are made with it."""

    async def endpoint(request: Request) -> Response:
        try:
            raw = await request.body() if request.method == "POST" else b""
            body = orjson.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            answer = handler(state_of(request), body)
            return JSONResponse(await answer if inspect.isawaitable(answer) else answer)
        except SimRejection as refusal:
            return _error(refusal.status, refusal.code, refusal.message)
        except (ValueError, TypeError, KeyError) as error:
            return _error(400, "INVALID_REQUEST", str(error))

    return endpoint


def _control(
    handler: Callable[[SimulatorState, dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]],
) -> Callable[[Request], Awaitable[Response]]:
    return control_endpoint(handler, _sim)


def _fail(sim: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    mode = str(body.get("mode", ""))
    if mode == "clear":
        sim.clear_failures()
    else:
        times = body.get("times", 1)
        operation = body.get("operation")
        sim.fail(mode, None if times is None else int(times), operation=None if operation is None else str(operation))
    return {"failures": [vars(rule) for rule in sim.failures]}


def _reset(sim: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    sim.reset()
    return sim.snapshot()


async def _flush(sim: SimulatorState, body: dict[str, Any]) -> dict[str, Any]:
    await sim.flush_callbacks()
    return sim.snapshot()


def create_platform_simulator(
    name: str,
    handlers: dict[str, Handler] | None = None,
    *,
    callback: CallbackSettings | None = None,
    strict: bool = False,
) -> Starlette:
    """The simulator of platform `name` as an ASGI app; its state is `app.state.sim` (a SimulatorState). A strict one
    has only its handlers' operations (404 OPERATION_UNKNOWN for any other name)."""
    sim = SimulatorState(name=name, handlers=dict(handlers or {}), callback=callback or CallbackSettings(), strict=strict)
    routes = [
        Route("/ops/{operation}", ops, methods=["POST"]),
        Route("/_sim/fail", _control(_fail), methods=["POST"]),
        Route("/_sim/config", _control(lambda s, b: s.configure(b)), methods=["POST"]),
        Route("/_sim/reset", _control(_reset), methods=["POST"]),
        Route("/_sim/flush", _control(_flush), methods=["POST"]),
        Route("/_sim/state", _control(lambda s, _b: s.snapshot()), methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.sim = sim
    return app


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="通用平台模拟器 / Generic platform simulator")
    parser.add_argument("--name", default="platform")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--mode", choices=ANSWER_MODES, default="CONFIRMED")
    parser.add_argument("--callback-url", help="GovOps's /graphql, for ACCEPTED operations")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--secret", default="")
    parser.add_argument("--document-hash", default="", help="sha256 of the persisted confirm mutation")
    args = parser.parse_args(argv)
    callback = CallbackSettings(url=args.callback_url, api_key=args.api_key, secret=args.secret, document_hash=args.document_hash)
    app = create_platform_simulator(args.name, callback=callback)
    app.state.sim.default_mode = args.mode
    print(f"{args.name}: http://{args.host}:{args.port}/ops/<operation>  (mode {args.mode})")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
