"""The SLA tick: fire warnings at 75 %, breaches at 100 %, and what each step declared for a timeout.

Run every minute by the `workorders.sla_tick` cron. A clock's `warn_at` / `due_at` are kept current by
the engine whenever the clock starts, pauses or resumes, so the tick reads only clocks that fell due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from core.db.uow import UnitOfWork
from domain.notifications.models import NotificationKind
from domain.notifications.service import notify
from domain.workorders import engine
from domain.workorders import repository as repo
from domain.workorders.enums import EventKind, SlaScope, TaskStatus, WorkOrderStatus
from domain.workorders.flow import OnTimeout
from domain.workorders.models import WorkOrder, WorkOrderSla, WorkOrderTask
from domain.workorders.sla import SlaState

BATCH = 200


@dataclass
class TickResult:
    warned: int = 0
    breached: int = 0
    escalated: int = 0


async def tick(uow: UnitOfWork, now: datetime, limit: int = BATCH) -> TickResult:
    """Fire the clocks that fell due (at most `limit`; the next minute takes the rest)."""
    c = WorkOrderSla
    stmt = (
        select(c.id, c.order_id)
        .where(c.stopped_at.is_(None))
        .where(or_(and_(c.warn_at <= now, c.warned_at.is_(None)), and_(c.due_at <= now, c.breached_at.is_(None))))
        .order_by(c.order_id, c.id)
        .limit(limit)
    )
    due = list(await uow.session.execute(stmt))
    result = TickResult()
    for order_id in sorted({r.order_id for r in due}):
        order = await engine.load(uow, None, order_id, None)  # locks the order, then re-reads its clocks
        rows = (await uow.session.execute(select(WorkOrderSla).where(WorkOrderSla.order_id == order_id)
                                          .execution_options(populate_existing=True))).scalars()  # fmt: skip
        for row in list(rows):
            if row.stopped_at is not None:
                continue
            if row.warn_at is not None and row.warn_at <= now and row.warned_at is None:
                row.warned_at, row.warn_at, row.state = now, None, SlaState.WARNING
                await _warn(uow, order, row, now)
                engine.event(uow, order, EventKind.SLA_WARNING, None, now,
                             detail={"scope": row.scope.value, "step": row.step or None})  # fmt: skip
                result.warned += 1
            if row.due_at is not None and row.due_at <= now and row.breached_at is None:
                row.breached_at, row.due_at, row.state = now, None, SlaState.BREACHED
                engine.event(uow, order, EventKind.SLA_BREACHED, None, now,
                             detail={"scope": row.scope.value, "step": row.step or None})  # fmt: skip
                result.breached += 1
                if row.scope is SlaScope.ORDER:
                    order.overdue = True
                elif await _timeout(uow, order, row, now):
                    result.escalated += 1
        engine.touched(uow, order, now)
    return result


async def _warn(uow: UnitOfWork, order: WorkOrder, row: WorkOrderSla, now: datetime) -> None:
    """Tell whoever may decide the step now (or, for the order's clock, the deciders of its current step)."""
    step = row.step or order.step
    if order.status is not WorkOrderStatus.PROCESSING or not step:
        return
    recipients: set[int] = set()
    for task in await repo.step_tasks(uow.session, order, step):
        if task.status is not TaskStatus.OPEN:
            continue
        if task.assignee_id is not None:
            recipients.add(task.assignee_id)
        elif task.role_code:
            recipients |= {h[0] for h in await repo.holders(uow.session, task.role_code, task.scope_kind, task.scope_path)}
    notify(uow, recipients, NotificationKind.SLA_WARNING, f"即将超时：{order.title}（{order.number}）", target=("WorkOrder", order.id),
           now=now)  # fmt: skip


async def _timeout(uow: UnitOfWork, order: WorkOrder, row: WorkOrderSla, now: datetime) -> bool:
    """Do what the breached step declared: escalate to its supervisor, reject, or approve by silence."""
    if order.status is not WorkOrderStatus.PROCESSING or order.step != row.step:
        return False  # the clock belongs to a step the order is not waiting at
    flow = engine.flow_of(order)
    step = flow.step(row.step)
    ctx = engine._context(uow, order, flow, None, step)
    if step.on_timeout is OnTimeout.REJECT:
        await engine.reject_order(ctx, now, f"“{step.label}”超时未处理 / No decision at {step.name} in time")
        return True
    if step.on_timeout is OnTimeout.APPROVE:
        await engine.cancel_open_tasks(uow, order, now)
        engine.event(uow, order, EventKind.APPROVED, None, now, comment="超时自动通过 / Approved by timeout")
        await engine.leave(ctx, step, now)
        await engine.sync_due(uow, order)
        return True
    if step.supervisor is None or row.escalated_at is not None:
        return False
    supervisor = step.supervisor
    scope_path = (await uow.session.execute(select(WorkOrderTask.scope_path).where(WorkOrderTask.order_id == order.id)
                                            .limit(1))).scalar_one()  # fmt: skip
    holders = await repo.holders(uow.session, supervisor.role, supervisor.scope, scope_path)
    if not holders:
        return False  # nobody to escalate to: the breach event stands, and the open tasks stay open
    await engine.cancel_open_tasks(uow, order, now)
    uow.session.add(WorkOrderTask(
        order_id=order.id, step=step.name, round=order.round, role_code=supervisor.role, scope_kind=supervisor.scope,
        scope_path=scope_path, assignee_id=None, supervisor_role=None, status=TaskStatus.OPEN, created_at=now,
    ))  # fmt: skip
    row.escalated_at = now
    notify(uow, [h[0] for h in holders], NotificationKind.ESCALATED, f"督办：{order.title}（{order.number}）超时未处理",
           body=step.label, target=("WorkOrder", order.id), now=now)  # fmt: skip
    engine.event(uow, order, EventKind.ESCALATED, None, now,
                 detail={"step": step.name, "to_role": supervisor.role, "notified": [h[0] for h in holders]})  # fmt: skip
    return True
