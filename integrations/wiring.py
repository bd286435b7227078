"""Gateways for the platforms configured in settings (production, and the worker), registered by name."""

from __future__ import annotations

from core.settings import Settings
from domain.integration.ports import CallRecorder
from domain.workorders.ports import DispatchGateway
from integrations import registry
from integrations.base.client import SimplePlatformGateway
from integrations.carriers.gateway import carrier_gateways
from integrations.secure_access_support.gateway import secure_access_gateway
from integrations.wireless_support.gateway import support_gateway


def register_gateways(carriers: dict[str, str], support_url: str | None, recorder: CallRecorder | None,
                      timeout: float, secure_access_url: str | None = None) -> list[SimplePlatformGateway]:  # fmt: skip
    """Make and register a gateway for each platform URL given; returns them (close their clients at shutdown)."""
    made = carrier_gateways(carriers, recorder, timeout) if carriers else []
    if support_url:
        made.append(support_gateway(support_url, recorder, timeout))
    if secure_access_url:
        made.append(secure_access_gateway(secure_access_url, recorder, timeout))
    for gateway in made:
        registry.register(gateway)
    return made


def register_configured(settings: Settings, recorder: CallRecorder | None) -> list[SimplePlatformGateway]:
    """The platforms named in settings (GOVOPS_CARRIER_URLS, GOVOPS_WIRELESS_SUPPORT_URL, GOVOPS_SECURE_ACCESS_SUPPORT_URL)."""
    return register_gateways(settings.carrier_urls, settings.wireless_support_url, recorder, settings.platform_timeout_seconds,
                             settings.secure_access_support_url)  # fmt: skip


async def close(gateways: list[SimplePlatformGateway]) -> None:
    for gateway in gateways:
        registry.unregister(gateway.platform)
        await gateway.client.close()


__all__ = ["DispatchGateway", "close", "register_configured", "register_gateways"]
