"""The platform gateways this process dispatches to, by platform name (wired at start-up; tests add simulators)."""

from __future__ import annotations

from domain.workorders.ports import DispatchGateway

GATEWAYS: dict[str, DispatchGateway] = {}


def register(gateway: DispatchGateway) -> None:
    GATEWAYS[gateway.platform] = gateway


def unregister(platform: str) -> None:
    GATEWAYS.pop(platform, None)


def gateway(platform: str) -> DispatchGateway | None:
    return GATEWAYS.get(platform)
