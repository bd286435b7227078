"""Catalogue enums."""

from __future__ import annotations

import enum


class CatalogStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"  # offered for new grants
    RETIRED = "RETIRED"  # kept for those that have it, not offered any more


class ServiceDomain(str, enum.Enum):
    """The service a record belongs to: assets, faults and metrics share it (the cloud platform's join later)."""

    WIRELESS = "WIRELESS"  # 无线网 (the 5G private network)
    SECURE_ACCESS = "SECURE_ACCESS"  # 互联网安全加密接入
    FIBER = "FIBER"  # 有线网 (the extranet's fibre backbone)


DOMAIN_NAMES = {
    ServiceDomain.WIRELESS: "无线网",
    ServiceDomain.SECURE_ACCESS: "互联网安全加密接入",
    ServiceDomain.FIBER: "有线网",
}
