"""Secure access accounts, their MAC bindings, accessible systems and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from core.db.encrypted import BlindIndex, Encrypted, blind_indexed, normalize_exact
from domain.secure_access.enums import AccountEventKind, AccountStatus


class SecureAccessAccount(Base):
    """互联网安全加密接入账号: issued by the support platform; the holder's phone and ID number are sealed at rest."""

    __tablename__ = "secure_access_account"
    __table_args__ = (
        Index("ix_secure_access_account_unit_status", "unit_id", "status", "id"),
        Index("ix_secure_access_account_valid_to", "valid_to"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_name: Mapped[str] = mapped_column(String(20), unique=True)
    holder_name: Mapped[str] = mapped_column(String(64), index=True)
    holder_phone: Mapped[str] = mapped_column(Encrypted("secure_access_account.holder_phone"))
    holder_id_number: Mapped[str] = mapped_column(Encrypted("secure_access_account.holder_id_number"))
    holder_id_bidx: Mapped[str] = mapped_column(BlindIndex, index=True)  # exact search without the number in clear
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    status: Mapped[AccountStatus] = mapped_column(enum_column(AccountStatus, "secure_access_account_status"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    mac_limit: Mapped[int] = mapped_column(Integer)
    online_sessions: Mapped[int] = mapped_column(Integer, default=0)  # from the usage feed
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}


blind_indexed(SecureAccessAccount.holder_id_number, SecureAccessAccount.holder_id_bidx, normalize_exact)


# A live account's MAC addresses (AA:BB:CC:DD:EE:FF); revoking releases them (the history keeps them).
secure_access_mac = Table(
    "secure_access_mac",
    Base.metadata,
    Column("account_id", BigInteger, ForeignKey("secure_access_account.id", ondelete="CASCADE"), primary_key=True),
    Column("mac", String(17), primary_key=True),
    Index("ix_secure_access_mac_mac", "mac", unique=True),  # one live account per terminal
)

secure_access_system = Table(
    "secure_access_system",
    Base.metadata,
    Column("account_id", BigInteger, ForeignKey("secure_access_account.id", ondelete="CASCADE"), primary_key=True),
    Column("application_id", BigInteger, ForeignKey("application.id"), primary_key=True),
    Index("ix_secure_access_system_app", "application_id"),
)


class SecureAccessEvent(Base):
    """An account's history: opening, MAC and system changes, status changes and edits, with the causing order."""

    __tablename__ = "secure_access_event"
    __table_args__ = (Index("ix_secure_access_event_account", "account_id", "id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("secure_access_account.id", ondelete="CASCADE"))
    kind: Mapped[AccountEventKind] = mapped_column(enum_column(AccountEventKind, "secure_access_event_kind"))
    from_status: Mapped[AccountStatus | None] = mapped_column(
        enum_column(AccountStatus, "secure_access_event_from"), nullable=True
    )
    to_status: Mapped[AccountStatus | None] = mapped_column(enum_column(AccountStatus, "secure_access_event_to"), nullable=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
