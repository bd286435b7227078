"""Asset jobs: the daily lifecycle reminders (end of life, warranty end)."""

from __future__ import annotations

from core.clock import beijing_today
from core.queue.context import JobContext
from domain.assets import lifecycle
from jobs import registry


@registry.cron("assets.lifecycle", hour=16, minute=15, timeout=900)
async def remind(ctx: JobContext) -> int:
    """Daily at 00:15 Beijing (16:15 UTC): reminders at 90, 30, 7 and 0 days, and daily after 0 until acted on."""
    async with ctx.transaction() as uow:
        return await lifecycle.remind(uow, beijing_today())
