"""The actor used by operator commands run on the server itself (`govops user create`)."""

from __future__ import annotations

from domain.identity.actor import Actor
from domain.identity.enums import OrgUnitKind
from domain.identity.models import OrgUnit
from domain.identity.permissions import PERMISSIONS


def system_actor(unit: OrgUnit) -> Actor:
    return Actor(
        user_id=0, username="system", display_name="系统 / system", org_unit_id=unit.id,
        unit_kind=OrgUnitKind.MANAGEMENT, unit_path="/", permissions=frozenset(PERMISSIONS),
    )  # fmt: skip
