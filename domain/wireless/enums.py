"""Wireless enums and the SIM card transition table."""

from __future__ import annotations

import enum


class Carrier(str, enum.Enum):
    CBN = "CBN"  # 中国广电
    TELECOM = "TELECOM"  # 中国电信
    MOBILE = "MOBILE"  # 中国移动
    UNICOM = "UNICOM"  # 中国联通

    @property
    def platform(self) -> str:
        """The carrier's platform name in integrations (its gateway and simulator)."""
        return f"carrier_{self.value.lower()}"


class SimCardDomain(str, enum.Enum):
    SINGLE = "SINGLE"  # 单域卡: the private network only
    DUAL = "DUAL"  # 双域卡: the private network and the public internet


class SimCardStatus(str, enum.Enum):
    APPLIED = "APPLIED"  # registered, not yet activated by the carrier
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CANCELLED = "CANCELLED"
    REPLACED = "REPLACED"  # a new card took its number, plan, applications and account


C = SimCardStatus
# Every status change of a card goes through this table and writes a sim_card_event row.
CARD_TRANSITIONS: frozenset[tuple[SimCardStatus, SimCardStatus]] = frozenset(
    {
        (C.APPLIED, C.ACTIVE),
        (C.APPLIED, C.CANCELLED),
        (C.ACTIVE, C.SUSPENDED),
        (C.SUSPENDED, C.ACTIVE),
        (C.ACTIVE, C.CANCELLED),
        (C.SUSPENDED, C.CANCELLED),
        (C.ACTIVE, C.REPLACED),
        (C.SUSPENDED, C.REPLACED),
    }
)


class SimCardEventKind(str, enum.Enum):
    REGISTERED = "REGISTERED"
    ACTIVATED = "ACTIVATED"
    STATUS_CHANGED = "STATUS_CHANGED"
    PLAN_SCHEDULED = "PLAN_SCHEDULED"  # the carrier confirmed a change that takes effect on a later day
    PLAN_CHANGED = "PLAN_CHANGED"
    IMEI_BOUND = "IMEI_BOUND"
    IMEI_RELEASED = "IMEI_RELEASED"
    APPLICATIONS_CHANGED = "APPLICATIONS_CHANGED"
    REPLACED = "REPLACED"
    EDITED = "EDITED"


class TerminalAccountStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"


class SimCardSort(str, enum.Enum):
    CREATED_DESC = "CREATED_DESC"  # newest registered first
    CREATED_ASC = "CREATED_ASC"
    ICCID_ASC = "ICCID_ASC"
