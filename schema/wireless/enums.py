"""Wireless enums exposed in the contract (the domain owns the values)."""

from __future__ import annotations

from domain.wireless import enums as e
from domain.wireless.errors import WirelessErrorCode as Code
from schema.scalars import gql_enum

Carrier = gql_enum(e.Carrier, "A 5G carrier.", {
    e.Carrier.CBN: "中国广电 China Broadcast Network.",
    e.Carrier.TELECOM: "中国电信 China Telecom.",
    e.Carrier.MOBILE: "中国移动 China Mobile.",
    e.Carrier.UNICOM: "中国联通 China Unicom.",
})  # fmt: skip
SimCardDomain = gql_enum(e.SimCardDomain, "Which networks a card reaches.", {
    e.SimCardDomain.SINGLE: "单域卡: the private network only.",
    e.SimCardDomain.DUAL: "双域卡: the private network and the public internet.",
})  # fmt: skip
SimCardStatus = gql_enum(e.SimCardStatus, "Where a card stands (changes only through the transition table).", {
    e.SimCardStatus.APPLIED: "Registered, not yet activated by the carrier.",
    e.SimCardStatus.ACTIVE: "In service.",
    e.SimCardStatus.SUSPENDED: "Suspended (停机).",
    e.SimCardStatus.CANCELLED: "Cancelled at the carrier (销户).",
    e.SimCardStatus.REPLACED: "Replaced by a new card that took its number, plan, applications and account.",
})  # fmt: skip
SimCardEventKind = gql_enum(e.SimCardEventKind, "What happened to a card.", {
    e.SimCardEventKind.REGISTERED: "It entered the registry.",
    e.SimCardEventKind.ACTIVATED: "The carrier activated it.",
    e.SimCardEventKind.STATUS_CHANGED: "Its status changed.",
    e.SimCardEventKind.PLAN_SCHEDULED: "The carrier confirmed a plan change that takes effect on a later day.",
    e.SimCardEventKind.PLAN_CHANGED: "Its plan changed (the change came into force).",
    e.SimCardEventKind.IMEI_BOUND: "It was bound to a device.",
    e.SimCardEventKind.IMEI_RELEASED: "Its device binding was released.",
    e.SimCardEventKind.APPLICATIONS_CHANGED: "The applications it may reach changed.",
    e.SimCardEventKind.REPLACED: "A new card replaced it.",
    e.SimCardEventKind.EDITED: "Its details were edited.",
})  # fmt: skip
TerminalAccountStatus = gql_enum(e.TerminalAccountStatus, "Whether a terminal account is open.", {
    e.TerminalAccountStatus.ACTIVE: "Open on the wireless support platform.",
    e.TerminalAccountStatus.CLOSED: "Closed (the card was cancelled).",
})  # fmt: skip
SimCardSort = gql_enum(e.SimCardSort, "Order of a card list.", {
    e.SimCardSort.CREATED_DESC: "Newest registered first (default).",
    e.SimCardSort.CREATED_ASC: "Oldest registered first.",
    e.SimCardSort.ICCID_ASC: "By ICCID.",
})  # fmt: skip
WirelessErrorCode = gql_enum(Code, "Why a wireless request was refused; nothing was changed.", {
    Code.INVALID_INPUT: "Input fails validation; `field` names it.",
    Code.NOT_FOUND: "No such record in your data scope.",
    Code.INVALID_TRANSITION: "Not allowed in the record's current status.",
    Code.DUPLICATE_CARD: "A card with this ICCID or IMSI is already registered.",
    Code.PLAN_OF_ANOTHER_CARRIER: "The plan is not the card's carrier's.",
    Code.UNKNOWN_APPLICATION: "No such application in the catalogue.",
})  # fmt: skip
