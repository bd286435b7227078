"""Read models of assets: slotted records from Core rows, with slots for prefetched relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.assets.enums import AssetEventKind, AssetStatus, AssetType, InspectionKind, InspectionResult
from domain.catalog.enums import ServiceDomain
from domain.identity.records import NOT_LOADED


@dataclass(slots=True, eq=False)
class AssetModelRecord:
    id: int
    vendor: str
    model: str
    type: AssetType
    hardware: str | None
    software: str | None
    lifespan_years: int
    end_of_support: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True, eq=False)
class AssetRecord:
    id: int
    serial: str
    name: str
    model_id: int
    domain: ServiceDomain
    unit_id: int
    location: str | None
    status: AssetStatus
    commissioned_on: date | None
    warranty_until: date | None
    end_of_life: date | None
    parent_id: int | None
    software_version: str | None
    management_ip: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    model: Any = field(default=NOT_LOADED)
    unit: Any = field(default=NOT_LOADED)
    parent: Any = field(default=NOT_LOADED)
    children: Any = field(default=NOT_LOADED)
    events: Any = field(default=NOT_LOADED)
    upgrades: Any = field(default=NOT_LOADED)
    inspections: Any = field(default=NOT_LOADED)
    faults: Any = field(default=NOT_LOADED)
    alerts: Any = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class AssetEventRecord:
    id: int
    asset_id: int
    kind: AssetEventKind
    actor_name: str
    at: datetime
    detail: dict[str, Any]


@dataclass(slots=True, eq=False)
class AssetUpgradeRecord:
    id: int
    asset_id: int
    from_version: str | None
    to_version: str
    order_id: int | None
    note: str | None
    actor_name: str
    at: datetime


@dataclass(slots=True, eq=False)
class AssetInspectionRecord:
    id: int
    asset_id: int
    kind: InspectionKind
    result: InspectionResult
    checklist: list[dict[str, Any]]
    photos: list[dict[str, Any]]
    note: str | None
    inspector_name: str
    at: datetime
