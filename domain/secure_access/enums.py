"""Secure access enums and the account transition table."""

from __future__ import annotations

import enum


class AccountStatus(str, enum.Enum):
    APPLIED = "APPLIED"  # registered, not yet open on the platform
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"  # past its validity: the platform lets it in no more and frees its MACs; it may be revoked
    REVOKED = "REVOKED"


S = AccountStatus
# Every status change of an account goes through this table and writes a secure_access_event row.
ACCOUNT_TRANSITIONS: frozenset[tuple[AccountStatus, AccountStatus]] = frozenset(
    {
        (S.APPLIED, S.ACTIVE),
        (S.APPLIED, S.REVOKED),
        (S.ACTIVE, S.SUSPENDED),
        (S.SUSPENDED, S.ACTIVE),
        (S.ACTIVE, S.REVOKED),
        (S.SUSPENDED, S.REVOKED),
        (S.ACTIVE, S.EXPIRED),
        (S.SUSPENDED, S.EXPIRED),
        (S.EXPIRED, S.REVOKED),
    }
)
LIVE = (S.ACTIVE, S.SUSPENDED)  # accounts that hold their MAC addresses
REVOCABLE = (S.ACTIVE, S.SUSPENDED, S.EXPIRED)  # accounts the platform still has open


class AccountEventKind(str, enum.Enum):
    OPENED = "OPENED"
    MACS_CHANGED = "MACS_CHANGED"
    SYSTEMS_CHANGED = "SYSTEMS_CHANGED"
    STATUS_CHANGED = "STATUS_CHANGED"
    EDITED = "EDITED"


class AccountSort(str, enum.Enum):
    CREATED_DESC = "CREATED_DESC"  # newest first
    CREATED_ASC = "CREATED_ASC"
    VALID_TO_ASC = "VALID_TO_ASC"  # soonest to expire first
