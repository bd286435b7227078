"""GovOps's side of the wireless support platform: the dispatch gateway and the user information sync."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from domain.integration.ports import CallRecorder
from domain.workorders.ports import PlatformRejected
from integrations.base.client import PlatformClient, SimplePlatformGateway
from integrations.base.wire import explain
from integrations.wireless_support import PLATFORM
from integrations.wireless_support.schemas import SupportUser, UsersAnswer


def support_client(url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any) -> PlatformClient:
    """A recorded PlatformClient of the wireless support platform."""
    return PlatformClient(PLATFORM, url, timeout=timeout, recorder=recorder, **client)


def support_gateway(
    url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any
) -> SimplePlatformGateway:
    """The dispatch gateway (account_open, permissions_set, account_close, account_rebind); close it with `await gateway.client.close()`."""
    return SimplePlatformGateway(support_client(url, recorder, timeout, **client))


class SupportUsersClient:
    """The user information sync (GET /users), read through a recorded PlatformClient."""

    def __init__(self, client: PlatformClient) -> None:
        self.client = client
        self.platform = client.platform

    @classmethod
    def connect(cls, url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any) -> SupportUsersClient:
        """A users client with a client of its own."""
        return cls(support_client(url, recorder, timeout, **client))

    async def __aenter__(self) -> SupportUsersClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.client.close()

    async def users(self) -> list[SupportUser]:
        """Every open account with its card and presence; PlatformUnavailable / PlatformRejected."""
        answer = await self.client.call("users", "/users", None, idempotency_key=None, method="GET")
        try:
            return UsersAnswer.model_validate(answer).users
        except ValidationError as error:
            raise PlatformRejected(f"{self.platform} users: unexpected answer ({explain(error)})", "UNEXPECTED_ANSWER") from None
