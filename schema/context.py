"""Per-request context: who is asking, the request id, the app's services and the dataloaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from core.db.uow import UnitOfWork
from core.errors import Forbidden, Unauthenticated
from domain.identity.actor import Actor

if TYPE_CHECKING:
    from server import AppServices

T = TypeVar("T")


@dataclass(eq=False)
class Context:
    services: AppServices
    request: Any
    response: Any
    request_id: str
    client_ip: str | None
    user_agent: str | None
    actor: Actor | None = None
    token: str | None = None  # the bearer token, kept for WebSockets to re-check it while they stay open
    connection_params: dict[str, Any] | None = None
    api_caller: Any = None  # a signed request's client (domain.identity.apiclients.SignedCaller)
    _loaders: Any = field(default=None, repr=False)

    @property
    def settings(self) -> Any:
        return self.services.settings

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise Unauthenticated()
        return self.actor

    async def refresh_actor(self) -> Actor:
        """Authenticate the token again (a long-lived WebSocket must notice revocations and role changes)."""
        from domain.identity import auth

        actor = None
        if self.token:
            try:
                async with self.services.read() as db:
                    actor, _ = await auth.authenticate(db, self.token, client_ip=self.client_ip)
            except auth.IntegrityViolation:
                actor = None  # the HTTP path records the event; a socket just closes
        self.actor = actor
        return self.require_actor()

    async def screen(self, name: str, args: Hashable, compute: Callable[[], Awaitable[T]], factor: float = 1.0) -> T:
        """Dashboard figures shared by everyone with the viewer's data scope (core.screencache). For figures that
        depend on nothing else about the viewer: the field's permission is checked before this runs. `compute`
        opens its own connection and puts the time it ran into the result; figures are kept `factor` times
        GOVOPS_SCREEN_CACHE_SECONDS."""
        key = (name, self.require_actor().data_scope, args)
        return await self.services.screens.get(key, compute, factor)  # type: ignore[no-any-return]

    def require(self, permission: str) -> Actor:
        actor = self.require_actor()
        if not actor.can(permission):
            raise Forbidden(f"权限不足 / Permission denied: {permission}")
        return actor

    def read_session(self) -> AsyncConnection:
        """A short read-only connection (use `async with`); every read batch gets its own, because
        strawberry resolves sibling fields concurrently and a connection runs one statement at a time."""
        return self.services.read()

    def unit_of_work(self) -> UnitOfWork:
        return self.services.unit_of_work()

    @property
    def loaders(self) -> Any:
        if self._loaders is None:
            from resolvers.loaders import Loaders

            self._loaders = Loaders(self)
        return self._loaders
