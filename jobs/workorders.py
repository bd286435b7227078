"""Work order jobs: calling platforms for dispatches, and the SLA clock tick."""

from __future__ import annotations

import domain.flows  # noqa: F401  (registers every area's kinds)
from core.clock import utcnow
from core.queue.context import JobContext, LeaseLost, RetryLater
from domain.integration.ports import current_order_id
from domain.workorders import dispatching, timers
from domain.workorders.ports import PlatformRejected, PlatformUnavailable
from integrations import registry as gateways
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
    try:
        async with ctx.transaction() as uow:
            await dispatching.answered(uow, dispatch_id, result)
    except (LeaseLost, RetryLater):
        raise
    except Exception as exc:  # the platform did the work, but its answer cannot be taken in (a bad result, a rule)
        if ctx.attempt < ctx.max_tries:
            raise RetryLater(f"confirmation could not be applied: {exc}") from exc
        async with ctx.transaction() as uow:  # the failed one rolled back: this job still commits once
            await dispatching.dead(uow, dispatch_id, f"平台已确认，但结果无法登记 / Confirmed, but the result could not "
                                   f"be applied: {exc}"[:2000])  # fmt: skip
        return "dead"
    return result.answer.value


@registry.cron("workorders.sla_tick", second=0, timeout=120)
async def sla_tick(ctx: JobContext) -> int:
    """Every minute: SLA warnings at 75 %, breaches, and escalation of overdue decisions to the step's supervisor."""
    async with ctx.transaction() as uow:
        result = await timers.tick(uow, utcnow())
    return result.warned + result.breached
