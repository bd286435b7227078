"""One alert model for every source: a fingerprint names "the same problem", so a repeat counts instead of piling up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from domain.alerts.enums import AlertEventKind, AlertKind, AlertSeverity, AlertStatus, SilenceStatus


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_fingerprint_status", "fingerprint", "status"),
        # One firing alert per fingerprint, even when two transactions fire it at once (the second one fails and
        # its job or caller retries, then counts on the first).
        Index(
            "uq_alert_firing_fingerprint",
            "fingerprint",
            unique=True,
            sqlite_where=text("status = 'FIRING'"),
            postgresql_where=text("status = 'FIRING'"),
        ),
        Index("ix_alert_status_last_seen", "status", "last_seen_at"),
        Index("ix_alert_target", "target_type", "target_id"),
        Index("ix_alert_unit_status", "unit_id", "status"),
        Index("ix_alert_first_seen", "first_seen_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind, "alert_kind"))
    severity: Mapped[AlertSeverity] = mapped_column(enum_column(AlertSeverity, "alert_severity"))
    status: Mapped[AlertStatus] = mapped_column(enum_column(AlertStatus, "alert_status"))
    source: Mapped[str] = mapped_column(String(60))  # what raised it: a platform, a job, a rule
    fingerprint: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    labels: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    target_type: Mapped[str | None] = mapped_column(String(40), nullable=True)  # the record it is about
    target_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    unit_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # whose data it is, for scoping
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: by its source
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # who works on it
    # The silence it fired under: no notice and no automatic fault while the silence holds (alert_silence.id).
    silenced_by_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # received by the operations platform
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AlertEvent(Base):
    """An alert's history: fired, acknowledged, assigned, commented, resolved (by whom, when, with what)."""

    __tablename__ = "alert_event"
    __table_args__ = (Index("ix_alert_event_alert", "alert_id", "id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    kind: Mapped[AlertEventKind] = mapped_column(enum_column(AlertEventKind, "alert_event_kind"))
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: the system or the source
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class AlertSilence(Base):
    """A silence (静默) or a recurring maintenance window: alerts that match it while it holds fire silenced (no
    notice, no automatic fault). Matchers are ANDed; an empty one matches anything."""

    __tablename__ = "alert_silence"
    __table_args__ = (Index("ix_alert_silence_status", "status", "ends_at"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    comment: Mapped[str] = mapped_column(Text)  # why (a change window, a known outage)
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    severities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sources: Mapped[list[str]] = mapped_column(JSONType, default=list)
    labels: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # each must equal the alert's label
    unit_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # None: a window that recurs forever
    recurrence: Mapped[str | None] = mapped_column(String(300), nullable=True)  # RFC 5545 RRULE, Beijing time
    duration_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)  # each window's length
    status: Mapped[SilenceStatus] = mapped_column(enum_column(SilenceStatus, "alert_silence_status"))
    created_by_id: Mapped[int] = mapped_column(BigInteger)
    created_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
