"""Housekeeping crons: old tokens and finished outbox rows go; live ones and failures stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

import jobs
from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.queue.outbox import OutboxJob, OutboxStatus
from core.queue.runner import JobExecutor, runner_name
from domain.identity.models import AccessToken


async def test_purges(demo, gql):
    live = await gql.token("admin")
    await gql.token("operator")
    async with demo.session_factory() as s, s.begin():
        long_ago = utcnow() - timedelta(days=40)
        operator_id = (await s.execute(select(AccessToken.id).order_by(AccessToken.id.desc()).limit(1))).scalar_one()
        await s.execute(update(AccessToken).where(AccessToken.id == operator_id).values(expires_at=long_ago, created_at=long_ago))
    async with UnitOfWork(demo.session_factory) as uow:
        uow.enqueue("x.done", key="done")
        uow.enqueue("x.failed", key="failed")
    async with demo.session_factory() as s, s.begin():
        old = utcnow() - timedelta(days=8)
        await s.execute(update(OutboxJob).where(OutboxJob.key == "done").values(status=OutboxStatus.DONE, finished_at=old))
        await s.execute(update(OutboxJob).where(OutboxJob.key == "failed").values(status=OutboxStatus.FAILED, finished_at=old))
    executor = JobExecutor(jobs.registry, demo.session_factory, demo.bus.publish, lambda: None, runner_name("test"))
    for name in ("identity.purge_tokens", "outbox.purge_done"):
        await executor.run_cron(jobs.registry.crons[name])
    async with demo.session_factory() as s:
        assert len(list((await s.execute(select(AccessToken.id))).scalars())) == 1
        assert list((await s.execute(select(OutboxJob.key))).scalars()) == ["failed"]
    assert (await gql("{ viewer { username } }", token=live))["data"]["viewer"]["username"] == "admin"
