"""Work order jobs: calling platforms for dispatches, the SLA clock tick, and what the wireless platforms report."""

from __future__ import annotations

from datetime import date, timedelta

import domain.flows  # noqa: F401  (registers every area's kinds)
from core.clock import SHANGHAI, utcnow
from core.queue.context import JobContext, RetryLater
from domain.integration.ports import current_order_id
from domain.wireless import sync
from domain.wireless.flows import SUPPORT
from domain.workorders import dispatching, timers
from domain.workorders.ports import PlatformRejected, PlatformUnavailable
from integrations import registry as gateways
from integrations.carriers.gateway import TrafficClient
from integrations.wireless_support.gateway import SupportUsersClient
from jobs import registry


@registry.job(dispatching.JOB, max_tries=6, timeout=90, backoff_base=2.0)
async def dispatch(ctx: JobContext, dispatch_id: int) -> str:
    """Send one dispatch to its platform with its idempotency key; retry with backoff (honouring Retry-After),
    and after the last try leave it in dead letter with an alert. An already settled dispatch is skipped."""
    async with ctx.unit_of_work() as uow:
        row = await dispatching.pending(uow, dispatch_id)
        if row is None:
            return "settled"
        platform, operation, request, key = row.platform, row.operation, dict(row.request), row.idempotency_key
        order_id = row.order_id
        row.attempts += 1  # committed before the call: the count holds even if this run dies in it
    gateway = gateways.gateway(platform)
    token = current_order_id.set(order_id)  # the interface log files the call under its order
    try:
        if gateway is None:
            raise PlatformUnavailable(f"no gateway configured for platform {platform}")
        result = await gateway.send(operation, request, idempotency_key=key)
    except PlatformRejected as exc:
        async with ctx.transaction() as uow:
            await dispatching.refused(uow, dispatch_id, str(exc), exc.code)
        return "refused"
    except PlatformUnavailable as exc:
        if ctx.attempt < ctx.max_tries:
            raise RetryLater(str(exc), exc.retry_after) from exc
        async with ctx.transaction() as uow:
            await dispatching.dead(uow, dispatch_id, str(exc))
        return "dead"
    finally:
        current_order_id.reset(token)
    async with ctx.transaction() as uow:
        await dispatching.answered(uow, dispatch_id, result)
    return result.answer.value


@registry.cron("workorders.sla_tick", second=0, timeout=120)
async def sla_tick(ctx: JobContext) -> int:
    """Every minute: SLA warnings at 75 %, breaches, and escalation of overdue decisions to the step's supervisor."""
    async with ctx.transaction() as uow:
        result = await timers.tick(uow, utcnow())
    return result.warned + result.breached


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
