"""The transactional outbox: jobs written in the caller's transaction, claimed atomically by runners."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Index, Integer, String, Text, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column


class OutboxStatus(str, enum.Enum):
    PENDING = "PENDING"  # written, waiting for available_at
    SENT = "SENT"  # handed to arq; the lease says when to hand it again if it was lost
    RUNNING = "RUNNING"  # a runner holds it until claimed_until
    DONE = "DONE"
    FAILED = "FAILED"  # out of tries: kept for people to look at and retry


class OutboxJob(Base):
    __tablename__ = "outbox_job"
    __table_args__ = (Index("ix_outbox_job_due", "status", "available_at"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_tries: Mapped[int | None] = mapped_column(Integer, nullable=True)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def new_outbox_row(
    job_name: str,
    payload: dict[str, Any],
    *,
    key: str | None = None,
    run_at: datetime | None = None,
    max_tries: int | None = None,
) -> OutboxJob:
    now = utcnow()
    return OutboxJob(
        job_name=job_name,
        payload=payload,
        key=key or f"{job_name}:{uuid.uuid4().hex}",
        status=OutboxStatus.PENDING,
        attempts=0,
        max_tries=max_tries,
        available_at=run_at or now,
        created_at=now,
    )


def _due(now: datetime) -> Any:
    t = OutboxJob.__table__.c
    return or_(
        (t.status == OutboxStatus.PENDING) & (t.available_at <= now),
        # A lease that ran out means its holder died (or arq lost the job): hand it out again.
        (t.status.in_([OutboxStatus.SENT, OutboxStatus.RUNNING])) & (t.claimed_until < now),
    )


async def claim_due(session: AsyncSession, *, runner: str, status: OutboxStatus, lease: timedelta, limit: int) -> list[int]:
    """Atomically move up to `limit` due rows to `status` under this runner's lease; returns their ids.

    PostgreSQL: FOR UPDATE SKIP LOCKED lets many runners claim disjoint rows. SQLite: the writer
    lock (BEGIN IMMEDIATE) serialises claimers, so the same UPDATE is atomic there too.
    """
    now = utcnow()
    t = OutboxJob.__table__.c
    candidates = select(t.id).where(_due(now)).order_by(t.available_at, t.id).limit(limit)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    stmt = (
        update(OutboxJob.__table__)
        .where(t.id.in_(candidates.scalar_subquery()))
        .values(status=status, claimed_by=runner, claimed_until=now + lease)
        .returning(t.id)
    )
    return list((await session.execute(stmt)).scalars())


async def start_run(session: AsyncSession, job_id: int, *, runner: str, run: str, lease: timedelta) -> OutboxJob | None:
    """Take the run lease of one job unless it is done, failed or leased by a live run elsewhere.

    `runner` is the process's claimer (what claim_due wrote); `run` names this one execution, so a run
    that overstayed its lease cannot finish a job that a second run of the same process took over.
    """
    now = utcnow()
    t = OutboxJob.__table__.c
    stmt = (
        update(OutboxJob.__table__)
        .where(t.id == job_id)
        .where(
            or_(
                t.status.in_([OutboxStatus.PENDING, OutboxStatus.SENT]),
                (t.status == OutboxStatus.RUNNING) & ((t.claimed_by == runner) | (t.claimed_until < now)),
            )
        )
        .values(status=OutboxStatus.RUNNING, claimed_by=run, claimed_until=now + lease, attempts=t.attempts + 1)
        .returning(t.id)
    )
    if (await session.execute(stmt)).scalar_one_or_none() is None:
        return None
    return (await session.execute(select(OutboxJob).where(t.id == job_id))).scalar_one()


async def finish(session: AsyncSession, job_id: int, *, runner: str) -> bool:
    """Mark done, only if this runner still holds the lease (else another runner took over)."""
    t = OutboxJob.__table__.c
    stmt = (
        update(OutboxJob.__table__)
        .where(t.id == job_id, t.status == OutboxStatus.RUNNING, t.claimed_by == runner)
        .values(status=OutboxStatus.DONE, finished_at=utcnow(), claimed_until=None, last_error=None)
    )
    return (await session.execute(stmt)).rowcount == 1


async def fail(session: AsyncSession, job_id: int, *, runner: str, error: str, retry_at: datetime | None) -> None:
    t = OutboxJob.__table__.c
    values: dict[str, Any] = {"last_error": error[:4000], "claimed_until": None}
    if retry_at is None:
        values.update(status=OutboxStatus.FAILED, finished_at=utcnow())
    else:
        values.update(status=OutboxStatus.PENDING, available_at=retry_at)
    await session.execute(
        update(OutboxJob.__table__)
        .where(t.id == job_id, t.claimed_by == runner, t.status == OutboxStatus.RUNNING)
        .values(**values)
    )


async def release(session: AsyncSession, job_ids: list[int], *, runner: str) -> None:
    """Give claimed rows back (a send failed): due again at once."""
    t = OutboxJob.__table__.c
    await session.execute(
        update(OutboxJob.__table__)
        .where(t.id.in_(job_ids), t.status == OutboxStatus.SENT, t.claimed_by == runner)
        .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_until=None)
    )


async def purge_finished(session: AsyncSession, older_than: datetime) -> int:
    t = OutboxJob.__table__.c
    result = await session.execute(delete(OutboxJob.__table__).where(t.status == OutboxStatus.DONE, t.finished_at < older_than))
    return result.rowcount or 0
