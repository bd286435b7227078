"""A 5G carrier as a real HTTP server: the base platform simulator with a carrier's operations, books and manners.

    POST /ops/{open|plan_change|cancel|unbind|replace}   the base contract (Idempotency-Key, failures, callbacks)
    GET  /traffic?day=YYYY-MM-DD                          {"day", "cards": [{"iccid", "uplinkBytes", "downlinkBytes"}]}
    POST /_sim/cards   GET /_sim/cards                    put a card in the books (or bind an IMEI); list the books
    POST /_sim/carrier {"throttleEvery": n}               change the carrier's throttling (0: off)
    POST /_sim/reset                                      the base reset, an empty book, and the carrier's manners again

The base's /_sim/fail, /_sim/config, /_sim/flush and GET /_sim/state work as on every platform simulator.
Each carrier behaves as its profile (`sim_state.PROFILES`) says: TELECOM and UNICOM answer CONFIRMED, MOBILE and CBN
answer ACCEPTED and confirm by a signed callback; UNICOM throttles every third /ops call (429, Retry-After); CBN
delivers every callback twice.

Run one for the demo: `python -m integrations.carriers.simulator --carrier TELECOM --port 8201`.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integrations.base.simulator import CallbackSettings, SimRejection, control_endpoint, create_platform_simulator, ops
from integrations.carriers.numbers import CARRIERS
from integrations.carriers.plans import PLANS
from integrations.carriers.schemas import OPERATIONS
from integrations.carriers.sim_state import PROFILES, CarrierProfile, CarrierState, platform_name

__all__ = ["PLANS", "PROFILES", "CarrierProfile", "CarrierState", "create_carrier_simulator", "platform_name"]


def _carrier(request: Request) -> CarrierState:
    return request.app.state.carrier


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status)


async def carrier_ops(request: Request) -> Response:
    """The base /ops endpoint behind the carrier's front door: unknown operations refused, every call counted."""
    operation = request.path_params["operation"]
    if operation not in OPERATIONS:  # the base would confirm any name with an empty result; a carrier does not
        return _error(404, "OPERATION_UNKNOWN", f"不支持的操作 / Unknown operation {operation}: one of {', '.join(OPERATIONS)}")
    _carrier(request).note_call()
    return await ops(request)


async def traffic(request: Request) -> Response:
    """GET /traffic?day=YYYY-MM-DD: the day's traffic of every card in service that day."""
    try:
        day = date.fromisoformat(request.query_params.get("day", ""))
    except ValueError:
        return _error(400, "BAD_REQUEST", "day 必须是 YYYY-MM-DD / day must be a date, YYYY-MM-DD")
    try:
        return JSONResponse(_carrier(request).traffic(day))
    except SimRejection as refusal:
        return _error(refusal.status, refusal.code, refusal.message)


def _control(
    handler: Callable[[CarrierState, dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]],
) -> Callable[[Request], Awaitable[Response]]:
    return control_endpoint(handler, _carrier)


def _configure(state: CarrierState, body: dict[str, Any]) -> dict[str, Any]:
    if unknown := set(body) - {"throttleEvery"}:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    if "throttleEvery" in body:
        state.throttle_every = max(0, int(body["throttleEvery"]))
    return {k: v for k, v in state.snapshot().items() if k != "cards"}


def _reset(state: CarrierState, body: dict[str, Any]) -> dict[str, Any]:
    state.reset()
    return state.base().snapshot() | {"carrier": state.snapshot()}


def create_carrier_simulator(
    carrier: str, *, callback: CallbackSettings | None = None, seed: int = 0, profile: CarrierProfile | None = None
) -> Starlette:
    """The simulator of one carrier (CBN, TELECOM, MOBILE, UNICOM); `app.state.sim` is the base, `app.state.carrier` the books."""
    state = CarrierState(carrier, seed=seed, profile=profile or PROFILES[carrier])
    app = create_platform_simulator(platform_name(carrier), state.handlers(), callback=callback)
    state.sim = app.state.sim
    state.apply_profile()
    app.state.carrier = state
    # In front of the base's routes of the same path: the first match wins.
    app.router.routes[:0] = [
        Route("/ops/{operation}", carrier_ops, methods=["POST"]),
        Route("/_sim/reset", _control(_reset), methods=["POST"]),
    ]
    app.router.routes.extend(
        [
            Route("/traffic", traffic, methods=["GET"]),
            Route("/_sim/cards", _control(lambda s, b: s.seed_card(b)), methods=["POST"]),
            Route("/_sim/cards", _control(lambda s, _b: s.snapshot()), methods=["GET"]),
            Route("/_sim/carrier", _control(_configure), methods=["POST"]),
        ]
    )
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve one carrier for the demo."""
    import uvicorn

    parser = argparse.ArgumentParser(description="5G 运营商模拟器 / 5G carrier simulator")
    parser.add_argument("--carrier", choices=CARRIERS, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8201)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-throttle", action="store_true", help="UNICOM: never answer 429")
    parser.add_argument("--callback-url", help="GovOps's /graphql, for ACCEPTED operations (MOBILE, CBN)")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--secret", default="")
    parser.add_argument("--document-hash", default="", help="sha256 of the persisted WorkOrderDispatchConfirm mutation")
    args = parser.parse_args(argv)
    callback = CallbackSettings(url=args.callback_url, api_key=args.api_key, secret=args.secret, document_hash=args.document_hash)
    app = create_carrier_simulator(args.carrier, callback=callback, seed=args.seed)
    if args.no_throttle:
        app.state.carrier.throttle_every = 0
    state: CarrierState = app.state.carrier
    print(
        f"{platform_name(args.carrier)}: http://{args.host}:{args.port}/ops/<{'|'.join(OPERATIONS)}>"
        f"  (answers {state.profile.mode}, throttles every {state.throttle_every or 'never'},"
        f" plans {', '.join(p['code'] for p in PLANS[args.carrier])})"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
