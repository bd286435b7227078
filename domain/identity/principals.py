"""Who a request acts as: a login token's or an API client's user, unit, scope MACs and grants, each in
one statement (they run on every request; the caller verifies the MACs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, String, bindparam, cast, func, select

from core.db.engine import Db
from core.db.functions import string_agg
from domain.identity.enums import ApiClientStatus, OrgUnitKind, OrgUnitStatus, UserStatus
from domain.identity.models import AccessToken, ApiClient, OrgUnit, User, UserRole

U = OrgUnit.__table__.c
US = User.__table__.c
UR = UserRole.__table__.c
T = AccessToken.__table__.c


@dataclass(frozen=True, slots=True)
class TokenOwner:
    token_id: int
    expires_at: datetime
    last_used_at: datetime | None
    user_id: int
    username: str
    display_name: str
    user_status: UserStatus
    org_unit_id: int
    unit_kind: OrgUnitKind
    unit_status: OrgUnitStatus
    unit_path: str
    user_scope_mac: str | None
    unit_scope_mac: str | None
    bindings: tuple[tuple[int, str], ...]  # (role id, mac) of each role the user holds


def _grants() -> Any:
    """The user's grants as "role id:mac" pairs: verified by the caller, turned into permissions by the
    role catalogue (whose permissions were verified when it loaded)."""
    return (
        select(string_agg(cast(UR.role_id, String) + ":" + func.coalesce(UR.mac, "")))
        .where(UR.user_id == US.id)
        .scalar_subquery()
    )


# Who a request acts as, after its token or client columns: the user, the unit, their scope MACs, the grants.
def _principal_columns() -> list[Any]:
    return [US.id, US.username, US.display_name, US.status, U.id, U.kind, U.status, U.path, US.scope_mac, U.scope_mac, _grants()]


def _bindings(packed: str | None) -> tuple[tuple[int, str], ...]:
    return tuple((int(r), m) for r, _, m in (b.partition(":") for b in packed.split(","))) if packed else ()


@lru_cache(maxsize=1)
def _token_owner_statement() -> Select[Any]:
    return (
        select(T.id, T.expires_at, T.last_used_at, *_principal_columns())
        .join(User.__table__, US.id == T.user_id)
        .join(OrgUnit.__table__, U.id == US.org_unit_id)
        .where(T.token_hash == bindparam("token_hash"), T.revoked_at.is_(None), T.expires_at > bindparam("now"))
    )


async def token_owner(session: Db, token_hash: str, now: datetime) -> TokenOwner | None:
    """Token, user, unit and the user's permissions in one statement (it runs on every request)."""
    row = (await session.execute(_token_owner_statement(), {"token_hash": token_hash, "now": now})).first()
    return None if row is None else TokenOwner(*row[:-1], _bindings(row[-1]))


@dataclass(frozen=True, slots=True)
class ClientPrincipal:
    """An API client with its service account, unit and grants: what a signed request authenticates as."""

    client_id: int
    key_id: str
    name: str
    secret: str
    operations: list[str]
    platforms: list[str]
    client_status: ApiClientStatus
    user_id: int
    username: str
    display_name: str
    user_status: UserStatus
    org_unit_id: int
    unit_kind: OrgUnitKind
    unit_status: OrgUnitStatus
    unit_path: str
    user_scope_mac: str | None
    unit_scope_mac: str | None
    bindings: tuple[tuple[int, str], ...]


@lru_cache(maxsize=1)
def _client_principal_statement() -> Select[Any]:
    C = ApiClient.__table__.c
    return (
        select(C.id, C.key_id, C.name, C.secret, C.operations, C.platforms, C.status, *_principal_columns())
        .select_from(ApiClient.__table__)
        .join(User.__table__, US.id == C.user_id)
        .join(OrgUnit.__table__, U.id == US.org_unit_id)
        .where(C.key_id == bindparam("key_id"))
    )


async def client_principal(session: Db, key_id: str) -> ClientPrincipal | None:
    row = (await session.execute(_client_principal_statement(), {"key_id": key_id})).first()
    return None if row is None else ClientPrincipal(*row[:-1], _bindings(row[-1]))


@lru_cache(maxsize=1)
def _user_statement() -> Select[Any]:
    return (
        select(*_principal_columns())
        .select_from(User.__table__.join(OrgUnit.__table__, U.id == US.org_unit_id))
        .where(US.id == bindparam("user_id"))
    )


async def user_principal(session: Db, user_id: int) -> TokenOwner | None:
    """A user as a background job acts for them (an export they asked for): no token, the same checks."""
    row = (await session.execute(_user_statement(), {"user_id": user_id})).first()
    return None if row is None else TokenOwner(0, datetime.max, None, *row[:-1], _bindings(row[-1]))
