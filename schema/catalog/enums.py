"""Catalogue enums shared by the areas."""

from __future__ import annotations

from domain.catalog.enums import ServiceDomain as Domain
from schema.scalars import gql_enum

ServiceDomain = gql_enum(Domain, "The service a record belongs to (assets, faults).", {
    Domain.WIRELESS: "无线网: the 5G private network (cards, UPFs, base stations, carriers).",
    Domain.SECURE_ACCESS: "互联网安全加密接入: secure access accounts, gateways and the access zone.",
    Domain.FIBER: "有线网: the extranet's fibre backbone, and what belongs to no other service.",
}, "ServiceDomain")  # fmt: skip
