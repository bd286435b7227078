"""Housekeeping: purge ended login tokens and finished outbox rows."""

from __future__ import annotations

from datetime import timedelta

from core import audit
from core.audit import AuditOutcome
from core.clock import utcnow
from core.queue import outbox
from core.queue.context import JobContext
from core.settings import get_settings
from domain.audit import archive
from domain.identity import apiclients, auth, challenge, sso
from domain.identity import repository as repo
from jobs import registry


@registry.cron("identity.purge_tokens", hour=3, minute=10)
async def purge_tokens(ctx: JobContext) -> int:
    """Delete login tokens that expired or were revoked more than 30 days ago."""
    async with ctx.transaction() as uow:
        return await auth.purge_tokens(uow, keep_days=30)


@registry.cron("outbox.purge_done", hour=3, minute=40)
async def purge_outbox(ctx: JobContext) -> int:
    """Delete outbox rows that finished more than 7 days ago (failed ones stay for people to look at)."""
    async with ctx.transaction() as uow:
        return await outbox.purge_finished(uow.session, utcnow() - timedelta(days=7))


@registry.cron("identity.purge_api_nonces", minute={0, 15, 30, 45})
async def purge_api_nonces(ctx: JobContext) -> int:
    """Forget signed-request nonces once their timestamps can no longer pass the 5-minute window."""
    async with ctx.transaction() as uow:
        return await apiclients.purge_nonces(uow, utcnow())


@registry.cron("identity.purge_sso_pending", minute={5, 35})
async def purge_sso_pending(ctx: JobContext) -> int:
    """Forget sign-on requests nobody came back from within 10 minutes."""
    async with ctx.transaction() as uow:
        return await sso.purge_pending(uow)


@registry.cron("audit.archive", minute=50, timeout=3600)
async def archive_audit_log(ctx: JobContext) -> int:
    """Hourly: move the oldest stretch (up to 100,000 records) past the retention period into an archive
    file. One transaction per run (a job commits once), so a backlog drains over a few hours."""
    settings = get_settings()
    async with ctx.transaction() as uow:
        result = await archive.archive_old(uow, settings.audit_archive_dir, settings.audit_archive_after_days)
    return result.archived


@registry.cron("identity.purge_login_nonces", minute={10, 40})
async def purge_login_nonces(ctx: JobContext) -> int:
    """Forget login challenges past their five minutes."""
    async with ctx.transaction() as uow:
        return await challenge.purge(uow)


@registry.cron("identity.verify_integrity", minute=20)
async def verify_integrity(ctx: JobContext) -> int:
    """Hourly: every access-control record and data scope against its MAC. A request checks only its own
    user's records; this finds a tampered record of someone who has not logged in since, and raises the alarm."""
    async with ctx.transaction() as uow:
        s = uow.session
        broken = [f"role grant user={u} role={r}" for u, r in await repo.broken_bindings(s)]
        broken += [f"role permission role={r} permission={p}" for r, p in await repo.broken_permissions(s)]
        broken += await repo.broken_scopes(s)
        if broken:
            audit.record(
                s, operation="security.integrity_check_failed", outcome=AuditOutcome.FAILURE, actor_username="system",
                detail={"count": len(broken), "broken": broken[:100]},
            )  # fmt: skip
        return len(broken)
