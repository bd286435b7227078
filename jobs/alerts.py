"""Alert jobs: silences that end (and the alerts that fire on after them), and security alerts pushed to the
integrated operations platform."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from core.queue.context import JobContext, RetryLater
from domain.alerts import push, service
from domain.workorders.ports import PlatformRejected, PlatformUnavailable
from integrations import registry as gateways
from jobs import registry


@registry.cron("alerts.silence_tick", second=30, timeout=120)
async def silence_tick(ctx: JobContext) -> int:
    """Every minute: expire ended silences, and notice the alerts still firing when their silence stopped holding."""
    async with ctx.transaction() as uow:
        return (await service.silence_tick(uow))["unsilenced"]


async def _stuck(ctx: JobContext, alert_id: int, why: str) -> None:
    """Count the push on the outage's business alert. Two pushes failing at once may both try to open it: the one
    that loses the unique index tries again, and counts on the other's (its failed transaction rolled back)."""
    for attempt in (1, 2):
        try:
            async with ctx.transaction() as uow:
                await push.stuck(uow, alert_id, why)
            return
        except IntegrityError:
            if attempt == 2:
                raise


@registry.job(push.PUSH_JOB, max_tries=6, timeout=60, backoff_base=2.0)
async def push_security(ctx: JobContext, alert_id: int) -> str:
    """Send one security alert to the integrated operations platform with its idempotency key; retry with backoff,
    and after the last try leave a business alert that says it is stuck."""
    async with ctx.session_factory() as session:
        body = await push.payload(session, alert_id)
    if body is None:
        return "gone"
    gateway = gateways.gateway(push.PLATFORM)
    try:
        if gateway is None:
            raise PlatformUnavailable(f"no gateway configured for platform {push.PLATFORM}")
        await gateway.send("security_alert", body, idempotency_key=push.key(alert_id))
    except PlatformRejected as exc:
        if exc.code == "ALERT_RECEIVED":  # it is there already (pushed under another key): done
            async with ctx.transaction() as uow:
                await push.pushed(uow, alert_id)
            return "received"
        await _stuck(ctx, alert_id, f"{exc.code}: {exc}")
        return "refused"
    except PlatformUnavailable as exc:
        if ctx.attempt < ctx.max_tries:
            raise RetryLater(str(exc), exc.retry_after) from exc
        await _stuck(ctx, alert_id, str(exc))
        return "dead"
    async with ctx.transaction() as uow:
        await push.pushed(uow, alert_id)
    return "pushed"


@registry.cron("alerts.push_retry", minute=set(range(5, 60, 10)), timeout=300)
async def push_retry(ctx: JobContext) -> int:
    """Every ten minutes: the security alerts of the last week the operations platform never received, sent again."""
    async with ctx.transaction() as uow:
        return await push.retry_unpushed(uow)
