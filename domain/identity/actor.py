"""Who is asking: the authenticated user, their unit's reach and their permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.identity.enums import OrgUnitKind


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    org_unit_id: int
    unit_kind: OrgUnitKind
    unit_path: str
    permissions: frozenset[str]
    token_id: int | None = None
    token_expires_at: datetime | None = None
    client_ip: str | None = None

    @property
    def sees_all_units(self) -> bool:
        """Management-unit users see every unit's records; access-unit users only their own subtree."""
        return self.unit_kind is OrgUnitKind.MANAGEMENT

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def data_scope(self) -> str:
        """Which units' rows this actor reads: "*" for all of them, else their unit's path (the subtree). Everyone
        with the same value reads the same rows (shared dashboard figures are cached per value)."""
        return "*" if self.sees_all_units else self.unit_path
