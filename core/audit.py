"""The operation log: one appended row per mutation, login, permission change, export or external call.

The log is a chain: at commit, each new record gets the next sequence number and
mac = HMAC-SM3(key, previous mac || canonical record), under a lock on the chain head, so records are
chained in commit order. Altering, deleting or inserting a record breaks the chain from there on,
and `govops audit verify` names the first broken record. The key is derived from the master key,
which never lives in the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, Index, Integer, String, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.crypto import hmac_sm3
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
    chain_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditChainHead(Base):
    """One row: the last sequence number and mac of the chain (a truncated tail shows against it)."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    mac: Mapped[str] = mapped_column(String(64))


class AuditArchive(Base):
    """A stretch of the chain moved to an archive file after the retention period (domain/audit/archive.py)."""

    __tablename__ = "audit_archive"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    first_seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    count: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    previous_mac: Mapped[str] = mapped_column(String(64))
    last_mac: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(128))
    file_sm3: Mapped[str] = mapped_column(String(64))
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime)


GENESIS = "0" * 64
_PENDING = "govops.audit.pending"
_key: bytes | None = None


def chain_key() -> bytes:
    if _key is None:
        raise RuntimeError("audit chain key not configured: call core.keys.configure(master_key) at start-up")
    return _key


def configure(master_key: str) -> None:
    """Derive the chain key from the master key (at start-up of every process that writes the log)."""
    global _key
    _key = hmac_sm3(master_key.encode(), b"govops/audit-chain/v1")


def _canonical(event: AuditEvent) -> bytes:
    occurred = event.occurred_at
    return orjson.dumps(
        [
            event.chain_seq, int(occurred.timestamp() * 1_000_000) if occurred else None, event.actor_id,
            event.actor_username, event.org_unit_id, event.operation, event.target_type, event.target_id,
            event.outcome.value if event.outcome else None, event.client_ip, event.request_id, event.detail or {},
        ],
        option=orjson.OPT_SORT_KEYS,
    )  # fmt: skip


def compute_mac(key: bytes, previous: str, event: AuditEvent) -> str:
    return hmac_sm3(key, bytes.fromhex(previous) + _canonical(event)).hex()


async def seal(session: AsyncSession) -> None:
    """Chain the audit events this transaction added (called by the unit of work just before commit)."""
    pending: list[AuditEvent] = session.info.pop(_PENDING, [])  # in the order they were recorded
    if not pending:
        return
    if _key is None:
        raise RuntimeError("audit chain key not configured: call core.audit.configure(master_key) at start-up")
    locked = select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    head = (await session.execute(locked)).scalar_one_or_none()
    if head is None:  # the first record ever: create the head, tolerating a concurrent first writer
        insert = pg_insert if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(AuditChainHead).values(id=1, seq=0, mac=GENESIS).on_conflict_do_nothing(index_elements=["id"])
        )
        head = (await session.execute(locked)).scalar_one()
    for event in pending:
        event.chain_seq = head.seq + 1
        event.mac = compute_mac(_key, head.mac, event)
        head.seq, head.mac = event.chain_seq, event.mac


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    broken_seq: int | None = None
    reason: str | None = None


async def verify_chain(session: AsyncSession, key: bytes | None = None, batch: int = 5000) -> ChainReport:
    """Walk the chain in sequence order; report the first record that does not follow from the one before."""
    key = key or _key
    if key is None:
        raise RuntimeError("audit chain key not configured")
    unsealed = (await session.execute(select(AuditEvent.id).where(AuditEvent.chain_seq.is_(None)).limit(1))).scalar()
    if unsealed is not None:
        return ChainReport(0, unsealed, None, "record is outside the chain (no sequence number)")
    previous, expected, checked, last = GENESIS, 1, 0, 0
    archived = (await session.execute(select(AuditArchive).order_by(AuditArchive.last_seq.desc()).limit(1))).scalar()
    if archived is not None:  # the live log continues from the last archived record (archives verify on their own)
        previous, expected, last = archived.last_mac, archived.last_seq + 1, archived.last_seq
    while True:
        stmt = select(AuditEvent).where(AuditEvent.chain_seq >= expected).order_by(AuditEvent.chain_seq).limit(batch)
        events = list((await session.execute(stmt)).scalars())
        if not events:
            break
        for event in events:
            if event.chain_seq != expected:
                return ChainReport(
                    checked,
                    event.id,
                    event.chain_seq,
                    f"sequence jumps from {expected - 1} to {event.chain_seq}: records are missing",
                )
            if event.mac != compute_mac(key, previous, event):
                return ChainReport(checked, event.id, event.chain_seq, "record altered (its MAC does not match)")
            previous, expected, checked, last = event.mac, expected + 1, checked + 1, event.chain_seq
        session.expunge_all()
    head = (await session.execute(select(AuditChainHead).where(AuditChainHead.id == 1))).scalar_one_or_none()
    if head is not None and (head.seq != last or head.mac != previous):
        return ChainReport(
            checked, None, head.seq, f"the chain ends at {last} but its head says {head.seq}: records are missing at the end"
        )
    return ChainReport(checked)


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
    session.info.setdefault(_PENDING, []).append(event)
    return event
