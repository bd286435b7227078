"""GovOps's side of the secure access support platform: the dispatch gateway and the usage feed reader.

A consumer of the feed keeps the `next` of the last page it took, stored in the same transaction as the events,
and asks `events(after=that)`: a crash before the commit only means the same page is read again, and event ids
(unique on the platform) let it skip anything it already has.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError

from domain.integration.ports import CallRecorder
from domain.workorders.ports import PlatformRejected
from integrations.base.client import PlatformClient, SimplePlatformGateway
from integrations.base.wire import explain
from integrations.secure_access_support import PLATFORM
from integrations.secure_access_support.schemas import PAGE_DEFAULT, OnlineAnswer, UsageBatch

M = TypeVar("M", bound=BaseModel)


def secure_access_client(url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any) -> PlatformClient:
    """A recorded PlatformClient of the secure access support platform."""
    return PlatformClient(PLATFORM, url, timeout=timeout, recorder=recorder, **client)


def secure_access_gateway(
    url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any
) -> SimplePlatformGateway:
    """The dispatch gateway (account_open, account_change, account_revoke, fault_report); close it with
    `await gateway.client.close()`."""
    return SimplePlatformGateway(secure_access_client(url, recorder, timeout, **client))


class UsageFeedClient:
    """The usage feed (GET /usage) and the online snapshot (GET /accounts/online), through a recorded PlatformClient."""

    def __init__(self, client: PlatformClient) -> None:
        self.client = client
        self.platform = client.platform

    @classmethod
    def connect(cls, url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any) -> UsageFeedClient:
        """A feed client with a client of its own."""
        return cls(secure_access_client(url, recorder, timeout, **client))

    async def __aenter__(self) -> UsageFeedClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.client.close()

    async def events(self, after: int | None, limit: int = PAGE_DEFAULT) -> UsageBatch:
        """The events after the cursor `after` (None: from the first), at most `limit`, oldest first; store `next`
        once they are taken. PlatformUnavailable / PlatformRejected (UNEXPECTED_ANSWER: a page that could make the
        consumer take an event twice or skip one)."""
        query = {"limit": limit} | ({} if after is None else {"after": after})
        answer = await self.client.call("usage", f"/usage?{urlencode(query)}", None, idempotency_key=None, method="GET")
        batch = self._parse(UsageBatch, "usage", answer)
        if after is not None and batch.events and batch.events[0].id <= after:
            self._breach("usage", f"event {batch.events[0].id} is not after the cursor {after}")
        if len(batch.events) > limit:
            self._breach("usage", f"{len(batch.events)} events, more than the {limit} asked for")
        if after is not None and batch.next is not None and batch.next < after:
            self._breach("usage", f"next {batch.next} goes back before the cursor {after}")
        return batch if batch.next is not None or after is None else batch.model_copy(update={"next": after})

    async def online(self) -> OnlineAnswer:
        """Accounts with open sessions now; PlatformUnavailable / PlatformRejected."""
        answer = await self.client.call("online", "/accounts/online", None, idempotency_key=None, method="GET")
        return self._parse(OnlineAnswer, "online", answer)

    def _parse(self, model: type[M], operation: str, answer: dict[str, Any]) -> M:
        try:
            return model.model_validate(answer)
        except ValidationError as error:
            self._breach(operation, explain(error))

    def _breach(self, operation: str, why: str) -> NoReturn:
        raise PlatformRejected(f"{self.platform} {operation}: unexpected answer ({why})", "UNEXPECTED_ANSWER") from None
