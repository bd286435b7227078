"""SIM cards and their catalogues: plans per carrier, the applications a card may reach, terminal accounts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, Money, UTCDateTime, enum_column
from core.db.encrypted import BlindIndex, Encrypted, blind_indexed, normalize_phone
from domain.catalog.enums import CatalogStatus
from domain.wireless.enums import (
    Carrier,
    SimCardDomain,
    SimCardEventKind,
    SimCardStatus,
    TerminalAccountStatus,
)


class SimPlan(Base):
    """套餐: a carrier's plan (catalogue data, mirrored from the carrier)."""

    __tablename__ = "sim_plan"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    carrier: Mapped[Carrier] = mapped_column(enum_column(Carrier, "carrier"))
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the carrier's own code
    name: Mapped[str] = mapped_column(String(100))
    monthly_fee: Mapped[int] = mapped_column(Money)  # fen
    data_gb: Mapped[int] = mapped_column(Integer)
    status: Mapped[CatalogStatus] = mapped_column(enum_column(CatalogStatus, "sim_plan_status"), default=CatalogStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SimCard(Base):
    """专网卡: one card, its carrier-issued numbers, its unit, plan and state."""

    __tablename__ = "sim_card"
    __table_args__ = (
        Index("ix_sim_card_unit_status", "unit_id", "status", "id"),
        Index("ix_sim_card_carrier_status", "carrier", "status"),
        Index("ix_sim_card_plan", "plan_id"),
        Index("ix_sim_card_activated", "activated_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    iccid: Mapped[str] = mapped_column(String(20), unique=True)
    msisdn: Mapped[str] = mapped_column(Encrypted("sim_card.msisdn"))
    msisdn_bidx: Mapped[str] = mapped_column(BlindIndex, index=True)  # exact search without the number in clear
    imsi: Mapped[str] = mapped_column(String(15), unique=True)
    domain: Mapped[SimCardDomain] = mapped_column(enum_column(SimCardDomain, "sim_card_domain"))
    carrier: Mapped[Carrier] = mapped_column(enum_column(Carrier, "sim_card_carrier"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("sim_plan.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    holder_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    holder_phone: Mapped[str | None] = mapped_column(Encrypted("sim_card.holder_phone"), nullable=True)
    status: Mapped[SimCardStatus] = mapped_column(enum_column(SimCardStatus, "sim_card_status"))
    imei: Mapped[str | None] = mapped_column(String(16), nullable=True)  # the device it is bound to
    # A plan change the carrier confirmed for a later day (its rule: the first of next month unless urgent);
    # the daily wireless.plans_due job moves it into plan_id on that day.
    next_plan_id: Mapped[int | None] = mapped_column(ForeignKey("sim_plan.id"), nullable=True)
    next_plan_from: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    next_plan_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), nullable=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("sim_card.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}


blind_indexed(SimCard.msisdn, SimCard.msisdn_bidx, normalize_phone)


class SimCardEvent(Base):
    """A card's history: every state change and edit, with the work order that caused it."""

    __tablename__ = "sim_card_event"
    __table_args__ = (Index("ix_sim_card_event_card", "card_id", "id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("sim_card.id", ondelete="CASCADE"))
    kind: Mapped[SimCardEventKind] = mapped_column(enum_column(SimCardEventKind, "sim_card_event_kind"))
    from_status: Mapped[SimCardStatus | None] = mapped_column(enum_column(SimCardStatus, "sim_card_event_from"), nullable=True)
    to_status: Mapped[SimCardStatus | None] = mapped_column(enum_column(SimCardStatus, "sim_card_event_to"), nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


terminal_account_application = Table(
    "terminal_account_application",
    Base.metadata,
    Column("account_id", BigInteger, ForeignKey("terminal_account.id", ondelete="CASCADE"), primary_key=True),
    Column("application_id", BigInteger, ForeignKey("application.id"), primary_key=True),
    Index("ix_terminal_account_application_app", "application_id"),
)


class TerminalAccount(Base):
    """终端安全管控账号: the card's account on the wireless support platform, and what it may reach."""

    __tablename__ = "terminal_account"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("sim_card.id"), unique=True)
    account_name: Mapped[str] = mapped_column(String(40), unique=True)  # issued by the support platform
    holder_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[TerminalAccountStatus] = mapped_column(enum_column(TerminalAccountStatus, "terminal_account_status"))
    online: Mapped[bool] = mapped_column(Boolean, default=False)  # from the support platform's user sync
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SimCardTraffic(Base):
    """A card's traffic of one Beijing day, from its carrier's daily report."""

    __tablename__ = "sim_card_traffic"
    __table_args__ = (Index("ix_sim_card_traffic_day", "day"),)

    card_id: Mapped[int] = mapped_column(ForeignKey("sim_card.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    uplink_bytes: Mapped[int] = mapped_column(BigInteger)
    downlink_bytes: Mapped[int] = mapped_column(BigInteger)


class UnitTraffic(Base):
    """A unit's traffic of one Beijing day: its cards' rows of sim_card_traffic summed when the carriers' report of
    the day is stored (domain/wireless/sync.py), so the overview reads units × days, not cards × days."""

    __tablename__ = "sim_unit_traffic"
    __table_args__ = (Index("ix_sim_unit_traffic_day", "day"),)

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    uplink_bytes: Mapped[int] = mapped_column(BigInteger)
    downlink_bytes: Mapped[int] = mapped_column(BigInteger)
    cards: Mapped[int] = mapped_column(Integer)  # cards that reported that day
