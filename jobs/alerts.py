"""Alert jobs: silences that end, and the alerts that fire on after them."""

from __future__ import annotations

from core.queue.context import JobContext
from domain.alerts import service
from jobs import registry


@registry.cron("alerts.silence_tick", second=30, timeout=120)
async def silence_tick(ctx: JobContext) -> int:
    """Every minute: expire ended silences, and notice the alerts still firing when their silence stopped holding."""
    async with ctx.transaction() as uow:
        return (await service.silence_tick(uow))["unsilenced"]
