"""GovOps's side of the carriers: one dispatch gateway per carrier, and the daily traffic report reader.

The four carriers speak the plain `/ops` contract, so each gateway is a `SimplePlatformGateway` named after its
carrier (carrier_cbn, carrier_telecom, carrier_mobile, carrier_unicom). Traffic is a GET through the same
`PlatformClient`, so it is recorded in the interface log like every other exchange.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from domain.integration.ports import CallRecorder
from domain.workorders.ports import PlatformRejected
from integrations.base.client import PlatformClient, SimplePlatformGateway
from integrations.base.wire import explain
from integrations.carriers.numbers import CARRIERS
from integrations.carriers.schemas import TrafficDay
from integrations.carriers.sim_state import platform_name

PLATFORMS = {carrier: platform_name(carrier) for carrier in CARRIERS}


def carrier_of(name: str) -> str:
    """The carrier code of a carrier code or platform name ("TELECOM" or "carrier_telecom"); ValueError otherwise."""
    upper = name.upper()
    if upper in CARRIERS:
        return upper
    for carrier, platform in PLATFORMS.items():
        if platform == name:
            return carrier
    raise ValueError(f"no carrier {name!r}: one of {', '.join(CARRIERS)} or {', '.join(PLATFORMS.values())}")


def carrier_clients(
    urls: dict[str, str], recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any
) -> dict[str, PlatformClient]:
    """One PlatformClient per carrier in `urls` (keyed by carrier code or platform name), by carrier code."""
    return {
        carrier_of(name): PlatformClient(PLATFORMS[carrier_of(name)], url, timeout=timeout, recorder=recorder, **client)
        for name, url in urls.items()
    }


def carrier_gateways(
    urls: dict[str, str], recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any
) -> list[SimplePlatformGateway]:
    """A dispatch gateway per carrier in `urls`; each owns its client: close it with `await gateway.client.close()`."""
    return [SimplePlatformGateway(c) for c in carrier_clients(urls, recorder, timeout, **client).values()]


class TrafficClient:
    """A carrier's daily traffic report (GET /traffic?day=), read through a recorded PlatformClient."""

    def __init__(self, client: PlatformClient) -> None:
        self.client = client
        self.platform = client.platform

    @classmethod
    def connect(
        cls, carrier: str, url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any
    ) -> TrafficClient:
        """A traffic client with a client of its own (carrier code or platform name)."""
        return cls(PlatformClient(PLATFORMS[carrier_of(carrier)], url, timeout=timeout, recorder=recorder, **client))

    async def __aenter__(self) -> TrafficClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.client.close()

    async def day(self, day: date) -> TrafficDay:
        """Every card's uplink and downlink bytes of one Beijing day; PlatformUnavailable / PlatformRejected."""
        answer = await self.client.call("traffic", f"/traffic?day={day.isoformat()}", None, idempotency_key=None, method="GET")
        try:
            report = TrafficDay.model_validate(answer)
        except ValidationError as error:
            raise PlatformRejected(
                f"{self.platform} traffic: unexpected answer ({explain(error)})", "UNEXPECTED_ANSWER"
            ) from None
        if report.day != day:
            raise PlatformRejected(f"{self.platform} traffic: asked for {day}, got {report.day}", "UNEXPECTED_ANSWER")
        return report
