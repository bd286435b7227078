"""One stored notification per recipient: read or unread, linked to what it is about."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, UTCDateTime, enum_column


class NotificationKind(str, enum.Enum):
    TASK_WAITING = "TASK_WAITING"  # a decision waits for you
    SLA_WARNING = "SLA_WARNING"  # a decision of yours is about to miss its time
    ESCALATED = "ESCALATED"  # an overdue decision came to you as supervisor
    ORDER_RETURNED = "ORDER_RETURNED"  # your order came back for changes
    ORDER_FINISHED = "ORDER_FINISHED"  # your order completed, was rejected, or was withdrawn
    DISPATCH_FAILED = "DISPATCH_FAILED"  # an order could not reach its platform
    ALERT_FIRED = "ALERT_FIRED"  # a major or critical alert fired (or its silence ended while it fires)
    ALERT_RESOLVED = "ALERT_RESOLVED"  # an alert that fired under your silence resolved
    ASSET_REMINDER = "ASSET_REMINDER"  # an asset's end of life or warranty end is near or past


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient", "recipient_id", "read_at", "id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, "notification_kind"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    target_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    target_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
