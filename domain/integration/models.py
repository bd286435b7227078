"""The interface log's table: one sealed row per HTTP exchange with an external platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core import integrity
from core.clock import UTC
from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from domain.integration.enums import CallDirection, CallOutcome

URL_MAX = 2000
KEY_MAX = 200
ERROR_MAX = 4000


class InterfaceCall(Base):
    """One call to (or callback from) a platform, with its redacted bodies; `mac` makes any edit of the row show."""

    __tablename__ = "interface_call"
    __table_args__ = (
        Index("ix_interface_call_platform_started", "platform", "started_at"),
        Index("ix_interface_call_order", "order_id"),
        Index("ix_interface_call_idempotency_key", "idempotency_key"),
        Index("ix_interface_call_outcome_started", "outcome", "started_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(128))
    direction: Mapped[CallDirection] = mapped_column(enum_column(CallDirection, "call_direction"))
    method: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(URL_MAX))
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_MAX), nullable=True)
    request: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[CallOutcome] = mapped_column(enum_column(CallOutcome, "call_outcome"))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # no foreign key: the log outlives orders
    mac: Mapped[str] = mapped_column(String(64))

    def holds(self) -> bool:
        """Whether the row is as it was written (its MAC verifies)."""
        return integrity.holds(self.mac, *sealed_fields(self))


def _number(value: Any) -> Any:
    # PostgreSQL's jsonb reads 1e20 back as an integer and 1.0 as 1.0: integral floats are compared as integers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _number(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_number(v) for v in value]
    return value


def _canonical_json(value: dict[str, Any] | None) -> str | None:
    # jsonb reorders keys, so the MAC covers the body with sorted keys, not the order it was written in.
    if value is None:
        return None
    return orjson.dumps(_number(value), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS).decode()


def sealed_fields(row: Any) -> tuple[object, ...]:
    """The canonical fields a row's MAC covers, from an ORM row, a Core row or a CallRecord.

    The id is left out so a row is sealed before its single INSERT; ids are never reused (AUTOINCREMENT),
    so a deleted row leaves a gap in the ids.
    """
    return (
        "interface_call",
        row.platform,
        row.operation,
        getattr(row.direction, "value", row.direction),
        row.method,
        row.url,
        row.idempotency_key,
        _canonical_json(row.request),
        _canonical_json(row.response),
        row.status_code,
        row.latency_ms,
        getattr(row.outcome, "value", row.outcome),
        row.error,
        row.started_at.astimezone(UTC).isoformat(timespec="microseconds"),
        row.order_id,
    )


class FeedCursor(Base):
    """How far GovOps has read a platform's feed (the last event id taken), stored in the same transaction as what
    the events changed: a crash re-reads a page, and nothing is taken twice or skipped."""

    __tablename__ = "feed_cursor"

    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
