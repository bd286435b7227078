"""The equipment catalogue (AssetModel) and the assets in the field, with their history, upgrades and inspections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from domain.assets.enums import AssetEventKind, AssetStatus, AssetType, InspectionKind, InspectionResult
from domain.catalog.enums import ServiceDomain


class AssetModel(Base):
    """设备型号: one vendor's model, its hardware and software, its service life and the vendor's end of support."""

    __tablename__ = "asset_model"
    __table_args__ = (UniqueConstraint("vendor", "model"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    vendor: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(64))
    type: Mapped[AssetType] = mapped_column(enum_column(AssetType, "asset_type"))
    hardware: Mapped[str | None] = mapped_column(String(500), nullable=True)  # the hardware configuration
    software: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the software or firmware it ships with
    lifespan_years: Mapped[int] = mapped_column(Integer)  # its service life from commissioning
    end_of_support: Mapped[date | None] = mapped_column(Date, nullable=True)  # the vendor's end of support, if announced
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Asset(Base):
    """资产: one piece of equipment in the field. Its end of life is the earlier of its commissioning plus the model's
    service life and the model's end of support (kept on the row, so the reminders and lists can use an index)."""

    __tablename__ = "asset"
    __table_args__ = (
        Index("ix_asset_unit_status", "unit_id", "status", "id"),
        Index("ix_asset_domain_status", "domain", "status"),
        Index("ix_asset_end_of_life", "end_of_life"),
        Index("ix_asset_warranty_until", "warranty_until"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)  # 序列号, as the vendor prints it (upper case)
    name: Mapped[str] = mapped_column(String(100))
    model_id: Mapped[int] = mapped_column(ForeignKey("asset_model.id"), index=True)
    domain: Mapped[ServiceDomain] = mapped_column(enum_column(ServiceDomain, "asset_domain"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))  # the unit that uses (or holds) it
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[AssetStatus] = mapped_column(enum_column(AssetStatus, "asset_status"))
    commissioned_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # 投运日期
    warranty_until: Mapped[date | None] = mapped_column(Date, nullable=True)  # 保修截止
    end_of_life: Mapped[date | None] = mapped_column(Date, nullable=True)  # derived: see the class docstring
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), nullable=True, index=True)  # installed in
    software_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    management_ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The last reminder threshold noticed (90, 30, 7, 0 days) and when: each fires once, 0 daily until acknowledged.
    eol_notice_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    eol_noticed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    warranty_notice_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    warranty_noticed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AssetEvent(Base):
    """An asset's history: registered, imported, edited, status changes, upgrades, inspections, reminders."""

    __tablename__ = "asset_event"
    __table_args__ = (Index("ix_asset_event_asset", "asset_id", "id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    kind: Mapped[AssetEventKind] = mapped_column(enum_column(AssetEventKind, "asset_event_kind"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)  # None: the system
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class AssetUpgrade(Base):
    """升级记录: a software upgrade, from which version to which, by whom, under which work order."""

    __tablename__ = "asset_upgrade"
    __table_args__ = (Index("ix_asset_upgrade_asset", "asset_id", "id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    from_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    to_version: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssetInspection(Base):
    """进出场核查: a checklist walked at entry or exit, its result, the inspector, and photos (sealed in the store)."""

    __tablename__ = "asset_inspection"
    __table_args__ = (Index("ix_asset_inspection_asset", "asset_id", "id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    kind: Mapped[InspectionKind] = mapped_column(enum_column(InspectionKind, "asset_inspection_kind"))
    result: Mapped[InspectionResult] = mapped_column(enum_column(InspectionResult, "asset_inspection_result"))
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)  # [{"item", "passed", "note"}]
    photos: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)  # [{"key", "filename", "size", "contentType"}]
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    inspector_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
