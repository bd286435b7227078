"""The integrated operations platform as a real HTTP server: the base platform simulator (idempotency keys,
failure injection) with one operation that keeps the security alerts it receives.

    POST /ops/security_alert    a SecurityAlert (schemas.py); answers {"receipt": "AQ" + 8 digits} at once
    GET  /_sim/alerts           what it received, in order
    POST /_sim/reset            the base reset, and nothing received

Run it for the demo: `python -m integrations.operations_platform.simulator --port 8230`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from integrations.base.sim_state import SimRejection, SimulatorState
from integrations.base.simulator import control_endpoint, create_platform_simulator
from integrations.base.wire import parse
from integrations.operations_platform import PLATFORM
from integrations.operations_platform import schemas as wire


@dataclass
class OperationsState:
    """What the platform received; the simulator app keeps it as `app.state.operations`."""

    alerts: list[dict[str, Any]] = field(default_factory=list)
    sim: SimulatorState | None = None

    def security_alert(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Keep one alert; the same GovOps alert pushed again under a new key is refused (ALERT_RECEIVED)."""
        alert = parse(wire.SecurityAlert, payload)
        if any(a["alertId"] == alert.alert_id for a in self.alerts):
            raise SimRejection("ALERT_RECEIVED", f"告警已接收 / Alert {alert.alert_id} was received already")
        receipt = f"AQ{len(self.alerts) + 1:08d}"
        self.alerts.append(alert.wire() | {"receipt": receipt})
        return wire.SecurityAlertResult(receipt=receipt).wire()

    def reset(self) -> None:
        if self.sim is not None:
            self.sim.reset()
        self.alerts.clear()


def _state(request: Request) -> OperationsState:
    return request.app.state.operations  # type: ignore[no-any-return]


def _reset(state: OperationsState, _body: dict[str, Any]) -> dict[str, Any]:
    state.reset()
    return {"alerts": []}


def create_operations_simulator() -> Starlette:
    """The platform; `app.state.sim` is the base, `app.state.operations` what it received."""
    state = OperationsState()
    app = create_platform_simulator(PLATFORM, {"security_alert": state.security_alert}, strict=True)
    state.sim = app.state.sim
    app.state.operations = state
    app.router.routes[:0] = [Route("/_sim/reset", control_endpoint(_reset, _state), methods=["POST"])]
    app.router.routes.append(Route("/_sim/alerts", control_endpoint(lambda s, _b: {"alerts": s.alerts}, _state), methods=["GET"]))
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the platform for the demo."""
    import uvicorn

    parser = argparse.ArgumentParser(description="一体化运营平台模拟器 / Integrated operations platform simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8230)
    args = parser.parse_args(argv)
    print(f"{PLATFORM}: http://{args.host}:{args.port}/ops/security_alert, GET /_sim/alerts")
    uvicorn.run(create_operations_simulator(), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
