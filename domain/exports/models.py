"""One requested export: what was asked (kind and filter), by whom, how far it got, and where the file is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from domain.exports.enums import ExportStatus


class DataExport(Base):
    __tablename__ = "data_export"
    __table_args__ = (
        Index("ix_data_export_requester", "requested_by", "id"),
        Index("ix_data_export_status_created", "status", "created_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(60))  # which exporter, e.g. work_orders
    params: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the filter and sort, as the exporter reads them back
    requested_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus, "data_export_status"))
    total: Mapped[int] = mapped_column(Integer)  # rows counted when it was asked for
    done: Mapped[int] = mapped_column(Integer, default=0)  # rows written so far
    filename: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sm3: Mapped[str | None] = mapped_column(String(64), nullable=True)  # of the file, for whoever checks a copy
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
