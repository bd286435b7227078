"""The wireless support platform as a real HTTP server: the base platform simulator with its accounts and alerts.

    POST /ops/{account_open|permissions_set|account_close|account_rebind}   the base contract; CONFIRMED at once
    GET  /users                                               {"users": [{"accountName", "iccid", "online", "lastSeenAt"}]}
    GET  /metrics?after=&limit=                               UPF traffic every 5 minutes, per UPF and per unit (sim_metrics)
    POST /_sim/online {"accountName", "online"}                a terminal goes on or off line
    POST /_sim/push-alerts {"alerts": [...]} | {"sample": n}  push an alert batch to GovOps now (signed)
    POST /_sim/support {"alertDocumentHash"}  GET /_sim/accounts   settings; the accounts and pushes
    POST /_sim/reset                                          the base reset, and no accounts or pushes

Alerts go to the base's callback URL with its API key and secret, to the persisted document whose hash is
`alert_document_hash`. Run it for the demo: `python -m integrations.wireless_support.simulator --port 8210`.
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
from integrations.wireless_support import PLATFORM
from integrations.wireless_support.schemas import OPERATIONS
from integrations.wireless_support.sim_metrics import install_metrics
from integrations.wireless_support.sim_state import ALERT_DOCUMENT, SupportState

__all__ = ["ALERT_DOCUMENT", "PLATFORM", "SupportState", "create_support_simulator"]


def _support(request: Request) -> SupportState:
    return request.app.state.support


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status)


async def users(request: Request) -> Response:
    """GET /users: the user information sync."""
    return JSONResponse(_support(request).users())


def _control(
    handler: Callable[[SupportState, dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]],
) -> Callable[[Request], Awaitable[Response]]:
    return control_endpoint(handler, _support)


async def _push(state: SupportState, body: dict[str, Any]) -> dict[str, Any]:
    if unknown := set(body) - {"alerts", "sample"}:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    if "sample" in body:
        alerts = state.sample_alerts(max(1, min(500, int(body["sample"]))))
    else:
        alerts = body.get("alerts")
        if not isinstance(alerts, list):
            raise ValueError("alerts must be a list of alerts, or give sample: n")
    attempts = await state.push_alerts(alerts)
    return {"alerts": alerts, "attempts": [{k: v for k, v in a.items() if k != "body"} for a in attempts]}


def _configure(state: SupportState, body: dict[str, Any]) -> dict[str, Any]:
    if unknown := set(body) - {"alertDocumentHash"}:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    if "alertDocumentHash" in body:
        state.alert_document_hash = str(body["alertDocumentHash"])
    return {"alertDocumentHash": state.alert_document_hash}


def _reset(state: SupportState, body: dict[str, Any]) -> dict[str, Any]:
    state.reset()
    return state.base().snapshot() | {"support": state.snapshot()}


def create_support_simulator(
    *, callback: CallbackSettings | None = None, alert_document_hash: str = "", seed: int = 0
) -> Starlette:
    """The wireless support platform; `app.state.sim` is the base, `app.state.support` the accounts and alerts."""
    state = SupportState(seed=seed, alert_document_hash=alert_document_hash)
    app = create_platform_simulator(PLATFORM, state.handlers(), callback=callback, strict=True)
    state.sim = app.state.sim
    app.state.support = state
    install_metrics(app, lambda: state.clock(), seed)  # GET /metrics: UPF traffic (follows a clock a test sets later)
    # In front of the base's routes of the same path: the first match wins.
    app.router.routes[:0] = [
        Route("/_sim/reset", _control(_reset), methods=["POST"]),
    ]
    app.router.routes.extend(
        [
            Route("/users", users, methods=["GET"]),
            Route("/_sim/online", _control(lambda s, b: s.set_online(b)), methods=["POST"]),
            Route("/_sim/push-alerts", _control(_push), methods=["POST"]),
            Route("/_sim/support", _control(_configure), methods=["POST"]),
            Route("/_sim/accounts", _control(lambda s, _b: s.snapshot()), methods=["GET"]),
        ]
    )
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the platform for the demo."""
    import uvicorn

    parser = argparse.ArgumentParser(description="无线网业务支撑平台模拟器 / Wireless support platform simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8210)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--callback-url", help="GovOps's /graphql, where alerts are pushed")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--secret", default="")
    parser.add_argument("--alert-document-hash", default="", help=f"sha256 of the persisted {ALERT_DOCUMENT} mutation")
    args = parser.parse_args(argv)
    callback = CallbackSettings(url=args.callback_url, api_key=args.api_key, secret=args.secret)
    app = create_support_simulator(callback=callback, alert_document_hash=args.alert_document_hash, seed=args.seed)
    print(f"{PLATFORM}: http://{args.host}:{args.port}/ops/<{'|'.join(OPERATIONS)}>, GET /users, POST /_sim/push-alerts")
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
