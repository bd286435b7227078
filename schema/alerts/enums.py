"""Alert enums exposed in the contract (the domain owns the values)."""

from __future__ import annotations

from domain.alerts import enums as e
from domain.alerts.errors import AlertErrorCode as Code
from schema.scalars import gql_enum

AlertKind = gql_enum(e.AlertKind, "What an alert is about (the glossary's kinds).", {
    e.AlertKind.NETWORK_SECURITY: "网络安全告警: network security.",
    e.AlertKind.UPF: "UPF告警: the 5G user plane.",
    e.AlertKind.SECURE_ACCESS_ZONE: "安全接入区告警: the secure access zone.",
    e.AlertKind.TERMINAL_BEHAVIOUR: "终端安全异常行为告警: a wireless terminal's abnormal behaviour.",
    e.AlertKind.BUSINESS: "业务告警: a business process (a work order stuck at a platform is one).",
    e.AlertKind.USER_BEHAVIOUR: "用户行为异常告警: a secure access user's abnormal behaviour.",
    e.AlertKind.ASSET_LIFECYCLE: "年限告警: an asset's end of life or warranty end is near (90, 30, 7 days) or past.",
})  # fmt: skip
AlertSeverity = gql_enum(e.AlertSeverity, "How serious.", {
    e.AlertSeverity.CRITICAL: "Critical: act now.",
    e.AlertSeverity.MAJOR: "Major.",
    e.AlertSeverity.MINOR: "Minor.",
    e.AlertSeverity.WARNING: "Warning.",
})  # fmt: skip
AlertStatus = gql_enum(e.AlertStatus, "Whether the problem is still there.", {
    e.AlertStatus.FIRING: "Firing: repeats count on it.",
    e.AlertStatus.RESOLVED: "Resolved by its source or by hand; a new occurrence opens a new alert.",
})  # fmt: skip
AlertEventKind = gql_enum(e.AlertEventKind, "What happened to an alert.", {
    e.AlertEventKind.FIRED: "It fired (its first occurrence).",
    e.AlertEventKind.ACKNOWLEDGED: "Someone took it on.",
    e.AlertEventKind.ASSIGNED: "It was given an owner.",
    e.AlertEventKind.COMMENTED: "A comment.",
    e.AlertEventKind.RESOLVED: "It was resolved, by its source or by hand.",
    e.AlertEventKind.SILENCED: "It fired while a silence held: no notice, no automatic fault.",
    e.AlertEventKind.UNSILENCED: "Its silence ended while it still fired: noticed now.",
})  # fmt: skip
AlertSort = gql_enum(e.AlertSort, "Order of an alert list.", {
    e.AlertSort.LAST_SEEN_DESC: "Most recently seen first (default).",
    e.AlertSort.FIRST_SEEN_DESC: "Most recently fired first.",
})  # fmt: skip
AlertErrorCode = gql_enum(Code, "Why an act on an alert was refused.", {
    Code.INVALID_INPUT: "A field is missing or out of range (see `field`).",
    Code.NOT_FOUND: "No such alert (or user) in your data scope.",
    Code.INVALID_TRANSITION: "Not allowed in the alert's state (resolved, or acknowledged already).",
    Code.STALE_STATE: "Someone changed the alert since you read it; reload and retry.",
})  # fmt: skip
SilenceStatus = gql_enum(e.SilenceStatus, "Whether a silence still holds.", {
    e.SilenceStatus.ACTIVE: "Holds now, or will (a window that recurs, or one that starts later).",
    e.SilenceStatus.EXPIRED: "Past its end.",
    e.SilenceStatus.CANCELLED: "Ended by hand.",
})  # fmt: skip
