"""File jobs: build a requested export, forget exports past their retention, and uploads nobody attached."""

from __future__ import annotations

from datetime import timedelta

import domain.exporters  # noqa: F401  (registers every area's exporter)
from core.clock import utcnow
from core.queue.context import JobContext
from core.settings import get_settings
from domain.exports import service
from domain.workorders import attachments
from jobs import registry


@registry.job(service.JOB, max_tries=2, timeout=1800)
async def build_export(ctx: JobContext, export_id: int) -> str | None:
    """Stream the rows into a write-only sheet as the user who asked, put the file in the store, publish progress."""
    status = await service.build(ctx.extra["read"], ctx.unit_of_work, ctx.extra["storage"], export_id)
    return status.value if status else None


@registry.cron("exports.expire", hour=4, minute=20)
async def expire_exports(ctx: JobContext) -> int:
    """Daily: delete export files older than GOVOPS_EXPORT_RETENTION_DAYS."""
    before = utcnow() - timedelta(days=get_settings().export_retention_days)
    async with ctx.transaction() as uow:
        return await service.expire(uow, ctx.extra["storage"], before)


@registry.cron("files.purge_uploads", hour=4, minute=40)
async def purge_uploads(ctx: JobContext) -> int:
    """Daily: delete uploads nobody attached within a day (an upload token lives an hour)."""
    async with ctx.transaction() as uow:
        return await attachments.purge_unattached(uow, ctx.extra["storage"], utcnow() - timedelta(days=1))
