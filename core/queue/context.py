"""What a running job gets: the database, the bus, and a transaction that also closes its outbox row."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.uow import UnitOfWork
from core.queue import outbox


class RetryLater(Exception):
    """Raised by a job to be run again: not before `after` seconds (a platform's Retry-After), nor before its backoff."""

    def __init__(self, message: str, after: float | None = None) -> None:
        super().__init__(message)
        self.after = after


class LeaseLost(Exception):
    """Another runner took this job over (our lease ran out): our transaction must not commit."""


@dataclass
class JobContext:
    session_factory: async_sessionmaker[AsyncSession]
    publish: Callable[[str, dict[str, Any]], Awaitable[None]]
    on_enqueued: Callable[[], None]
    runner: str
    job_id: int | None = None  # outbox row id; None for cron runs
    key: str | None = None  # the outbox key: use it as the idempotency key towards other systems
    attempt: int = 1
    max_tries: int = 1
    finished: bool = field(default=False, init=False)
    extra: dict[str, Any] = field(default_factory=dict)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, publish=self.publish, on_enqueued=self.on_enqueued)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work that marks this job done in the same commit, so its effects happen once.

        A job has one such transaction: a second one could not be tied to the outbox row any more."""
        if self.finished:
            raise RuntimeError("a job commits once: put all of its writes in one ctx.transaction()")
        async with self.unit_of_work() as uow:
            if self.job_id is not None:
                job_id = self.job_id

                async def close_outbox_row() -> None:
                    if not await outbox.finish(uow.session, job_id, runner=self.runner):
                        raise LeaseLost(f"outbox job {job_id} was taken over")

                uow.before_commit(close_outbox_row)
            yield uow
        self.finished = True
