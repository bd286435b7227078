"""The operation log: one appended row per mutation, login, permission change, export or external call.

Issue 3 turns it into an HMAC-SM3 chain; the columns here are the ones the chain will cover.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from core.logging import request_id_var


class AuditOutcome(str, enum.Enum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    DENIED = "DENIED"


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_actor", "actor_id", "occurred_at"),
        Index("ix_audit_event_unit", "org_unit_id", "occurred_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actor_username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    org_unit_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    operation: Mapped[str] = mapped_column(String(100))
    target_type: Mapped[str | None] = mapped_column(String(50), nullable=True)
    target_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    outcome: Mapped[AuditOutcome] = mapped_column(enum_column(AuditOutcome, "audit_outcome"))
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


def record(
    session: AsyncSession,
    *,
    operation: str,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    actor_id: int | None = None,
    actor_username: str | None = None,
    org_unit_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    client_ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event in the caller's transaction (it commits or rolls back with the change)."""
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor_id,
        actor_username=actor_username,
        org_unit_id=org_unit_id,
        operation=operation,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        client_ip=client_ip,
        request_id=request_id_var.get(),
        detail=detail or {},
    )
    session.add(event)
    return event
