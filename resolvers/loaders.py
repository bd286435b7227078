"""Per-request dataloaders for what look-ahead could not prefetch; each batch uses its own short session."""

from __future__ import annotations

from typing import Any

from aiodataloader import DataLoader

from domain.identity import repository as identity
from domain.identity.permissions import PERMISSIONS


class Loaders:
    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self.org_unit = DataLoader(self._units)
        self.user = DataLoader(self._users)
        self.user_roles = DataLoader(self._user_roles)
        self.role_permissions = DataLoader(self._role_permissions)

    async def _units(self, ids: list[int]) -> list[Any]:
        async with self._ctx.read_session() as s:
            found = await identity.units_by_ids(s, self._ctx.require_actor(), ids)
        return [found.get(i) for i in ids]

    async def _users(self, ids: list[int]) -> list[Any]:
        async with self._ctx.read_session() as s:
            found = await identity.users_by_ids(s, self._ctx.require_actor(), ids)
        return [found.get(i) for i in ids]

    async def _user_roles(self, ids: list[int]) -> list[Any]:
        async with self._ctx.read_session() as s:
            found = await identity.roles_by_user_ids(s, ids)
        return [found.get(i, []) for i in ids]

    async def _role_permissions(self, ids: list[int]) -> list[Any]:
        async with self._ctx.read_session() as s:
            found = await identity.permissions_by_role_ids(s, ids)
        return [[PERMISSIONS[c] for c in found.get(i, []) if c in PERMISSIONS] for i in ids]
