"""Secure access enums exposed in the contract (the domain owns the values)."""

from __future__ import annotations

from domain.secure_access import enums as e
from domain.secure_access.errors import SecureAccessErrorCode as Code
from schema.scalars import gql_enum

SecureAccessAccountStatus = gql_enum(e.AccountStatus, "Where an account stands (changes only through the transition table).", {
    e.AccountStatus.APPLIED: "Registered, not yet open on the support platform.",
    e.AccountStatus.ACTIVE: "In service.",
    e.AccountStatus.SUSPENDED: "Suspended: it keeps its MAC addresses but cannot log in.",
    e.AccountStatus.EXPIRED: "Past its validity: it cannot log in and its MAC addresses are released; it may be revoked.",
    e.AccountStatus.REVOKED: "Revoked (撤销): closed on the platform; its MAC addresses are released.",
}, "SecureAccessAccountStatus")  # fmt: skip
SecureAccessEventKind = gql_enum(e.AccountEventKind, "What happened to an account.", {
    e.AccountEventKind.OPENED: "The support platform opened it.",
    e.AccountEventKind.MACS_CHANGED: "Its MAC addresses changed.",
    e.AccountEventKind.SYSTEMS_CHANGED: "The systems it may reach changed.",
    e.AccountEventKind.STATUS_CHANGED: "Its status changed.",
    e.AccountEventKind.EDITED: "The management unit corrected its basic information.",
}, "SecureAccessEventKind")  # fmt: skip
SecureAccessAccountSort = gql_enum(e.AccountSort, "Order of an account list.", {
    e.AccountSort.CREATED_DESC: "Newest first (default).",
    e.AccountSort.CREATED_ASC: "Oldest first.",
    e.AccountSort.VALID_TO_ASC: "Soonest to expire first.",
}, "SecureAccessAccountSort")  # fmt: skip
SecureAccessErrorCode = gql_enum(Code, "Why a secure access request was refused.", {
    Code.INVALID_INPUT: "A field is malformed or out of range (see `field`).",
    Code.NOT_FOUND: "No such account in your data scope.",
    Code.INVALID_TRANSITION: "Not allowed in the account's status.",
    Code.DUPLICATE_ACCOUNT: "The account is registered already.",
    Code.STALE_STATE: "Someone changed the account since you read it; reload and retry.",
})  # fmt: skip
