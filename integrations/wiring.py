"""Gateways for the platforms configured in settings (production, and the worker), registered by name."""

from __future__ import annotations

from collections.abc import Callable

from core.settings import Settings
from domain.integration.ports import CallRecorder
from domain.workorders.ports import DispatchGateway
from integrations import registry
from integrations.base.client import SimplePlatformGateway
from integrations.carriers.gateway import carrier_gateways
from integrations.operations_platform.gateway import operations_gateway
from integrations.secure_access_support.gateway import secure_access_gateway
from integrations.wireless_support.gateway import support_gateway

# Each single platform: its gateway, from its URL.
FACTORIES: dict[str, Callable[..., SimplePlatformGateway]] = {
    "wireless_support": support_gateway,
    "secure_access_support": secure_access_gateway,
    "operations_platform": operations_gateway,
}


def register_gateways(carriers: dict[str, str], urls: dict[str, str | None], recorder: CallRecorder | None,
                      timeout: float) -> list[SimplePlatformGateway]:  # fmt: skip
    """Make and register a gateway for each platform URL given (the carriers', and `urls` by platform name); returns
    them (close their clients at shutdown)."""
    made = carrier_gateways(carriers, recorder, timeout) if carriers else []
    made += [FACTORIES[name](url, recorder, timeout) for name, url in sorted(urls.items()) if url]
    for gateway in made:
        registry.register(gateway)
    return made


def configured_urls(settings: Settings) -> dict[str, str | None]:
    """The single platforms' URLs from settings (GOVOPS_<PLATFORM>_URL)."""
    return {
        "wireless_support": settings.wireless_support_url, "secure_access_support": settings.secure_access_support_url,
        "operations_platform": settings.operations_platform_url,
    }  # fmt: skip


def register_configured(settings: Settings, recorder: CallRecorder | None) -> list[SimplePlatformGateway]:
    """The platforms named in settings (GOVOPS_CARRIER_URLS and each platform's URL)."""
    return register_gateways(settings.carrier_urls, configured_urls(settings), recorder, settings.platform_timeout_seconds)


async def close(gateways: list[SimplePlatformGateway]) -> None:
    for gateway in gateways:
        registry.unregister(gateway.platform)
        await gateway.client.close()


__all__ = ["DispatchGateway", "close", "configured_urls", "register_configured", "register_gateways"]
