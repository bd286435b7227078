"""Read models: plain slotted records built from Core rows, with slots for prefetched relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.identity.enums import AdminDuty, OrgUnitKind, OrgUnitStatus, RoleUnitKind, UserStatus


class _NotLoaded:
    """A relation nobody prefetched (the resolver then falls back to a dataloader)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_LOADED"

    def __bool__(self) -> bool:
        return False


NOT_LOADED: Any = _NotLoaded()


def unread(record: Any, names: tuple[str, ...]) -> Any:
    """The record with the columns a read left unread (core.db.encrypted.columns_of) marked NOT_LOADED, so that a
    field showing one can only fall back, never show it empty."""
    for name in names:
        setattr(record, name, NOT_LOADED)
    return record


@dataclass(slots=True, eq=False)
class OrgUnitRecord:
    id: int
    code: str
    name: str
    kind: OrgUnitKind
    status: OrgUnitStatus
    parent_id: int | None
    path: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    address: str | None
    created_at: datetime
    updated_at: datetime
    parent: OrgUnitRecord | None = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class RoleRecord:
    id: int
    code: str
    name: str
    description: str
    duty: AdminDuty | None
    unit_kind: RoleUnitKind
    built_in: bool
    created_at: datetime
    updated_at: datetime
    permissions: list[str] = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class UserRecord:
    id: int
    username: str
    display_name: str
    org_unit_id: int
    status: UserStatus
    locked_until: datetime | None
    last_login_at: datetime | None
    phone: str | None
    email: str | None
    created_at: datetime
    updated_at: datetime
    org_unit: OrgUnitRecord | None = field(default=NOT_LOADED)
    roles: list[RoleRecord] = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class AccessTokenRecord:
    id: int
    user_id: int
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    client_ip: str | None
    user_agent: str | None
    user: UserRecord | None = field(default=NOT_LOADED)
