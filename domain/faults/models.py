"""A fault (故障报修): what broke, where, how badly, and the times its rectification order measured."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, UTCDateTime, enum_column
from domain.catalog.enums import ServiceDomain
from domain.faults.enums import FaultCategory, FaultLevel, FaultStage


class Fault(Base):
    """One repair report and its rectification (the `faults.rectify` work order carries the flow and its SLA clocks:
    the review step's clock is the response time, the order's clock the resolution time, both around the clock)."""

    __tablename__ = "fault"
    __table_args__ = (
        Index("ix_fault_domain_stage_reported", "domain", "stage", "reported_at"),
        Index("ix_fault_unit_reported", "unit_id", "reported_at"),
        Index("ix_fault_reported", "reported_at", "id"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), unique=True)
    domain: Mapped[ServiceDomain] = mapped_column(enum_column(ServiceDomain, "fault_domain"))
    category: Mapped[FaultCategory] = mapped_column(enum_column(FaultCategory, "fault_category"))
    level: Mapped[FaultLevel] = mapped_column(enum_column(FaultLevel, "fault_level"))
    stage: Mapped[FaultStage] = mapped_column(enum_column(FaultStage, "fault_stage"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)  # None: an alert opened it
    sim_card_id: Mapped[int | None] = mapped_column(ForeignKey("sim_card.id"), nullable=True, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("secure_access_account.id"), nullable=True, index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), nullable=True, index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"), nullable=True, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it began (an alert's first occurrence)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the review confirmed it
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # last reported repaired
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # verified, rejected or withdrawn
    response_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)  # time to respond, from the clock
    resolution_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)  # time to resolve, once verified
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
