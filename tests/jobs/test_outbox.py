"""The transactional outbox and both job runners: sent only after commit, run exactly once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import select, update

from core import audit
from core.db.uow import UnitOfWork
from core.queue.context import JobContext
from core.queue.outbox import OutboxJob, OutboxStatus
from core.queue.registry import JobRegistry
from core.queue.runner import ArqRelay, InProcessRunner, JobExecutor, Outcome, arq_functions_and_crons, runner_name

registry = JobRegistry()
failures_left: dict[str, int] = {}


@registry.job("test.record", max_tries=3, backoff_base=0.001)
async def record(ctx: JobContext, n: int) -> None:
    async with ctx.transaction() as uow:
        audit.record(uow.session, operation="test.effect", detail={"n": n, "key": ctx.key})


@registry.job("test.flaky", max_tries=3, backoff_base=0.001)
async def flaky(ctx: JobContext, name: str) -> None:
    if failures_left.get(name, 0) > 0:
        failures_left[name] -= 1
        raise ConnectionError("carrier platform unreachable")
    async with ctx.transaction() as uow:
        audit.record(uow.session, operation="test.effect", detail={"name": name, "attempt": ctx.attempt})


@registry.job("test.slow", max_tries=2, timeout=0.05, backoff_base=0.001)
async def slow(ctx: JobContext) -> None:
    await asyncio.sleep(5)


def executor(services: Any, name: str = "test") -> JobExecutor:
    return JobExecutor(registry, services.session_factory, services.bus.publish, lambda: None, runner_name(name))


async def effects(services: Any) -> list[dict[str, Any]]:
    async with services.session_factory() as s:
        stmt = select(audit.AuditEvent.detail).where(audit.AuditEvent.operation == "test.effect").order_by(audit.AuditEvent.id)
        return list((await s.execute(stmt)).scalars())


async def outbox_rows(services: Any) -> list[OutboxJob]:
    async with services.session_factory() as s:
        return list((await s.execute(select(OutboxJob).order_by(OutboxJob.id))).scalars())


async def enqueue(services: Any, name: str, payload: dict[str, Any], on_enqueued: Any = None) -> None:
    async with UnitOfWork(services.session_factory, on_enqueued=on_enqueued) as uow:
        uow.enqueue(name, payload)


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


async def test_crash_between_commit_and_send_runs_the_job_exactly_once_after_restart(services):
    first = InProcessRunner(executor(services, "first"), poll_seconds=0.05, cron=False)
    await first.start()
    await first.close()  # the process "dies": its runner is gone when the commit wakes it
    await enqueue(services, "test.record", {"n": 1}, on_enqueued=first.wake)
    assert [r.status for r in await outbox_rows(services)] == [OutboxStatus.PENDING]
    assert await effects(services) == []

    second = InProcessRunner(executor(services, "second"), poll_seconds=0.05, cron=False)  # the restarted process
    await second.start()
    try:

        async def done() -> bool:
            return [r.status for r in await outbox_rows(services)] == [OutboxStatus.DONE]

        await wait_for(done)
    finally:
        await second.close()
    third = InProcessRunner(executor(services, "third"))
    assert await third.run_until_idle() == []
    assert [e["n"] for e in await effects(services)] == [1]


async def test_rollback_sends_nothing(services):
    with pytest.raises(RuntimeError):
        async with UnitOfWork(services.session_factory) as uow:
            uow.enqueue("test.record", {"n": 2})
            await uow.session.flush()
            raise RuntimeError("the use case failed half-way")
    assert await outbox_rows(services) == []


async def test_a_failing_job_is_retried_with_backoff_and_its_effect_happens_once(services):
    failures_left["a"] = 2
    await enqueue(services, "test.flaky", {"name": "a"})
    runner = InProcessRunner(executor(services))
    outcomes: list[Outcome] = []
    for _ in range(20):
        outcomes += await runner.run_until_idle()
        if Outcome.DONE in outcomes:
            break
        await asyncio.sleep(0.01)
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.DONE]
    [row] = await outbox_rows(services)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.DONE, 3, None)
    assert await effects(services) == [{"name": "a", "attempt": 3}]


async def test_a_job_out_of_tries_is_kept_as_failed_with_its_error(services):
    failures_left["b"] = 10
    await enqueue(services, "test.flaky", {"name": "b"})
    runner = InProcessRunner(executor(services))
    for _ in range(20):
        await runner.run_until_idle()
        await asyncio.sleep(0.01)
    [row] = await outbox_rows(services)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error == "ConnectionError: carrier platform unreachable"
    assert await effects(services) == []


async def test_a_job_past_its_timeout_is_cancelled_and_retried(services):
    await enqueue(services, "test.slow", {})
    runner = InProcessRunner(executor(services))
    outcomes: list[Outcome] = []
    for _ in range(20):
        outcomes += await runner.run_until_idle()
        if Outcome.FAILED in outcomes:
            break
        await asyncio.sleep(0.01)
    assert outcomes == [Outcome.RETRY, Outcome.FAILED]
    [row] = await outbox_rows(services)
    assert row.last_error == "TimeoutError"


async def test_two_runners_claim_disjoint_jobs(services):
    async with UnitOfWork(services.session_factory) as uow:
        for n in range(40):
            uow.enqueue("test.record", {"n": n})
    a, b = InProcessRunner(executor(services, "a")), InProcessRunner(executor(services, "b"))
    ran_a, ran_b = await asyncio.gather(a.run_until_idle(), b.run_until_idle())
    assert len(ran_a) + len(ran_b) == 40
    assert sorted(e["n"] for e in await effects(services)) == list(range(40))


async def test_a_job_whose_lease_was_taken_over_does_not_commit(services):
    await enqueue(services, "test.record", {"n": 7})
    slow_runner = executor(services, "slow")
    [job_id] = await InProcessRunner(slow_runner).claim(1)
    async with services.session_factory() as s, s.begin():  # the lease ran out and another runner took it
        await s.execute(
            update(OutboxJob).where(OutboxJob.id == job_id).values(claimed_by="someone-else", status=OutboxStatus.RUNNING)
        )
    assert await slow_runner.run(job_id) == Outcome.SKIPPED
    assert await effects(services) == []


async def test_unknown_job_names_fail_visibly(services):
    await enqueue(services, "test.no_such_job", {})
    assert await InProcessRunner(executor(services)).run_until_idle() == [Outcome.FAILED]
    [row] = await outbox_rows(services)
    assert row.last_error == "unknown job test.no_such_job"


async def test_arq_worker_runs_relayed_jobs_exactly_once(services, backend):
    if backend.redis_url is None:
        pytest.skip("arq needs Redis: runs on the PostgreSQL + Redis backend")
    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.worker import Worker

    queue = f"govops:test:{uuid.uuid4().hex}"
    redis = await create_pool(RedisSettings.from_dsn(backend.redis_url))
    ex = executor(services, "arq")
    relay = ArqRelay(ex, redis, queue_name=queue)
    functions, _ = arq_functions_and_crons(registry)
    try:
        await enqueue(services, "test.record", {"n": 11})
        assert await relay.relay_once() == 1
        assert [r.status for r in await outbox_rows(services)] == [OutboxStatus.SENT]
        # A lost lease makes the relay send the same job again: arq refuses the duplicate job id.
        async with services.session_factory() as s, s.begin():
            await s.execute(update(OutboxJob).values(claimed_until=OutboxJob.created_at))
        await relay.relay_once()
        worker = Worker(functions=functions, redis_pool=redis, burst=True, queue_name=queue, handle_signals=False,
                        poll_delay=0.01, ctx={"executor": ex}, max_tries=1)  # fmt: skip
        await worker.main()
        await worker.close()
        assert [r.status for r in await outbox_rows(services)] == [OutboxStatus.DONE]
        assert [e["n"] for e in await effects(services)] == [11]
    finally:
        await redis.aclose()


cron_registry = JobRegistry()


@cron_registry.cron("test.every_second", second=None)
async def every_second(ctx: JobContext) -> None:
    async with ctx.transaction() as uow:
        audit.record(uow.session, operation="test.effect", detail={"cron": True})


async def test_the_in_process_runner_runs_cron_jobs_on_schedule(services):
    ex = JobExecutor(cron_registry, services.session_factory, services.bus.publish, lambda: None, runner_name("cron"))
    runner = InProcessRunner(ex, poll_seconds=0.05)
    await runner.start()
    try:

        async def ran_twice() -> bool:
            return len(await effects(services)) >= 2

        await wait_for(ran_twice, timeout=5)
    finally:
        await runner.close()
    assert {e["cron"] for e in await effects(services)} == {True}


slow_cron_registry = JobRegistry()
slow_cron_started = asyncio.Event()


@slow_cron_registry.cron("test.slow_cron", second=None)
async def slow_cron(ctx: JobContext) -> None:
    async with ctx.transaction() as uow:
        slow_cron_started.set()
        await asyncio.sleep(0.3)  # still inside its transaction when the runner is told to close
        audit.record(uow.session, operation="test.effect", detail={"cron": "slow"})


async def test_closing_the_runner_lets_a_running_cron_job_finish_its_transaction(services):
    ex = JobExecutor(slow_cron_registry, services.session_factory, services.bus.publish, lambda: None, runner_name("cron"))
    runner = InProcessRunner(ex, poll_seconds=0.05)
    slow_cron_started.clear()
    await runner.start()
    await asyncio.wait_for(slow_cron_started.wait(), timeout=5)
    await asyncio.wait_for(runner.close(), timeout=5)  # waits for the job, does not cancel it mid-query
    assert {e["cron"] for e in await effects(services)} == {"slow"}


def test_the_production_worker_knows_every_job_and_cron():
    import jobs
    from jobs.worker import WorkerSettings

    assert [f.__name__ for f in WorkerSettings.functions] == ["govops_run_outbox_job"]
    assert (
        sorted(c.name for c in WorkerSettings.cron_jobs)
        == sorted(jobs.registry.crons)
        == [
            "alerts.push_retry",
            "alerts.silence_tick",
            "assets.lifecycle",
            "audit.archive",
            "exports.expire",
            "files.purge_uploads",
            "identity.purge_api_nonces",
            "identity.purge_login_nonces",
            "identity.purge_sso_pending",
            "identity.purge_tokens",
            "identity.verify_integrity",
            "metrics.retention",
            "metrics.rollup",
            "metrics.secure_access_feed",
            "metrics.wireless_feed",
            "outbox.purge_done",
            "secure_access.expire",
            "secure_access.usage",
            "wireless.plans_due",
            "wireless.sync_users",
            "wireless.traffic",
            "workorders.sla_tick",
        ]
    )


async def test_a_job_whose_runs_never_report_back_is_given_up(services):
    await enqueue(services, "test.record", {"n": 9})
    async with services.session_factory() as s, s.begin():  # three runs died with their process
        await s.execute(update(OutboxJob).values(attempts=3))
    assert await InProcessRunner(executor(services)).run_until_idle() == [Outcome.FAILED]
    [row] = await outbox_rows(services)
    assert (row.status, row.last_error) == (OutboxStatus.FAILED, "gave up after 3 attempts that did not finish")
    assert await effects(services) == []


twice = JobRegistry()


@twice.job("test.twice", max_tries=1)
async def commits_twice(ctx: JobContext) -> None:
    async with ctx.transaction() as uow:
        audit.record(uow.session, operation="test.effect", detail={"step": 1})
    async with ctx.transaction() as uow:
        audit.record(uow.session, operation="test.effect", detail={"step": 2})


async def test_a_second_transaction_in_one_job_is_refused_loudly(services):
    ex = JobExecutor(twice, services.session_factory, services.bus.publish, lambda: None, runner_name("twice"))
    await enqueue(services, "test.twice", {})
    assert await InProcessRunner(ex).run_until_idle() == [Outcome.FAILED]
    assert await effects(services) == [{"step": 1}]
