"""The role catalogue, kept per process.

Roles are a short list that almost every screen shows (a user's roles) and that changes a few
times a year, so each process keeps them in memory: reloaded after any role change (this process
at commit; other processes when the bus tells them) and at least every `ttl` seconds, in case a
message was missed. Authorisation never reads this cache: the permissions of a request come from
the database with its token (domain/identity/repository.py, token_owner).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from core import integrity
from core.db.engine import Db
from core.db.uow import UnitOfWork
from domain.identity.models import Role, RolePermission
from domain.identity.records import RoleRecord

ROLE_CHANNEL = "identity.role_changed"
log = logging.getLogger(__name__)

_R = Role.__table__.c
_RP = RolePermission.__table__.c
_COLS = [_R.id, _R.code, _R.name, _R.description, _R.duty, _R.unit_kind, _R.built_in, _R.created_at, _R.updated_at]


class RoleCatalog:
    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._roles: dict[int, RoleRecord] | None = None
        self._loaded_at = 0.0
        self._generation = 0  # bumped by invalidate(): a load that began before it must not be kept

    async def get(self, db: Db) -> dict[int, RoleRecord]:
        """Every role by id, with its permissions; the records are shared: never change them."""
        roles = self._roles
        if roles is not None and time.monotonic() - self._loaded_at < self.ttl:
            return roles
        generation = self._generation
        permissions: dict[int, list[str]] = defaultdict(list)
        for role_id, code, mac in await db.execute(select(_RP.role_id, _RP.permission, _RP.mac).order_by(_RP.permission)):
            if integrity.holds(mac, "role_permission", role_id, code):
                permissions[role_id].append(code)
            else:  # a permission nobody granted through the application: it grants nothing
                log.error("integrity violation: role_permission role=%s permission=%s fails its MAC", role_id, code)
        roles = {}
        for row in await db.execute(select(*_COLS).order_by(_R.id)):
            record = RoleRecord(*row)
            record.permissions = permissions.get(record.id, [])
            roles[record.id] = record
        if generation == self._generation:
            self._roles, self._loaded_at = roles, time.monotonic()
        return roles

    def invalidate(self, *_: Any) -> None:
        self._roles = None
        self._generation += 1


ROLES = RoleCatalog()


def roles_changed(uow: UnitOfWork) -> None:
    """Call in a unit of work that writes roles or their permissions: after commit this process
    drops its catalogue at once, and the bus tells every other process to do the same."""

    async def drop() -> None:
        ROLES.invalidate()

    uow.after_commit(drop)
    uow.publish(ROLE_CHANNEL, {})
