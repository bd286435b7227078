"""Identity statuses, kinds and the three separated administrator duties."""

from __future__ import annotations

import enum


class OrgUnitKind(str, enum.Enum):
    MANAGEMENT = "MANAGEMENT"  # 管理单位: reviews, approves, sees everything
    ACCESS_UNIT = "ACCESS_UNIT"  # 接入单位: applies for services, sees only its own data


class OrgUnitStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class UserStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class AdminDuty(str, enum.Enum):
    """三员分立: MLPS level 3 requires these duties to be held by three different people."""

    SYSTEM = "SYSTEM"
    SECURITY = "SECURITY"
    AUDIT = "AUDIT"


class RoleUnitKind(str, enum.Enum):
    """Which units' users may hold a role."""

    MANAGEMENT = "MANAGEMENT"
    ACCESS_UNIT = "ACCESS_UNIT"
    ANY = "ANY"


class OrgUnitChange(str, enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    STATUS_CHANGED = "STATUS_CHANGED"


# Allowed status transitions (every state change goes through a table like this).
ORG_UNIT_TRANSITIONS: dict[OrgUnitStatus, set[OrgUnitStatus]] = {
    OrgUnitStatus.ACTIVE: {OrgUnitStatus.DISABLED},
    OrgUnitStatus.DISABLED: {OrgUnitStatus.ACTIVE},
}
USER_TRANSITIONS: dict[UserStatus, set[UserStatus]] = {
    UserStatus.ACTIVE: {UserStatus.DISABLED},
    UserStatus.DISABLED: {UserStatus.ACTIVE},
}


class ApiClientStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"
