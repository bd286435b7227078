"""SLA clocks as the engine drives them: the 2026 National Day holiday and its make-up Saturday, pauses that
survive re-assignment, and the tick's warning, breach and escalation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from core.clock import UTC
from domain.workorders import timers
from domain.workorders.clocks import elapsed
from domain.workorders.enums import SlaScope, WorkOrderStatus
from domain.workorders.flow import Flow, OnTimeout, Step, register
from domain.workorders.models import WorkOrderEvent, WorkOrderSla, WorkOrderTask
from domain.workorders.sla import SlaState
from tests.workorders.flows import LEADER, REVIEW, bj
from tests.workorders.helpers import order, refused, user_id
from tests.workorders.test_engine import FORM

HOUR = 3600


class Note(BaseModel):
    quantity: int = 1
    reason: str = "x"


register(
    Flow("test.sla", "测试：时限", Note, (Step("leader", "单位领导审批", LEADER, sla_hours=7, supervisor=REVIEW),), sla_hours=21)
)
register(
    Flow(
        "test.sla_reject",
        "测试：超时驳回",
        Note,
        (Step("leader", "单位领导审批", LEADER, sla_hours=1, on_timeout=OnTimeout.REJECT),),
    )
)


async def clocks_of(services: Any, order_id: int) -> dict[tuple[str, str], WorkOrderSla]:
    async with services.session_factory() as s:
        rows = (await s.execute(select(WorkOrderSla).where(WorkOrderSla.order_id == order_id))).scalars()
        return {(r.scope.value, r.step): r for r in rows}


async def tick(services: Any, at: Any) -> timers.TickResult:
    async with services.unit_of_work() as uow:
        return await timers.tick(uow, at)


async def test_due_times_skip_the_national_day_holiday_and_count_its_make_up_saturday(wo):
    # Wednesday 30 September, 14:00: 3.5 working hours left that day, then 1-7 October are holidays.
    oid = await wo.submit("pd_user", "test.sla", {}, now=bj(2026, 9, 30, 14, 0))
    clocks = await clocks_of(wo.services, oid)
    step, whole = clocks[("STEP", "leader")], clocks[("ORDER", "")]
    assert step.due_at == bj(2026, 10, 8, 14, 0).astimezone(UTC)  # 3.5 h + 3 h + 0.5 h
    assert step.warn_at == bj(2026, 10, 8, 10, 45).astimezone(UTC)  # 75 % of 7 h = 5.25 h
    # 21 h: 3.5 (30 Sep) + 7 (Thu 8) + 7 (Fri 9) + 3.5 on Saturday 10 October, the make-up working day.
    assert whole.due_at == bj(2026, 10, 10, 14, 0).astimezone(UTC)
    assert (await order(wo.services, oid)).due_at == whole.due_at


async def test_a_pause_while_returned_survives_reassignment(wo):
    oid = await wo.submit("pd_user", "test.sequential", FORM, now=bj(2026, 10, 8, 9, 0))
    await wo.act("pd_admin", "approve", oid, now=bj(2026, 10, 8, 10, 0))
    await wo.act("operator", "return_for_changes", oid, "请补充", now=bj(2026, 10, 8, 11, 0))
    paused = await clocks_of(wo.services, oid)
    assert paused[("STEP", "review")].due_at is None and paused[("ORDER", "")].due_at is None
    await wo.act("pd_user", "resubmit", oid, None, now=bj(2026, 10, 9, 9, 0))  # the next morning
    reviewer = await user_id(wo, "reviewer1")
    await wo.act("operator", "reassign", oid, reviewer, now=bj(2026, 10, 9, 10, 0))
    clocks = await clocks_of(wo.services, oid)
    at = bj(2026, 10, 9, 11, 0)
    assert elapsed(clocks[("STEP", "review")], at) == 3 * HOUR  # 1 h before the pause, 2 h after it
    assert elapsed(clocks[("ORDER", "")], at) == 4 * HOUR
    assert elapsed(clocks[("STEP", "leader")], at) == 1 * HOUR  # stopped when the leader approved
    assert clocks[("STEP", "review")].due_at == bj(2026, 10, 9, 16, 30).astimezone(UTC)  # 6 h left at 09:00, lunch 12:00-13:30


async def test_the_tick_warns_breaches_and_escalates_to_the_supervisor(wo):
    oid = await wo.submit("pd_user", "test.sla", {}, now=bj(2026, 10, 8, 9, 0))
    assert (await tick(wo.services, bj(2026, 10, 8, 15, 40))).warned == 0  # 4 h 40 min: short of 5 h 15 min
    first = await tick(wo.services, bj(2026, 10, 8, 16, 0))  # 5.5 h of 7 (lunch is not working time): past 75 %
    assert (first.warned, first.breached) == (1, 0)
    assert (await tick(wo.services, bj(2026, 10, 8, 16, 1))).warned == 0  # a warning fires once
    late = await tick(wo.services, bj(2026, 10, 9, 9, 1))
    assert (late.breached, late.escalated) == (1, 1)
    await refused(wo, "STALE_STATE", "pd_admin", "approve", oid)  # the decision moved to the supervisor role
    assert (await wo.act("operator", "approve", oid, now=bj(2026, 10, 9, 10, 0))).status is WorkOrderStatus.COMPLETED
    async with wo.services.session_factory() as s:
        kinds = [k.value for k in (await s.execute(select(WorkOrderEvent.kind).where(WorkOrderEvent.order_id == oid)
                                                   .order_by(WorkOrderEvent.id))).scalars()]  # fmt: skip
        roles = [
            t.role_code
            for t in (
                await s.execute(select(WorkOrderTask).where(WorkOrderTask.order_id == oid).order_by(WorkOrderTask.id))
            ).scalars()
        ]
    assert kinds == ["SUBMITTED", "STEP_ENTERED", "SLA_WARNING", "SLA_BREACHED", "ESCALATED", "APPROVED", "COMPLETED"]
    assert roles == ["unit_admin", "management_operator"]
    clocks = await clocks_of(wo.services, oid)
    assert clocks[("STEP", "leader")].state is SlaState.BREACHED
    assert clocks[("ORDER", "")].state is SlaState.ON_TRACK  # 8 h of 21 h
    assert (await order(wo.services, oid)).overdue is False


async def test_a_step_that_rejects_on_timeout(wo):
    oid = await wo.submit("pd_user", "test.sla_reject", {}, now=bj(2026, 10, 8, 9, 0))
    await tick(wo.services, bj(2026, 10, 8, 10, 30))
    assert (await order(wo.services, oid)).status is WorkOrderStatus.REJECTED


async def test_an_order_that_finishes_late_is_marked_overdue(wo):
    oid = await wo.submit("pd_user", "test.sla", {}, now=bj(2026, 10, 8, 9, 0))
    await tick(wo.services, bj(2026, 10, 13, 9, 0))  # 3 working days (21 h) are gone by Tuesday 13th
    o = await order(wo.services, oid)
    assert o.overdue is True
    clocks = await clocks_of(wo.services, oid)
    assert clocks[("ORDER", "")].breached_at is not None
    assert SlaScope.ORDER.value == "ORDER"
