"""The secure access support platform as a real HTTP server: the base platform simulator with accounts and usage.

    POST /ops/{account_open|account_change|account_revoke|fault_report}
                                  the base contract (Idempotency-Key; failure injection; CONFIRMED or ACCEPTED)
    GET  /usage?after=<id>&limit=<n>
                                  {"events": [...], "next": <id>|null, "more": bool}: events with an id above
                                  `after` (absent: from the first), oldest first, at most `limit` (1..500, default
                                  100). `next` is the id of the page's last event, or `after` again when there is
                                  none: store it with the events in one transaction and pass it as `after` next
                                  time, and every event is taken exactly once. Ids only grow and are never reused.
    GET  /accounts/online         {"at", "lastEventId", "accounts": [{"accountName", "sessions", "since",
                                  "sourceIps"}]}: who is connected now, as the feed up to `lastEventId` implies
                                  (a snapshot for dashboards; counting from the feed gives the same answer)
    GET  /resource-stats?after=&limit=
                                  the access zone's resource statistics every 5 minutes (online users, bandwidth,
                                  gateway CPU), as samples in the metric feed contract (integrations/base/metric_feed)

An event is {"id", "kind": LOGIN|LOGOUT|ABNORMAL, "accountName", "at", "sourceIp", "detail"}; `detail` is
{"rule", "severity": CRITICAL|MAJOR|MINOR|WARNING, "description"} for ABNORMAL and null otherwise. A revoke ends
the account's open sessions, each with a LOGOUT.

Simulator control (test and demo only):

    POST /_sim/usage {"accountName"?, "events": [{kind, sourceIp, at?, detail?, accountName?}]} | {"sample": n}
    POST /_sim/tickets/resolve {"ticketNumber", "resolution"?}     POST /_sim/limits {"macLimit"}
    GET  /_sim/accounts   GET /_sim/tickets                        POST /_sim/reset: the base reset, and this state

and the base's /_sim/fail, /_sim/config, /_sim/flush, /_sim/state. Run it for the demo:
`python -m integrations.secure_access_support.simulator --port 8220`.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations.base.simulator import CallbackSettings, control_endpoint, create_platform_simulator
from integrations.secure_access_support import PLATFORM
from integrations.secure_access_support.schemas import OPERATIONS, PAGE_DEFAULT, PAGE_MAX
from integrations.secure_access_support.sim_metrics import install_metrics
from integrations.secure_access_support.sim_state import MAC_LIMIT, SecureAccessState

__all__ = ["PLATFORM", "SecureAccessState", "create_secure_access_simulator"]


def _state(request: Request) -> SecureAccessState:
    return request.app.state.secure_access


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status)


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


async def usage(request: Request) -> Response:
    """GET /usage: one page of the usage feed after a cursor."""
    try:
        after = _whole(request, "after", 0, None)
        limit = _whole(request, "limit", 1, PAGE_MAX)
    except ValueError as error:
        return _error(400, "BAD_REQUEST", str(error))
    return JSONResponse(_state(request).usage.page(after, PAGE_DEFAULT if limit is None else limit))


async def online(request: Request) -> Response:
    """GET /accounts/online: accounts with open sessions now."""
    state = _state(request)
    return JSONResponse(state.usage.online(state.clock()))


def _control(
    handler: Callable[[SecureAccessState, dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]],
) -> Callable[[Request], Awaitable[Response]]:
    return control_endpoint(handler, _state)


def _reset(state: SecureAccessState, body: dict[str, Any]) -> dict[str, Any]:
    state.reset()
    return state.base().snapshot() | {"secureAccess": state.snapshot() | state.ticket_list()}


def create_secure_access_simulator(
    *, callback: CallbackSettings | None = None, seed: int = 0, mac_limit: int = MAC_LIMIT
) -> Starlette:
    """The platform; `app.state.sim` is the base, `app.state.secure_access` the accounts, tickets and usage."""
    state = SecureAccessState(seed=seed, mac_limit=mac_limit)
    app = create_platform_simulator(PLATFORM, state.handlers(), callback=callback, strict=True)
    state.sim = app.state.sim
    app.state.secure_access = state
    install_metrics(app, lambda: state.clock(), seed)  # GET /resource-stats (follows a clock a test sets later)
    # In front of the base's routes of the same path: the first match wins.
    app.router.routes[:0] = [
        Route("/_sim/reset", _control(_reset), methods=["POST"]),
    ]
    app.router.routes.extend(
        [
            Route("/usage", usage, methods=["GET"]),
            Route("/accounts/online", online, methods=["GET"]),
            Route("/_sim/usage", _control(lambda s, b: s.generate_usage(b)), methods=["POST"]),
            Route("/_sim/tickets/resolve", _control(lambda s, b: s.resolve_ticket(b)), methods=["POST"]),
            Route("/_sim/limits", _control(lambda s, b: s.set_limits(b)), methods=["POST"]),
            Route("/_sim/accounts", _control(lambda s, _b: s.snapshot()), methods=["GET"]),
            Route("/_sim/tickets", _control(lambda s, _b: s.ticket_list()), methods=["GET"]),
        ]
    )
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the platform for the demo."""
    import uvicorn

    parser = argparse.ArgumentParser(description="互联网安全加密接入支撑平台模拟器 / Secure access support platform simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8220)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mac-limit", type=int, default=MAC_LIMIT)
    parser.add_argument("--mode", choices=("CONFIRMED", "ACCEPTED"), default="CONFIRMED")
    parser.add_argument("--callback-url", help="GovOps's /graphql, for ACCEPTED operations")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--secret", default="")
    parser.add_argument("--document-hash", default="", help="sha256 of the persisted confirm mutation")
    args = parser.parse_args(argv)
    callback = CallbackSettings(url=args.callback_url, api_key=args.api_key, secret=args.secret, document_hash=args.document_hash)
    app = create_secure_access_simulator(callback=callback, seed=args.seed, mac_limit=args.mac_limit)
    app.state.sim.default_mode = args.mode
    print(f"{PLATFORM}: http://{args.host}:{args.port}/ops/<{'|'.join(OPERATIONS)}>, GET /usage, GET /accounts/online")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
