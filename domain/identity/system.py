"""The actor used by operator commands run on the server itself (`govops user create`)."""

from __future__ import annotations

from domain.identity.actor import Actor
from domain.identity.enums import OrgUnitKind
from domain.identity.permissions import PERMISSIONS


def system_actor() -> Actor:
    """Sees every unit (root path) and holds every permission; user id 0 is nobody's."""
    return Actor(
        user_id=0, username="system", display_name="系统 / system", org_unit_id=0,
        unit_kind=OrgUnitKind.MANAGEMENT, unit_path="/", permissions=frozenset(PERMISSIONS),
    )  # fmt: skip
