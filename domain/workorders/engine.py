"""The work order engine: submit, approve, reject, return, resubmit, withdraw, comment, delegate, reassign.

Every use case locks the order (a row lock on PostgreSQL; SQLite's single writer serialises), checks the
flow, changes the order through the transition table, writes the timeline, and publishes the change after
commit. A refused action raises a WorkOrderError before anything is written, so it changes nothing; the
`version` column (SQLAlchemy's version counter) makes a write on a stale row fail instead of overwrite.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from core import audit
from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.errors import DomainErrors
from domain.identity.actor import Actor
from domain.identity.models import OrgUnit
from domain.integration.ports import redact
from domain.notifications.models import NotificationKind
from domain.notifications.service import notify
from domain.workorders import clocks
from domain.workorders import repository as repo
from domain.workorders.enums import (
    ApprovalMode,
    EventKind,
    ScopeKind,
    SlaScope,
    StepKind,
    TaskStatus,
    WorkOrderStatus,
    can_transition,
)
from domain.workorders.errors import Code, error, not_found, stale
from domain.workorders.flow import Flow, Step, StepContext, get_flow
from domain.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderLink, WorkOrderTask

CHANNEL = "govops.work_orders"
_NOT_LOGGED = frozenset({EventKind.STEP_ENTERED, EventKind.DISPATCHED, EventKind.COMPLETED})  # consequences, not acts
MAX_DELEGATION = timedelta(days=30)
S = WorkOrderStatus


# --- helpers ------------------------------------------------------------------------------------------


def parse_form(flow: Flow, data: Any) -> BaseModel:
    """The kind's typed form, or every problem at once (field paths under `form.`)."""
    try:
        return flow.form.model_validate(data)
    except ValidationError as exc:
        raise DomainErrors([
            error(Code.INVALID_INPUT, f"表单填写有误 / {e['msg']}", "form." + ".".join(str(p) for p in e["loc"]) if e["loc"] else "form")
            for e in exc.errors(include_url=False)
        ]) from None  # fmt: skip


def flow_of(order: WorkOrder) -> Flow:
    flow = get_flow(order.kind)
    if flow is None:  # a kind removed from the code while orders of it remain: refuse, do not guess
        raise error(Code.UNKNOWN_KIND, f"未知的工单类型 / Unknown work order kind {order.kind}")
    return flow


def _context(uow: UnitOfWork, order: WorkOrder, flow: Flow, actor: Actor | None, step: Step | None = None) -> StepContext:
    return StepContext(uow, order, flow.form.model_validate(order.payload), actor, flow, step)


def event(
    uow: UnitOfWork, order: WorkOrder, kind: EventKind, actor: Actor | None, now: datetime, *,
    comment: str | None = None, before: tuple[S | None, str | None] | None = None, detail: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    """Append to the timeline; `before` is (status, step) ahead of a transition, the order holds the after.
    What a person does also goes into the operation log (the system's own moves are on the timeline only)."""
    if actor is not None and kind not in _NOT_LOGGED:
        audit.record(
            uow.session, operation=f"workorders.{kind.value.lower()}", actor_id=actor.user_id,
            actor_username=actor.username, org_unit_id=actor.org_unit_id, target_type="WorkOrder", target_id=order.id,
            client_ip=actor.client_ip, detail={"number": order.number, "kind": order.kind, "comment": comment, **(detail or {})},
        )  # fmt: skip
    uow.session.add(WorkOrderEvent(
        order_id=order.id, kind=kind, actor_id=actor.user_id if actor else None,
        actor_name=actor.display_name if actor else "系统", at=now, step=order.step, comment=comment,
        from_status=before[0] if before else None, to_status=order.status if before else None,
        from_step=before[1] if before else None, to_step=order.step if before else None, detail=detail or {},
    ))  # fmt: skip


def touched(uow: UnitOfWork, order: WorkOrder, now: datetime) -> None:
    """Mark the order changed (bumps `version`) and tell subscribers after commit."""
    order.updated_at = now
    uow.publish(CHANNEL, {"id": order.id, "unitId": order.unit_id, "status": order.status.value})


def _move(order: WorkOrder, to: S, step: str | None) -> tuple[S, str | None]:
    if not can_transition(order.status, to):
        raise error(Code.INVALID_TRANSITION, f"工单当前状态不允许此操作 / Not allowed while the order is {order.status.value}")
    before = (order.status, order.step)
    order.status, order.step = to, step
    return before


async def load(uow: UnitOfWork, actor: Actor | None, order_id: int, expected_version: int | None) -> WorkOrder:
    order = await repo.lock_order(uow.session, order_id, actor)
    if order is None:
        raise not_found()
    if expected_version is not None and expected_version != order.version:
        raise stale()
    return order


# --- entering and leaving steps -----------------------------------------------------------------------


async def enter(ctx: StepContext, step: Step, now: datetime, *, kind: EventKind = EventKind.STEP_ENTERED,
                comment: str | None = None, since: datetime | None = None) -> None:  # fmt: skip
    """Put the order at `step`: make its tasks or its dispatch, (re)start its clock (a new one from `since`, when
    given), run its effect."""
    uow, order = ctx.uow, ctx.order
    ctx.step = step
    if step.kind is StepKind.APPROVAL:
        before = _move(order, S.PROCESSING, step.name)
        people = await _make_tasks(uow, order, step, now)
        notify(uow, people, NotificationKind.TASK_WAITING, f"待审批：{order.title}（{order.number}）", body=step.label,
               target=("WorkOrder", order.id), now=now, skip=ctx.actor.user_id if ctx.actor else None)  # fmt: skip
    else:
        from domain.workorders import dispatching  # it builds on this module: imported at use

        before = _move(order, S.DISPATCHING, step.name)
        if not await dispatching.create(ctx, step, now):
            # Nothing to send at this step: record that it was reached, then go on at once.
            touched(uow, order, now)
            event(uow, order, kind, ctx.actor, now, comment=comment, before=before, detail={"label": step.label, "empty": True})
            await leave(ctx, step, now)
            return
    await clocks.start(uow.session, order.id, SlaScope.STEP, step.name, ctx.flow.step_hours(step, ctx.form), now,
                       around_the_clock=ctx.flow.around_the_clock, since=since)  # fmt: skip
    if step.on_enter is not None:
        await step.on_enter(ctx)
    touched(uow, order, now)
    event(uow, order, kind, ctx.actor, now, comment=comment, before=before, detail={"label": step.label})


async def _make_tasks(uow: UnitOfWork, order: WorkOrder, step: Step, now: datetime) -> list[int]:
    """Open the step's decisions; returns who may take them (to be told so)."""
    approvers = step.approvers
    assert approvers is not None
    scope_path = await _unit_path(uow, order.unit_id)
    people = await repo.holders(uow.session, approvers.role, approvers.scope, scope_path)
    if not people:
        raise error(Code.NO_APPROVERS, f"“{step.label}”环节没有可处理的人员 / Nobody may act at step {step.name} "
                    f"(no active holder of role {approvers.role} in scope)")  # fmt: skip
    common = {
        "order_id": order.id, "step": step.name, "round": order.round, "role_code": approvers.role,
        "scope_kind": approvers.scope, "scope_path": scope_path, "status": TaskStatus.OPEN, "created_at": now,
        "supervisor_role": step.supervisor.role if step.supervisor else None,
    }  # fmt: skip
    if approvers.mode is ApprovalMode.SINGLE:
        uow.session.add(WorkOrderTask(assignee_id=None, **common))
    else:
        for user_id, _name in people:
            uow.session.add(WorkOrderTask(assignee_id=user_id, **common))
    await uow.session.flush()
    return [user_id for user_id, _name in people]


async def _unit_path(uow: UnitOfWork, unit_id: int) -> str:
    unit = await uow.session.get(OrgUnit, unit_id)
    assert unit is not None
    return unit.path


async def leave(ctx: StepContext, step: Step, now: datetime) -> None:
    """The step is done: stop its clock and go on to the next step, or complete the order."""
    await clocks.pause(ctx.uow.session, ctx.order.id, SlaScope.STEP, step.name, now, stop=True)
    following = ctx.flow.after(step)
    if following is None:
        await complete(ctx, now)
    else:
        await enter(ctx, following, now)


async def complete(ctx: StepContext, now: datetime) -> None:
    uow, order = ctx.uow, ctx.order
    before = _move(order, S.COMPLETED, None)
    await _finish(uow, order, now)
    if ctx.flow.on_complete is not None:
        await ctx.flow.on_complete(ctx)
    tell_applicant(uow, order, NotificationKind.ORDER_FINISHED, "已完成", ctx.actor, now)
    touched(uow, order, now)
    event(uow, order, EventKind.COMPLETED, ctx.actor, now, before=before)


async def reject_order(ctx: StepContext, now: datetime, reason: str, *, kind: EventKind = EventKind.REJECTED,
                       detail: dict[str, Any] | None = None) -> None:  # fmt: skip
    uow, order = ctx.uow, ctx.order
    before = _move(order, S.REJECTED, None)
    await _finish(uow, order, now)
    if ctx.flow.on_reject is not None:
        await ctx.flow.on_reject(ctx)
    tell_applicant(uow, order, NotificationKind.ORDER_FINISHED, "已驳回", ctx.actor, now)
    touched(uow, order, now)
    event(uow, order, kind, ctx.actor, now, comment=reason, before=before, detail=detail)


def tell_applicant(
    uow: UnitOfWork, order: WorkOrder, kind: NotificationKind, what: str, actor: Actor | None, now: datetime
) -> None:
    if order.applicant_id is None:  # the system opened it (a fault from an alert): nobody to tell
        return
    notify(uow, [order.applicant_id], kind, f"工单{what}：{order.title}（{order.number}）", target=("WorkOrder", order.id),
           now=now, skip=actor.user_id if actor else None)  # fmt: skip


async def _finish(uow: UnitOfWork, order: WorkOrder, now: datetime) -> None:
    order.finished_at = now
    order.due_at = None
    await cancel_open_tasks(uow, order, now)
    await clocks.stop_all(uow.session, order.id, now)
    row = await clocks.clock_of(uow.session, order.id, SlaScope.ORDER)
    if row is not None and row.breached_at is not None:
        order.overdue = True


async def cancel_open_tasks(uow: UnitOfWork, order: WorkOrder, now: datetime, *, keep: WorkOrderTask | None = None) -> None:
    await uow.session.flush()  # decisions taken in this transaction must be seen by the query
    stmt = select(WorkOrderTask).where(WorkOrderTask.order_id == order.id, WorkOrderTask.status == TaskStatus.OPEN)
    for task in (await uow.session.execute(stmt)).scalars():
        if task is not keep and task.status is TaskStatus.OPEN:
            task.status = TaskStatus.CANCELLED
            task.acted_at = now


async def sync_due(uow: UnitOfWork, order: WorkOrder) -> None:
    """Copy the order clock's due time onto the order (what lists sort and filter on)."""
    row = await clocks.clock_of(uow.session, order.id, SlaScope.ORDER)
    order.due_at = row.due_at if row is not None else None


# --- submit -------------------------------------------------------------------------------------------


async def submit(uow: UnitOfWork, actor: Actor | None, kind: str, data: Any, *, number: str, title: str | None = None,
                 files: list[Any] | None = None, now: datetime | None = None, unit_id: int | None = None,
                 since: datetime | None = None) -> WorkOrder:  # fmt: skip
    """Create and submit an order of `kind` for the actor's unit (INVALID_INPUT, UNKNOWN_KIND, NO_APPROVERS, GUARD_FAILED).

    The system submits with no actor, for `unit_id` (a fault opened by an alert); the order then has no applicant,
    and cannot be returned or withdrawn. `since`: the order's and first step's clocks start then, not now (the
    alert's time)."""
    now = now or utcnow()
    if (actor is None) == (unit_id is None):
        raise ValueError("a person submits for their own unit; the system names the unit")
    flow = get_flow(kind)
    if flow is None:
        raise error(Code.UNKNOWN_KIND, f"未知的工单类型 / Unknown work order kind {kind}", "kind")
    form = parse_form(flow, data)
    title = (title or "").strip() or (flow.title(form) if flow.title else flow.label)
    if len(title) > 200:
        raise error(Code.INVALID_INPUT, "标题不能超过200字 / The title may have at most 200 characters", "title")
    order = WorkOrder(
        number=number, kind=kind, status=S.PROCESSING, step=None, title=title,
        payload=form.model_dump(mode="json", by_alias=True), applicant_id=actor.user_id if actor else None,
        unit_id=actor.org_unit_id if actor else unit_id, round=1,
        overdue=False, created_at=now, updated_at=now,
    )  # fmt: skip
    uow.session.add(order)
    await uow.session.flush()
    ctx = StepContext(uow, order, form, actor, flow)
    if flow.validate is not None:
        await flow.validate(ctx)
    for target_type, target_id in sorted(set(flow.links(form))) if flow.links else []:
        uow.session.add(WorkOrderLink(order_id=order.id, target_type=target_type, target_id=target_id))
    event(uow, order, EventKind.SUBMITTED, actor, now, detail={"kind": kind, "number": number})
    if files and actor is not None:
        from domain.workorders.attachments import attach  # it builds on this module: imported at use

        await attach(uow, actor, order, files, now)
    await clocks.start(uow.session, order.id, SlaScope.ORDER, clocks.ORDER_STEP, flow.order_hours(form), now,
                       around_the_clock=flow.around_the_clock, since=since)  # fmt: skip
    first = flow.steps[0]
    # The first step is entered from "nowhere": record it as a PROCESSING -> first step move.
    await enter(ctx, first, now, since=since)
    await sync_due(uow, order)
    return order


# --- deciding a step ----------------------------------------------------------------------------------


async def _my_task(uow: UnitOfWork, actor: Actor, order: WorkOrder, step: Step, now: datetime) -> WorkOrderTask:
    """The open task of this step the actor may decide (NOT_ASSIGNEE; STALE_STATE when theirs is already decided)."""
    tasks = await repo.step_tasks(uow.session, order, step.name)
    roles = await repo.role_codes(uow.session, actor.user_id)
    mine = [t for t in tasks if repo.task_actionable(t, actor, roles, now)]
    open_ = [t for t in mine if t.status is TaskStatus.OPEN]
    if open_:
        # A voter's own task first; then one delegated to them; then a role task.
        open_.sort(key=lambda t: (t.assignee_id != actor.user_id, t.delegate_id != actor.user_id, t.id))
        return open_[0]
    if any(t.acted_by == actor.user_id for t in tasks) or mine:
        raise stale()
    raise error(Code.NOT_ASSIGNEE, "您不是当前环节的处理人 / You may not act at the current step of this order")


async def _human_step(uow: UnitOfWork, actor: Actor, order: WorkOrder, flow: Flow, what: str, now: datetime) -> Step:
    """The step people decide now; STALE_STATE when the actor's own decision was overtaken (a concurrent
    approver, an escalation), INVALID_TRANSITION when the order is simply not waiting on people."""
    step = flow.step(order.step) if order.step is not None else None
    if order.status is S.PROCESSING and step is not None and step.kind is StepKind.APPROVAL:
        return step
    if order.status is S.RETURNED:
        raise error(
            Code.INVALID_TRANSITION, f"工单已退回申请人修改，暂不能{what} / The order is back with the applicant for changes"
        )
    stmt = select(WorkOrderTask).where(WorkOrderTask.order_id == order.id, WorkOrderTask.round == order.round,
                                       WorkOrderTask.status != TaskStatus.OPEN)  # fmt: skip
    roles = await repo.role_codes(uow.session, actor.user_id)
    if any(repo.task_actionable(t, actor, roles, now) for t in (await uow.session.execute(stmt)).scalars()):
        raise stale()
    raise error(Code.INVALID_TRANSITION, f"工单当前状态不允许{what} / Not allowed while the order is {order.status.value}")


def _decided(task: WorkOrderTask, status: TaskStatus, actor: Actor, now: datetime, comment: str | None) -> dict[str, Any]:
    task.status, task.acted_by, task.acted_at, task.comment = status, actor.user_id, now, comment
    detail: dict[str, Any] = {"taskId": task.id}
    if task.delegate_id == actor.user_id and task.assignee_id != actor.user_id:
        detail["onBehalfOf"] = task.delegated_by
    return detail


async def approve(uow: UnitOfWork, actor: Actor, order_id: int, *, comment: str | None = None,
                  expected_version: int | None = None, now: datetime | None = None) -> WorkOrder:  # fmt: skip
    """Approve the current step (NOT_FOUND, STALE_STATE, NOT_ASSIGNEE, INVALID_TRANSITION, GUARD_FAILED, NO_APPROVERS)."""
    now = now or utcnow()
    order = await load(uow, actor, order_id, expected_version)
    flow = flow_of(order)
    step = await _human_step(uow, actor, order, flow, "审批", now)
    task = await _my_task(uow, actor, order, step, now)
    approvers = step.approvers
    assert approvers is not None
    passes = True
    if approvers.mode is ApprovalMode.COUNTERSIGN:
        tasks = await repo.step_tasks(uow.session, order, step.name)
        voters = [t for t in tasks if t.status is not TaskStatus.CANCELLED or t.acted_by is not None]
        needed = min(approvers.required or len(voters), len(voters))
        approved = sum(1 for t in tasks if t.status is TaskStatus.APPROVED)
        passes = approved + 1 >= needed
    ctx = _context(uow, order, flow, actor, step)
    if passes and step.guard is not None:
        refusal = await step.guard(ctx)
        if refusal:
            raise error(Code.GUARD_FAILED, refusal)
    detail = _decided(task, TaskStatus.APPROVED, actor, now, comment)
    touched(uow, order, now)
    event(uow, order, EventKind.APPROVED, actor, now, comment=comment, detail=detail)
    if passes:
        await cancel_open_tasks(uow, order, now)
        await leave(ctx, step, now)
        await sync_due(uow, order)
    return order


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise error(Code.REASON_REQUIRED, "请填写原因 / A reason is required", "reason")
    if len(text) > 2000:
        raise error(Code.INVALID_INPUT, "原因不能超过2000字 / The reason may have at most 2000 characters", "reason")
    return text


async def reject(uow: UnitOfWork, actor: Actor, order_id: int, reason: str | None, *,
                 expected_version: int | None = None, now: datetime | None = None) -> WorkOrder:  # fmt: skip
    """Reject at the current step; one rejection vetoes a countersign (REASON_REQUIRED, NOT_ASSIGNEE, STALE_STATE)."""
    now = now or utcnow()
    text = _reason(reason)
    order = await load(uow, actor, order_id, expected_version)
    flow = flow_of(order)
    step = await _human_step(uow, actor, order, flow, "驳回", now)
    task = await _my_task(uow, actor, order, step, now)
    detail = _decided(task, TaskStatus.REJECTED, actor, now, text)
    await cancel_open_tasks(uow, order, now)
    ctx = _context(uow, order, flow, actor, step)
    await clocks.pause(uow.session, order.id, SlaScope.STEP, step.name, now, stop=True)
    if step.on_reject is None:
        await reject_order(ctx, now, text, detail=detail)
    else:  # the flow sends a rejection back to an earlier step instead of ending the order
        event(uow, order, EventKind.REJECTED, actor, now, comment=text, detail=detail)
        await enter(ctx, flow.step(step.on_reject), now, comment=text)
        await sync_due(uow, order)
    return order


async def return_for_changes(uow: UnitOfWork, actor: Actor, order_id: int, reason: str | None, *,
                             expected_version: int | None = None, now: datetime | None = None) -> WorkOrder:  # fmt: skip
    """Send the order back to the applicant; its clocks pause until they resubmit (REASON_REQUIRED, INVALID_TRANSITION)."""
    now = now or utcnow()
    text = _reason(reason)
    order = await load(uow, actor, order_id, expected_version)
    flow = flow_of(order)
    step = await _human_step(uow, actor, order, flow, "退回", now)
    if not step.returnable:
        raise error(Code.INVALID_TRANSITION, f"“{step.label}”环节不能退回 / Step {step.name} cannot be returned for changes")
    if order.applicant_id is None:
        raise error(Code.INVALID_TRANSITION, "系统生成的工单没有申请人，不能退回，请驳回或审批 / The system opened this order: "
                    "there is no applicant to return it to (reject or approve it)")  # fmt: skip
    task = await _my_task(uow, actor, order, step, now)
    detail = _decided(task, TaskStatus.RETURNED, actor, now, text)
    await cancel_open_tasks(uow, order, now)
    before = _move(order, S.RETURNED, step.name)
    await clocks.pause(uow.session, order.id, SlaScope.STEP, step.name, now)
    await clocks.pause(uow.session, order.id, SlaScope.ORDER, clocks.ORDER_STEP, now)
    order.due_at = None
    tell_applicant(uow, order, NotificationKind.ORDER_RETURNED, "已退回修改", actor, now)
    touched(uow, order, now)
    event(uow, order, EventKind.RETURNED, actor, now, comment=text, before=before, detail=detail)
    return order


def _applicant(order: WorkOrder, actor: Actor) -> None:
    if order.applicant_id != actor.user_id:
        raise error(Code.NOT_APPLICANT, "只有申请人可以进行此操作 / Only the applicant may do this")


async def resubmit(uow: UnitOfWork, actor: Actor, order_id: int, data: Any, *, comment: str | None = None,
                   expected_version: int | None = None, now: datetime | None = None) -> WorkOrder:  # fmt: skip
    """The applicant answers a return with a corrected form; the order goes back to the step that returned it."""
    now = now or utcnow()
    order = await load(uow, actor, order_id, expected_version)
    _applicant(order, actor)
    if order.status is not S.RETURNED or order.step is None:
        raise error(
            Code.INVALID_TRANSITION,
            f"只有被退回的工单可以重新提交 / Only a returned order can be resubmitted ({order.status.value})",
        )
    flow = flow_of(order)
    form = parse_form(flow, data if data is not None else order.payload)
    changed = form.model_dump(mode="json", by_alias=True)
    diff = {k: {"before": order.payload.get(k), "after": v} for k, v in changed.items() if order.payload.get(k) != v}
    order.payload = changed
    order.round += 1
    ctx = StepContext(uow, order, form, actor, flow)
    if flow.validate is not None:
        await flow.validate(ctx)
    await clocks.start(uow.session, order.id, SlaScope.ORDER, clocks.ORDER_STEP, flow.order_hours(form), now,
                       around_the_clock=flow.around_the_clock)  # fmt: skip
    step = flow.step(order.step)
    await enter(ctx, step, now, kind=EventKind.RESUBMITTED, comment=comment)
    await sync_due(uow, order)
    if diff:
        event(uow, order, EventKind.COMMENTED, actor, now, comment="表单已修改 / Form changed",
              detail={"changes": redact(diff)})  # the history keeps no ID number or phone in clear  # fmt: skip
    return order


async def withdraw(uow: UnitOfWork, actor: Actor, order_id: int, reason: str | None = None, *,
                   expected_version: int | None = None, now: datetime | None = None) -> WorkOrder:  # fmt: skip
    """The applicant takes the order back: before the first approval of this submission, or while it is returned."""
    now = now or utcnow()
    order = await load(uow, actor, order_id, expected_version)
    _applicant(order, actor)
    flow = flow_of(order)
    if not flow.withdrawable:
        raise error(Code.INVALID_TRANSITION, f"{flow.label}不能撤回 / Orders of this kind cannot be withdrawn")
    if order.status is S.PROCESSING and await repo.approvals_this_round(uow.session, order):
        raise error(
            Code.ALREADY_APPROVED, "工单已有审批通过记录，不能撤回 / Already approved at a step: it can no longer be withdrawn"
        )
    if order.status not in (S.PROCESSING, S.RETURNED):
        raise error(Code.INVALID_TRANSITION, f"工单当前状态不能撤回 / Cannot withdraw while the order is {order.status.value}")
    ctx = _context(uow, order, flow, actor)
    before = _move(order, S.WITHDRAWN, None)
    await _finish(uow, order, now)
    if flow.on_withdraw is not None:
        await flow.on_withdraw(ctx)
    tell_applicant(uow, order, NotificationKind.ORDER_FINISHED, "已撤回", actor, now)
    touched(uow, order, now)
    event(uow, order, EventKind.WITHDRAWN, actor, now, comment=(reason or "").strip() or None, before=before)
    return order


async def comment(uow: UnitOfWork, actor: Actor, order_id: int, text: str) -> WorkOrder:
    """Add a comment to the timeline of an order the actor can see (does not change its version)."""
    body = (text or "").strip()
    if not body:
        raise error(Code.INVALID_INPUT, "评论不能为空 / A comment cannot be empty", "text")
    if len(body) > 2000:
        raise error(Code.INVALID_INPUT, "评论不能超过2000字 / A comment may have at most 2000 characters", "text")
    order = await load(uow, actor, order_id, None)
    now = utcnow()
    event(uow, order, EventKind.COMMENTED, actor, now, comment=body)
    uow.publish(CHANNEL, {"id": order.id, "unitId": order.unit_id, "status": order.status.value})
    return order


# --- delegation and reassignment ----------------------------------------------------------------------


async def delegate(uow: UnitOfWork, actor: Actor, order_id: int, to_user_id: int, until: datetime, *,
                   comment: str | None = None, expected_version: int | None = None,
                   now: datetime | None = None) -> WorkOrder:  # fmt: skip
    """Let another user decide your task until `until` (at most 30 days); they must be in the order's data scope."""
    now = now or utcnow()
    if until <= now or until > now + MAX_DELEGATION:
        raise error(
            Code.INVALID_INPUT, "委托有效期须在现在之后30天之内 / A delegation must end after now and within 30 days", "until"
        )
    if to_user_id == actor.user_id:
        raise error(Code.INVALID_DELEGATE, "不能委托给自己 / You cannot delegate to yourself", "delegateId")
    order = await load(uow, actor, order_id, expected_version)
    flow = flow_of(order)
    step = await _human_step(uow, actor, order, flow, "委托", now)
    task = await _my_task(uow, actor, order, step, now)
    target = await repo.user_in_scope(uow.session, to_user_id, task.scope_kind, task.scope_path)
    if to_user_id == order.applicant_id:
        raise error(Code.INVALID_DELEGATE, "不能委托给申请人本人 / The applicant cannot decide their own order", "delegateId")
    if target is None:
        raise error(Code.INVALID_DELEGATE, "受托人不存在、已停用或不在该工单的数据范围内 / The delegate does not exist, "
                    "is disabled, or is outside this order's data scope", "delegateId")  # fmt: skip
    task.delegate_id, task.delegate_until, task.delegated_by = target[0], until, actor.user_id
    touched(uow, order, now)
    event(uow, order, EventKind.DELEGATED, actor, now, comment=comment,
          detail={"taskId": task.id, "delegateId": target[0], "delegateName": target[1], "until": until.isoformat()})  # fmt: skip
    return order


async def reassign(uow: UnitOfWork, actor: Actor, order_id: int, to_user_id: int, *, task_id: int | None = None,
                   comment: str | None = None, expected_version: int | None = None,
                   now: datetime | None = None) -> WorkOrder:  # fmt: skip
    """Give an open task to a named user (workorders.manage, or the step's supervisor role); the clocks run on untouched."""
    now = now or utcnow()
    order = await load(uow, actor, order_id, expected_version)
    flow = flow_of(order)
    step = await _human_step(uow, actor, order, flow, "转派", now)
    roles = await repo.role_codes(uow.session, actor.user_id)
    supervisor = step.supervisor is not None and step.supervisor.role in roles
    if not (actor.can("workorders.manage") or supervisor):
        raise error(
            Code.NOT_ASSIGNEE,
            "只有工单管理员或该环节的督办角色可以转派 / Only work order managers or the step's supervisor may reassign",
        )
    open_ = [t for t in await repo.step_tasks(uow.session, order, step.name) if t.status is TaskStatus.OPEN]
    if task_id is not None:
        open_ = [t for t in open_ if t.id == task_id]
    if len(open_) != 1:
        raise error(Code.INVALID_INPUT, "请指定要转派的待办 / Name the open task to reassign", "taskId")
    task = open_[0]
    kind = ScopeKind.MANAGEMENT if task.scope_kind is ScopeKind.MANAGEMENT else ScopeKind.ORDER_UNIT
    target = await repo.user_in_scope(uow.session, to_user_id, kind, task.scope_path)
    if to_user_id == order.applicant_id:
        raise error(Code.INVALID_DELEGATE, "不能转派给申请人本人 / The applicant cannot decide their own order", "assigneeId")
    if target is None:
        raise error(Code.INVALID_DELEGATE, "新处理人不存在、已停用或不在该工单的数据范围内 / The new assignee does not exist, "
                    "is disabled, or is outside this order's data scope", "assigneeId")  # fmt: skip
    previous = task.assignee_id
    task.assignee_id = target[0]
    task.delegate_id = task.delegate_until = task.delegated_by = None
    touched(uow, order, now)
    event(uow, order, EventKind.REASSIGNED, actor, now, comment=comment,
          detail={"taskId": task.id, "from": previous, "to": target[0], "toName": target[1]})  # fmt: skip
    return order
