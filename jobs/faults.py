"""Fault jobs: the fault an alert of the configured severity opens (domain/faults/service.py)."""

from __future__ import annotations

from core.queue.context import JobContext, RetryLater
from domain.alerts.service import FAULT_JOB
from domain.faults import service
from domain.workorders import numbering
from domain.workorders.errors import Code, WorkOrderError
from jobs import registry


@registry.job(FAULT_JOB, max_tries=6, timeout=60, backoff_base=2.0)
async def from_alert(ctx: JobContext, alert_id: int) -> str:
    """Open the alert's fault once: nothing when it resolved or was silenced meanwhile or has one already. When
    nobody could review it yet (no active Big Data Center operator), try again later."""
    async with ctx.session_factory() as session:
        if not await service.wanted(session, alert_id):
            return "skipped"
    # The number comes from its own short transaction, before the order's (SQLite has one writer at a time).
    number = await numbering.next_number(ctx.session_factory.kw["bind"])
    try:
        async with ctx.transaction() as uow:
            order = await service.open_for_alert(uow, alert_id, number)
    except WorkOrderError as exc:
        if exc.code is Code.NO_APPROVERS and ctx.attempt < ctx.max_tries:
            raise RetryLater(str(exc)) from exc
        raise
    return "skipped" if order is None else order.number
