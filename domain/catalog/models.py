"""The application catalogue's table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, UTCDateTime, enum_column
from domain.catalog.enums import CatalogStatus


class Application(Base):
    """应用: a government system a card or an account may be allowed to reach (catalogue data)."""

    __tablename__ = "application"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), nullable=True)  # who runs the system
    status: Mapped[CatalogStatus] = mapped_column(enum_column(CatalogStatus, "application_status"), default=CatalogStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
