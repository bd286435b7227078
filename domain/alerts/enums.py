"""Alert kinds (the glossary's), severities and statuses."""

from __future__ import annotations

import enum


class AlertKind(str, enum.Enum):
    NETWORK_SECURITY = "NETWORK_SECURITY"  # 网络安全告警
    UPF = "UPF"  # UPF告警
    SECURE_ACCESS_ZONE = "SECURE_ACCESS_ZONE"  # 安全接入区告警
    TERMINAL_BEHAVIOUR = "TERMINAL_BEHAVIOUR"  # 终端安全异常行为告警
    BUSINESS = "BUSINESS"  # 业务告警 (a work order stuck at a platform is one)
    USER_BEHAVIOUR = "USER_BEHAVIOUR"  # 用户行为异常告警
    ASSET_LIFECYCLE = "ASSET_LIFECYCLE"  # 年限告警: an asset's end of life or warranty end is near or past


class AlertSeverity(str, enum.Enum):
    CRITICAL = "CRITICAL"
    MAJOR = "MAJOR"
    MINOR = "MINOR"
    WARNING = "WARNING"


class AlertStatus(str, enum.Enum):
    FIRING = "FIRING"
    RESOLVED = "RESOLVED"


# Most severe first: the order of a list sorted by severity, and of an escalation.
SEVERITY_RANK = {AlertSeverity.CRITICAL: 0, AlertSeverity.MAJOR: 1, AlertSeverity.MINOR: 2, AlertSeverity.WARNING: 3}


class AlertEventKind(str, enum.Enum):
    FIRED = "FIRED"  # the first occurrence (repeats count on the alert, not here)
    ACKNOWLEDGED = "ACKNOWLEDGED"  # someone took it on, with a comment
    ASSIGNED = "ASSIGNED"  # given an owner
    COMMENTED = "COMMENTED"
    RESOLVED = "RESOLVED"  # by its source, or by hand
    SILENCED = "SILENCED"  # it fired while a silence held
    UNSILENCED = "UNSILENCED"  # the silence ended (or was cancelled) while it still fired: noticed now


class AlertSort(str, enum.Enum):
    LAST_SEEN_DESC = "LAST_SEEN_DESC"  # most recently seen first
    FIRST_SEEN_DESC = "FIRST_SEEN_DESC"  # newest first


class SilenceStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"  # holds now or will (a window that recurs)
    EXPIRED = "EXPIRED"  # past its end
    CANCELLED = "CANCELLED"  # ended by hand
