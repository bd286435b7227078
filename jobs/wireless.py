"""Wireless jobs: what the platforms report on their own (the carriers' daily traffic, the support platform's users)."""

from __future__ import annotations

from datetime import date, timedelta

from core.clock import SHANGHAI, utcnow
from core.queue.context import JobContext
from domain.wireless import plans, sync
from domain.wireless.flows import SUPPORT
from integrations import registry as gateways
from integrations.carriers.gateway import TrafficClient
from integrations.wireless_support.gateway import SupportUsersClient
from jobs import registry


@registry.cron("wireless.traffic", hour=6, minute=30, timeout=1800)
async def fetch_traffic(ctx: JobContext) -> int:
    """Daily: yesterday's (Beijing) traffic per card from every carrier's report."""
    return await traffic_of(ctx, (utcnow().astimezone(SHANGHAI) - timedelta(days=1)).date())


async def traffic_of(ctx: JobContext, day: date) -> int:
    """One Beijing day's traffic per card from every carrier's report (a day read again replaces itself)."""
    rows: list[tuple[str, int, int]] = []
    for platform, gateway in sorted(gateways.GATEWAYS.items()):
        if platform.startswith("carrier_") and hasattr(gateway, "client"):
            report = await TrafficClient(gateway.client).day(day)  # type: ignore[attr-defined]
            rows += [(c.iccid, c.uplink_bytes, c.downlink_bytes) for c in report.cards]
    async with ctx.transaction() as uow:
        return await sync.record_traffic(uow, day, rows)


@registry.cron("wireless.sync_users", minute=set(range(0, 60, 10)), timeout=300)
async def sync_users(ctx: JobContext) -> int:
    """Every ten minutes: who is online, from the wireless support platform's user sync."""
    gateway = gateways.gateway(SUPPORT)
    if gateway is None or not hasattr(gateway, "client"):
        return 0
    users = await SupportUsersClient(gateway.client).users()  # type: ignore[attr-defined]
    async with ctx.transaction() as uow:
        return await sync.sync_users(uow, [(u.account_name, u.online, u.last_seen_at) for u in users], utcnow())


@registry.cron("wireless.plans_due", hour=16, minute=5, timeout=600)
async def plans_due(ctx: JobContext) -> int:
    """Daily at 00:05 Beijing (16:05 UTC): the plan changes confirmed for today come into force."""
    async with ctx.transaction() as uow:
        return await plans.bring_into_force(uow)
