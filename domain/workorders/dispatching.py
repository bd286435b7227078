"""Dispatches: an order step sent to an external platform through the outbox, and the platform's answers.

The dispatch row and its job are written in the order's transaction (nothing leaves if it rolls back).
The job (jobs/workorders.py) calls the platform's gateway with the dispatch's idempotency key, so a job
that ran twice, or crashed after the platform accepted, still has the effect once. An answer for a
dispatch that is already settled (a duplicate callback, a late retry) changes nothing.
"""

from __future__ import annotations

import inspect
from datetime import datetime

from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.alerts import service as alerts
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.identity.actor import Actor
from domain.workorders import engine
from domain.workorders.enums import DispatchStatus, EventKind, WorkOrderStatus
from domain.workorders.errors import Code, error
from domain.workorders.flow import Step, StepContext
from domain.workorders.models import WorkOrder, WorkOrderDispatch
from domain.workorders.ports import DispatchAnswer, DispatchResult

JOB = "workorders.dispatch"
SETTLED = frozenset({DispatchStatus.CONFIRMED, DispatchStatus.REFUSED})


def idempotency_key(order: WorkOrder, step: str) -> str:
    """Derived from the order, the step and the submission round: the same request always carries the same key."""
    return f"GOVOPS-{order.number}-{step}-{order.round}"


def _fingerprint(dispatch: WorkOrderDispatch) -> str:
    return f"workorders.dispatch:{dispatch.idempotency_key}"


async def create(ctx: StepContext, step: Step, now: datetime) -> list[WorkOrderDispatch]:
    """Write the step's dispatches (one, or one per request `build` returned) and enqueue their jobs in the
    order's transaction."""
    assert step.dispatch is not None
    order = ctx.order
    built = step.dispatch.build(ctx)
    if inspect.isawaitable(built):  # a build that reads what earlier steps registered (the cards an open issued)
        built = await built
    requests = built if isinstance(built, list) else [built]
    if not requests:
        return []  # nothing to send (a card without an account to close): the engine moves on
    platform = step.dispatch.platform_for(ctx)
    if inspect.isawaitable(platform):  # a platform read from the records (the card's carrier)
        platform = await platform
    base = idempotency_key(order, step.name)
    keys = [base] if not isinstance(built, list) else [f"{base}-{i + 1}" for i in range(len(requests))]
    existing = {
        d.idempotency_key: d
        for d in (
            await ctx.uow.session.execute(select(WorkOrderDispatch).where(WorkOrderDispatch.idempotency_key.in_(keys)))
        ).scalars()
    }
    if any(d.status in SETTLED for d in existing.values()):
        raise error(Code.INVALID_TRANSITION, f"该环节已经提交过平台 / Step {step.name} was already dispatched in this round")
    made = []
    for key, request in zip(keys, requests, strict=True):
        dispatch = existing.get(key) or WorkOrderDispatch(
            order_id=order.id, step=step.name, round=order.round, platform=platform, operation=step.dispatch.operation,
            idempotency_key=key, status=DispatchStatus.PENDING, request=request, attempts=0, created_at=now, updated_at=now,
        )  # fmt: skip
        ctx.uow.session.add(dispatch)
        made.append(dispatch)
    await ctx.uow.session.flush()
    for dispatch in made:
        ctx.uow.enqueue(JOB, {"dispatch_id": dispatch.id}, key=f"{JOB}:{dispatch.id}:{dispatch.attempts}:{now.timestamp()}")
    engine.event(ctx.uow, order, EventKind.DISPATCHED, ctx.actor, now,
                 detail={"platform": platform, "operation": step.dispatch.operation, "keys": keys})  # fmt: skip
    return made


async def _siblings(uow: UnitOfWork, dispatch: WorkOrderDispatch) -> list[WorkOrderDispatch]:
    """The other dispatches of the same step and round (a fan-out), read under the order's lock."""
    stmt = select(WorkOrderDispatch).where(
        WorkOrderDispatch.order_id == dispatch.order_id, WorkOrderDispatch.step == dispatch.step,
        WorkOrderDispatch.round == dispatch.round, WorkOrderDispatch.id != dispatch.id,
    ).execution_options(populate_existing=True)  # fmt: skip
    return list((await uow.session.execute(stmt)).scalars())


async def _locked(uow: UnitOfWork, dispatch_id: int) -> tuple[WorkOrderDispatch, WorkOrder]:
    dispatch = await uow.session.get(WorkOrderDispatch, dispatch_id)
    if dispatch is None:
        raise error(Code.NOT_FOUND, "派发记录不存在 / No such dispatch", "dispatchId")
    order = await engine.load(uow, None, dispatch.order_id, None)
    await uow.session.refresh(dispatch)  # re-read under the order's lock
    return dispatch, order


def _current(dispatch: WorkOrderDispatch, order: WorkOrder) -> bool:
    """The order is still waiting at this dispatch's step and round (otherwise the answer is history)."""
    waiting = order.status in (WorkOrderStatus.DISPATCHING, WorkOrderStatus.DISPATCH_FAILED)
    return waiting and order.step == dispatch.step and order.round == dispatch.round


async def answered(uow: UnitOfWork, dispatch_id: int, result: DispatchResult, *, via: str = "gateway",
                   now: datetime | None = None) -> bool:  # fmt: skip
    """Record the platform's answer: CONFIRMED moves the order on (once); ACCEPTED waits for the callback."""
    now = now or utcnow()
    dispatch, order = await _locked(uow, dispatch_id)
    if dispatch.status in SETTLED or not _current(dispatch, order):
        return False
    dispatch.reference = result.reference or dispatch.reference
    dispatch.updated_at = now
    if result.answer is DispatchAnswer.ACCEPTED:
        if dispatch.status is DispatchStatus.ACCEPTED:
            return False
        dispatch.status = DispatchStatus.ACCEPTED
        engine.touched(uow, order, now)
        engine.event(uow, order, EventKind.DISPATCH_ACCEPTED, None, now, detail={"reference": dispatch.reference, "via": via})
        return True
    dispatch.status, dispatch.result, dispatch.confirmed_at = DispatchStatus.CONFIRMED, result.result, now
    flow = engine.flow_of(order)
    step = flow.step(dispatch.step)
    ctx = engine._context(uow, order, flow, None, step)
    ctx.result = dict(result.result)
    siblings_dead = any(d.status is DispatchStatus.DEAD for d in await _siblings(uow, dispatch))
    if order.status is WorkOrderStatus.DISPATCH_FAILED and not siblings_dead:  # a late confirmation of a dead letter
        order.status = WorkOrderStatus.DISPATCHING
    engine.event(uow, order, EventKind.DISPATCH_CONFIRMED, None, now, detail={"reference": dispatch.reference, "via": via})
    # A dispatch that went through dead letter (and was retried) has a firing alert: the platform's answer resolves it.
    await alerts.resolve(uow, _fingerprint(dispatch), "平台已确认 / Confirmed by the platform", now)
    ctx.request = dict(dispatch.request)
    assert step.dispatch is not None
    if step.dispatch.on_confirmed is not None:
        await step.dispatch.on_confirmed(ctx)
    if all(d.status is DispatchStatus.CONFIRMED for d in await _siblings(uow, dispatch)):
        await engine.leave(ctx, step, now)
        await engine.sync_due(uow, order)
    else:
        engine.touched(uow, order, now)
    return True


async def refused(uow: UnitOfWork, dispatch_id: int, message: str, code: str | None = None, *,
                  now: datetime | None = None) -> bool:  # fmt: skip
    """The platform refused the request itself: the order is rejected with the platform's reason."""
    now = now or utcnow()
    dispatch, order = await _locked(uow, dispatch_id)
    if dispatch.status in SETTLED or not _current(dispatch, order):
        return False
    dispatch.status, dispatch.last_error, dispatch.updated_at = DispatchStatus.REFUSED, message, now
    if order.status is WorkOrderStatus.DISPATCH_FAILED:
        order.status = WorkOrderStatus.DISPATCHING
    await alerts.resolve(uow, _fingerprint(dispatch), "平台已答复 / The platform answered", now)
    flow = engine.flow_of(order)
    ctx = engine._context(uow, order, flow, None, flow.step(dispatch.step))
    reason = f"平台拒绝：{message} / Refused by {dispatch.platform}: {message}"
    engine.event(uow, order, EventKind.DISPATCH_REFUSED, None, now, comment=reason, detail={"code": code})
    await engine.reject_order(ctx, now, reason)
    return True


async def dead(uow: UnitOfWork, dispatch_id: int, message: str, *, now: datetime | None = None) -> bool:
    """Out of tries: the dispatch waits in dead letter, the order shows DISPATCH_FAILED, and a business alert fires."""
    now = now or utcnow()
    dispatch, order = await _locked(uow, dispatch_id)
    if dispatch.status in SETTLED or dispatch.status is DispatchStatus.DEAD or not _current(dispatch, order):
        return False
    dispatch.status, dispatch.last_error, dispatch.updated_at = DispatchStatus.DEAD, message, now
    # A second request of the same fan-out may die after the first: the order is already waiting on an operator.
    before = (
        None
        if order.status is WorkOrderStatus.DISPATCH_FAILED
        else engine._move(order, WorkOrderStatus.DISPATCH_FAILED, order.step)
    )
    engine.touched(uow, order, now)
    engine.event(uow, order, EventKind.DISPATCH_DEAD, None, now, comment=message, before=before,
                 detail={"platform": dispatch.platform, "operation": dispatch.operation, "attempts": dispatch.attempts})  # fmt: skip
    await alerts.fire(
        uow, kind=AlertKind.BUSINESS, severity=AlertSeverity.MAJOR, source=f"workorders.{dispatch.platform}",
        fingerprint=_fingerprint(dispatch),
        title=f"工单{order.number}提交{dispatch.platform}失败 / Work order {order.number} could not reach {dispatch.platform}",
        detail=message, labels={"platform": dispatch.platform, "operation": dispatch.operation, "number": order.number},
        target=("WorkOrder", order.id), unit_id=order.unit_id, now=now,
    )  # fmt: skip
    return True


async def retry(uow: UnitOfWork, actor: Actor, order_id: int, *, expected_version: int | None = None,
                now: datetime | None = None) -> WorkOrder:  # fmt: skip
    """An operator sends the dead-lettered dispatches of the step again, with the same idempotency keys
    (DISPATCH_NOT_RETRYABLE)."""
    now = now or utcnow()
    order = await engine.load(uow, actor, order_id, expected_version)
    stmt = select(WorkOrderDispatch).where(
        WorkOrderDispatch.order_id == order.id, WorkOrderDispatch.step == (order.step or ""),
        WorkOrderDispatch.round == order.round, WorkOrderDispatch.status == DispatchStatus.DEAD,
    )  # fmt: skip
    dead_ones = list((await uow.session.execute(stmt)).scalars())
    if order.status is not WorkOrderStatus.DISPATCH_FAILED or not dead_ones:
        raise error(Code.DISPATCH_NOT_RETRYABLE, "该工单没有待重试的平台派发 / This order has no failed dispatch to retry")
    before = engine._move(order, WorkOrderStatus.DISPATCHING, order.step)
    for dispatch in dead_ones:
        dispatch.status, dispatch.updated_at = DispatchStatus.PENDING, now
        uow.enqueue(JOB, {"dispatch_id": dispatch.id}, key=f"{JOB}:{dispatch.id}:retry:{now.timestamp()}")
    engine.touched(uow, order, now)
    engine.event(uow, order, EventKind.DISPATCH_RETRIED, actor, now, before=before,
                 detail={"platform": dead_ones[0].platform, "keys": [d.idempotency_key for d in dead_ones]})  # fmt: skip
    return order


async def pending(uow: UnitOfWork, dispatch_id: int) -> WorkOrderDispatch | None:
    """The dispatch if it still needs a call to its platform (PENDING), else None."""
    dispatch = await uow.session.get(WorkOrderDispatch, dispatch_id)
    return dispatch if dispatch is not None and dispatch.status is DispatchStatus.PENDING else None


async def by_key(uow: UnitOfWork, key: str) -> WorkOrderDispatch | None:
    stmt = select(WorkOrderDispatch).where(WorkOrderDispatch.idempotency_key == key)
    return (await uow.session.execute(stmt)).scalar_one_or_none()
