"""GovOps's side of the integrated operations platform: the push gateway (security_alert)."""

from __future__ import annotations

from typing import Any

from domain.integration.ports import CallRecorder
from integrations.base.client import PlatformClient, SimplePlatformGateway
from integrations.operations_platform import PLATFORM


def operations_gateway(
    url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any
) -> SimplePlatformGateway:
    """The gateway GovOps pushes security alerts through; close it with `await gateway.client.close()`."""
    return SimplePlatformGateway(PlatformClient(PLATFORM, url, timeout=timeout, recorder=recorder, **client))
