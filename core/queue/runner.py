"""Running outbox jobs: one executor, two transports (in-process for embedded mode, arq on Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from arq.cron import CronJob, cron
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.queue import outbox
from core.queue.context import JobContext, LeaseLost, RetryLater
from core.queue.registry import CronSpec, JobRegistry

log = logging.getLogger(__name__)

ARQ_FUNCTION = "govops_run_outbox_job"
SEND_LEASE = timedelta(minutes=10)


class Outcome(str, enum.Enum):
    DONE = "DONE"
    RETRY = "RETRY"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


def runner_name(kind: str) -> str:
    return f"{kind}:{socket.gethostname()}:{os.getpid()}:{id(object()):x}"


class JobExecutor:
    """Runs one outbox job: takes its lease, applies timeout and retry rules, records the outcome."""

    def __init__(
        self,
        registry: JobRegistry,
        session_factory: async_sessionmaker[AsyncSession],
        publish: Callable[[str, dict[str, Any]], Awaitable[None]],
        on_enqueued: Callable[[], None],
        runner: str,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.registry = registry
        # What jobs need besides the database and the bus (the file store, the read path), wired at start-up.
        self.extra: dict[str, Any] = extra if extra is not None else {}
        self.session_factory = session_factory
        self.publish = publish
        self.on_enqueued = on_enqueued
        self.runner = runner

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def context(self, job_id: int | None = None, key: str | None = None, attempt: int = 1) -> JobContext:
        return JobContext(
            self.session_factory, self.publish, self.on_enqueued, self.runner, job_id, key, attempt, extra=self.extra
        )

    async def run(self, job_id: int) -> Outcome:
        run = f"{self.runner}#{uuid.uuid4().hex[:12]}"
        async with self.unit_of_work() as uow:
            row = await outbox.start_run(uow.session, job_id, runner=self.runner, run=run, lease=SEND_LEASE)
            if row is None:
                return Outcome.SKIPPED
            spec = self.registry.jobs.get(row.job_name)
            if spec is not None:
                lease_until = utcnow() + timedelta(seconds=spec.timeout + 30)
                row.claimed_until = lease_until
            name, payload, key, attempt, max_tries = row.job_name, dict(row.payload), row.key, row.attempts, row.max_tries
        if spec is None:
            await self._fail(job_id, run, f"unknown job {name}", None)
            return Outcome.FAILED
        tries = max_tries or spec.max_tries
        if attempt > tries:  # earlier runs never reported back: the process died while running it
            await self._fail(job_id, run, f"gave up after {tries} attempts that did not finish", None)
            return Outcome.FAILED
        ctx = JobContext(self.session_factory, self.publish, self.on_enqueued, run, job_id, key, attempt, tries, extra=self.extra)
        try:
            await asyncio.wait_for(spec.func(ctx, **payload), timeout=spec.timeout)
        except LeaseLost:
            log.warning("job lease lost", extra={"job": name, "job_id": job_id})
            return Outcome.SKIPPED
        except Exception as exc:
            delay = spec.backoff(attempt)
            if isinstance(exc, RetryLater) and exc.after is not None:
                delay = max(delay, timedelta(seconds=exc.after))
            retry_at = utcnow() + delay if attempt < tries else None
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            log.warning("job failed", extra={"job": name, "job_id": job_id, "attempt": attempt, "error": error})
            await self._fail(job_id, run, error, retry_at)
            return Outcome.RETRY if retry_at else Outcome.FAILED
        if not ctx.finished:
            async with self.unit_of_work() as uow:
                if not await outbox.finish(uow.session, job_id, runner=run):
                    return Outcome.SKIPPED
        return Outcome.DONE

    async def _fail(self, job_id: int, run: str, error: str, retry_at: datetime | None) -> None:
        async with self.unit_of_work() as uow:
            await outbox.fail(uow.session, job_id, runner=run, error=error, retry_at=retry_at)

    async def run_cron(self, spec: CronSpec) -> None:
        await asyncio.wait_for(spec.func(self.context()), timeout=spec.timeout)


class _Loop:
    """A background poll loop that a commit can wake early."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def wake(self) -> None:
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


class InProcessRunner(_Loop):
    """Embedded mode: claims due outbox rows and runs them in this process; runs cron jobs too."""

    def __init__(self, executor: JobExecutor, *, poll_seconds: float = 1.0, concurrency: int = 4, cron: bool = True) -> None:
        super().__init__(poll_seconds)
        self.executor = executor
        self.concurrency = concurrency
        self.run_cron = cron
        self._running: set[asyncio.Task[Outcome]] = set()

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._poll_loop(), name="outbox-runner"))
        if self.run_cron and self.executor.registry.crons:
            self._tasks.append(asyncio.create_task(self._cron_loop(), name="cron-runner"))

    async def close(self) -> None:
        await super().close()
        # Let jobs already running finish (graceful shutdown); their leases cover a crash anyway.
        if self._running:
            await asyncio.wait(self._running, timeout=10)

    async def claim(self, limit: int) -> list[int]:
        async with self.executor.unit_of_work() as uow:
            return await outbox.claim_due(
                uow.session, runner=self.executor.runner, status=outbox.OutboxStatus.RUNNING, lease=SEND_LEASE, limit=limit
            )

    async def run_until_idle(self) -> list[Outcome]:
        """Run every due job (and what they enqueue) to the end: used by tests and `govops` commands."""
        outcomes: list[Outcome] = []
        while ids := await self.claim(self.concurrency):
            outcomes.extend(await asyncio.gather(*(self.executor.run(i) for i in ids)))
        return outcomes

    async def _poll_loop(self) -> None:
        while True:
            try:
                free = self.concurrency - len(self._running)
                ids = await self.claim(free) if free > 0 else []
                for job_id in ids:
                    task = asyncio.create_task(self.executor.run(job_id))
                    self._running.add(task)
                    task.add_done_callback(self._done)
                if len(ids) == free and free > 0:
                    continue  # there may be more due right now
            except Exception:
                log.exception("outbox runner poll failed")
            await self._sleep(self.poll_seconds)

    def _done(self, task: asyncio.Task[Outcome]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("job crashed the executor", exc_info=task.exception())
        self.wake()

    async def _cron_loop(self) -> None:
        jobs = [(spec, cron(spec.func, name=spec.name, **spec.schedule)) for spec in self.executor.registry.crons.values()]
        now = utcnow()
        for _, cj in jobs:
            cj.calculate_next(now)
        while True:
            soonest = min(cj.next_run for _, cj in jobs if cj.next_run)
            await asyncio.sleep(max(0.0, (soonest - utcnow()).total_seconds()))
            now = utcnow()
            for spec, cj in jobs:
                if cj.next_run and cj.next_run <= now:
                    cj.calculate_next(now)
                    # Shielded: closing the runner stops the loop, not a cron job half-way through its
                    # transaction (cancelling a driver call mid-query can leave the connection stuck).
                    job = asyncio.create_task(self.executor.run_cron(spec), name=f"cron:{spec.name}")
                    self._running.add(job)  # type: ignore[arg-type]
                    job.add_done_callback(self._running.discard)  # type: ignore[arg-type]
                    try:
                        await asyncio.shield(job)
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        log.exception("cron job failed", extra={"job": spec.name})


class ArqRelay(_Loop):
    """Production mode: hands due outbox rows to arq; the lease re-sends any that Redis lost."""

    def __init__(
        self,
        executor: JobExecutor,
        redis: ArqRedis,
        *,
        poll_seconds: float = 1.0,
        batch: int = 100,
        queue_name: str | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        self.executor = executor
        self.redis = redis
        self.batch = batch
        self.queue_name = queue_name

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._loop(), name="outbox-relay"))

    async def relay_once(self) -> int:
        async with self.executor.unit_of_work() as uow:
            ids = await outbox.claim_due(
                uow.session, runner=self.executor.runner, status=outbox.OutboxStatus.SENT, lease=SEND_LEASE, limit=self.batch
            )
            rows = await outbox_attempts(uow, ids)
        for n, (job_id, key, attempts) in enumerate(rows):
            # arq refuses a second job with the same id, so a re-send of a job arq still holds is a no-op.
            # The id is built from the outbox key (unique for ever), not the row id, which a restored or
            # re-created database may hand out again while Redis still remembers an old result.
            try:
                await self.redis.enqueue_job(
                    ARQ_FUNCTION, job_id, _job_id=f"govops:{key}:{attempts}", _queue_name=self.queue_name
                )
            except Exception:
                # Redis is away: what was not handed over goes back to the queue now, not in 10 minutes.
                async with self.executor.unit_of_work() as uow:
                    await outbox.release(uow.session, [r[0] for r in rows[n:]], runner=self.executor.runner)
                raise
        return len(ids)

    async def _loop(self) -> None:
        while True:
            try:
                if await self.relay_once() >= self.batch:
                    continue
            except Exception:
                log.exception("outbox relay failed")
            await self._sleep(self.poll_seconds)


async def outbox_attempts(uow: UnitOfWork, ids: list[int]) -> list[tuple[int, str, int]]:
    if not ids:
        return []
    t = outbox.OutboxJob.__table__.c
    rows = await uow.session.execute(select(t.id, t.key, t.attempts).where(t.id.in_(ids)).order_by(t.id))
    return [(r.id, r.key, r.attempts) for r in rows]


def arq_functions_and_crons(registry: JobRegistry) -> tuple[list[Any], list[CronJob]]:
    """The arq WorkerSettings pieces: one function runs any outbox job; each CronSpec becomes an arq cron."""

    async def run_outbox_job(ctx: dict[str, Any], job_id: int) -> str:
        return (await ctx["executor"].run(job_id)).value

    run_outbox_job.__qualname__ = run_outbox_job.__name__ = ARQ_FUNCTION

    crons = []
    for spec in registry.crons.values():

        async def run(ctx: dict[str, Any], _spec: CronSpec = spec) -> None:
            await ctx["executor"].run_cron(_spec)

        crons.append(cron(run, name=spec.name, timeout=spec.timeout, **spec.schedule))
    return [run_outbox_job], crons
