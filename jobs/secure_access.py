"""Secure access jobs: the support platform's usage feed (logins, sessions, abnormal behaviour), and expiry."""

from __future__ import annotations

from core.clock import beijing_today
from core.queue.context import JobContext
from domain.secure_access import service, usage
from domain.secure_access.flows import PLATFORM
from integrations import registry as gateways
from integrations.secure_access_support.gateway import UsageFeedClient
from jobs import registry

PAGES = 20  # pages per run at most (2,000 events); the rest waits for the next minute


@registry.cron("secure_access.usage", second=15, timeout=120)
async def take_usage(ctx: JobContext) -> int:
    """Every minute: the usage feed since the stored cursor, up to PAGES pages, taken with the new cursor in the job's
    one transaction (a job commits once; the cursor is re-read under lock there, so a page read twice is skipped)."""
    gateway = gateways.gateway(PLATFORM)
    if gateway is None or not hasattr(gateway, "client"):
        return 0
    feed = UsageFeedClient(gateway.client)  # type: ignore[attr-defined]
    async with ctx.session_factory() as session:
        after = await usage.stored_cursor(session)
    events: list[usage.UsageEvent] = []
    for _ in range(PAGES):
        batch = await feed.events(after, 100)
        events += [
            usage.UsageEvent(e.id, e.kind, e.account_name, e.at, e.source_ip, e.detail.rule if e.detail else None,
                             e.detail.severity if e.detail else None, e.detail.description if e.detail else None)
            for e in batch.events
        ]  # fmt: skip
        after = batch.next
        if not batch.more:
            break
    async with ctx.transaction() as uow:
        return (await usage.take(uow, events, after))["taken"]


@registry.cron("secure_access.expire", hour=16, minute=10, timeout=600)
async def expire(ctx: JobContext) -> int:
    """Daily at 00:10 Beijing (16:10 UTC): accounts past their last day of validity expire and free their MACs."""
    async with ctx.transaction() as uow:
        return await service.expire(uow, beijing_today())
