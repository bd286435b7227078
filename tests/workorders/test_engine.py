"""The engine with flows declared in tests/workorders/conftest.py: every approval semantic, and refusals that change nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.errors import DomainError, DomainErrors
from domain.workorders.enums import TRANSITIONS, EventKind, TaskStatus, WorkOrderStatus, can_transition
from domain.workorders.models import WorkOrder
from tests.workorders.helpers import order, refused, tasks, timeline, user_id

FORM = {"quantity": 3, "reason": "新建视频会商点"}


def test_the_transition_table_is_closed():
    for before in WorkOrderStatus:
        for after in WorkOrderStatus:
            assert can_transition(before, after) == ((before, after) in TRANSITIONS)
    for finished in (WorkOrderStatus.COMPLETED, WorkOrderStatus.REJECTED, WorkOrderStatus.WITHDRAWN):
        assert not any(can_transition(finished, after) for after in WorkOrderStatus)


async def test_single_approval_by_the_applicant_units_leader(wo):
    oid = await wo.submit("pd_user", "test.single", FORM)
    o = await order(wo.services, oid)
    assert re.fullmatch(r"GD\d{8}\d{6}", o.number)
    assert (o.status, o.step, o.title, o.version) == (WorkOrderStatus.PROCESSING, "leader", "申请3件", o.version)
    assert o.due_at is not None
    await refused(wo, "NOT_FOUND", "hp_admin", "approve", oid)  # another unit's leader cannot even see it
    await refused(wo, "NOT_ASSIGNEE", "operator", "approve", oid)  # sees it, but does not hold the role
    await refused(wo, "NOT_ASSIGNEE", "pd_user", "approve", oid)
    await refused(wo, "STALE_STATE", "pd_admin", "approve", oid, expected_version=o.version - 1)
    done = await wo.act("pd_admin", "approve", oid, comment="同意", expected_version=o.version)
    assert (done.status, done.step, done.finished_at is not None) == (WorkOrderStatus.COMPLETED, None, True)
    assert await timeline(wo.services, oid) == ["SUBMITTED", "STEP_ENTERED", "APPROVED", "COMPLETED"]
    assert await tasks(wo.services, oid) == [("leader", "APPROVED", "pd_admin")]
    await refused(wo, "STALE_STATE", "pd_admin", "approve", oid)  # decided: reloading shows it is done
    await refused(wo, "INVALID_TRANSITION", "operator", "approve", oid)


async def test_sequential_levels_and_a_rejection_that_goes_back_a_step(wo):
    oid = await wo.submit("pd_user", "test.sequential", FORM)
    await refused(wo, "NOT_ASSIGNEE", "operator", "approve", oid)  # level 2 cannot skip level 1
    await wo.act("pd_admin", "approve", oid)
    assert (await order(wo.services, oid)).step == "review"
    await refused(wo, "NOT_ASSIGNEE", "pd_admin", "approve", oid)
    await refused(wo, "REASON_REQUIRED", "operator", "reject", oid, "  ")
    back = await wo.act("operator", "reject", oid, "请补充说明用途")
    assert (back.status, back.step) == (WorkOrderStatus.PROCESSING, "leader")  # the flow sends it back, not out
    await wo.act("pd_admin2", "approve", oid)
    done = await wo.act("operator", "approve", oid)
    assert done.status is WorkOrderStatus.COMPLETED
    assert await tasks(wo.services, oid) == [
        ("leader", "APPROVED", "pd_admin"), ("review", "REJECTED", "operator"),
        ("leader", "APPROVED", "pd_admin2"), ("review", "APPROVED", "operator"),
    ]  # fmt: skip


async def test_countersign_two_of_three(wo):
    oid = await wo.submit("pd_user", "test.countersign", FORM)
    assert [t[1] for t in await tasks(wo.services, oid)] == ["OPEN", "OPEN", "OPEN"]
    await wo.act("reviewer1", "approve", oid)
    assert (await order(wo.services, oid)).status is WorkOrderStatus.PROCESSING
    await refused(wo, "STALE_STATE", "reviewer1", "approve", oid)  # one vote each
    await refused(wo, "NOT_ASSIGNEE", "operator", "approve", oid)
    done = await wo.act("reviewer2", "approve", oid)
    assert done.status is WorkOrderStatus.COMPLETED
    assert await tasks(wo.services, oid) == [
        ("board", "APPROVED", "reviewer1"),
        ("board", "APPROVED", "reviewer2"),
        ("board", "CANCELLED", None),
    ]
    await refused(wo, "STALE_STATE", "reviewer3", "approve", oid)  # their vote was overtaken by the other two


async def test_countersign_one_veto_rejects(wo):
    oid = await wo.submit("pd_user", "test.countersign", FORM)
    await wo.act("reviewer1", "approve", oid)
    await refused(wo, "REASON_REQUIRED", "reviewer3", "reject", oid, None)
    vetoed = await wo.act("reviewer3", "reject", oid, "不符合建设规范")
    assert (vetoed.status, vetoed.finished_at is not None) == (WorkOrderStatus.REJECTED, True)
    assert [t[1] for t in await tasks(wo.services, oid)] == ["APPROVED", "CANCELLED", "REJECTED"]
    assert await timeline(wo.services, oid) == ["SUBMITTED", "STEP_ENTERED", "APPROVED", "REJECTED"]


async def test_countersign_of_all_needs_every_vote(wo):
    oid = await wo.submit("pd_user", "test.countersign_all", FORM)
    await wo.act("reviewer1", "approve", oid)
    await wo.act("reviewer2", "approve", oid)
    assert (await order(wo.services, oid)).status is WorkOrderStatus.PROCESSING
    assert (await wo.act("reviewer3", "approve", oid)).status is WorkOrderStatus.COMPLETED


async def test_delegation_works_inside_its_window_and_not_after(wo):
    oid = await wo.submit("pd_user", "test.single", FORM)
    deputy = await user_id(wo, "pd_deputy")
    now = utcnow()
    await refused(wo, "INVALID_DELEGATE", "pd_admin", "delegate", oid, await user_id(wo, "hp_admin"), now + timedelta(hours=2))
    await refused(wo, "INVALID_DELEGATE", "pd_admin", "delegate", oid, await user_id(wo, "pd_user"), now + timedelta(hours=2))
    await refused(wo, "INVALID_INPUT", "pd_admin", "delegate", oid, deputy, now - timedelta(minutes=1))
    await refused(wo, "NOT_ASSIGNEE", "pd_deputy", "approve", oid)
    await wo.act("pd_admin", "delegate", oid, deputy, now + timedelta(hours=2))
    # Past the window the delegate is nobody again; inside it they decide on the leader's behalf.
    await refused(wo, "NOT_ASSIGNEE", "pd_deputy", "approve", oid, now=now + timedelta(hours=2, seconds=1))
    done = await wo.act("pd_deputy", "approve", oid, now=now + timedelta(hours=1))
    assert done.status is WorkOrderStatus.COMPLETED
    assert await tasks(wo.services, oid) == [("leader", "APPROVED", "pd_deputy")]


async def test_reassignment_by_a_manager_or_the_supervisor_only(wo):
    oid = await wo.submit("pd_user", "test.sequential", FORM)
    second = await user_id(wo, "pd_admin2")
    await refused(wo, "NOT_ASSIGNEE", "pd_admin", "reassign", oid, second)  # a leader is not a manager
    await refused(wo, "INVALID_DELEGATE", "operator", "reassign", oid, await user_id(wo, "hp_admin"))
    await wo.act("operator", "reassign", oid, second, comment="王科长出差")  # operator manages and supervises
    await refused(wo, "NOT_ASSIGNEE", "pd_admin", "approve", oid)  # now only the named person decides
    assert (await wo.act("pd_admin2", "approve", oid)).step == "review"


async def test_withdraw_only_before_the_first_approval_and_only_by_the_applicant(wo):
    oid = await wo.submit("pd_user", "test.sequential", FORM)
    await refused(wo, "NOT_APPLICANT", "pd_admin", "withdraw", oid)
    await wo.act("pd_admin", "approve", oid)
    await refused(wo, "ALREADY_APPROVED", "pd_user", "withdraw", oid)
    other = await wo.submit("pd_user", "test.sequential", FORM)
    gone = await wo.act("pd_user", "withdraw", other, "不需要了")
    assert (gone.status, gone.step) == (WorkOrderStatus.WITHDRAWN, None)
    assert [t[1] for t in await tasks(wo.services, other)] == ["CANCELLED"]
    await refused(wo, "INVALID_TRANSITION", "pd_user", "withdraw", other)


async def test_return_for_changes_and_resubmit(wo):
    oid = await wo.submit("pd_user", "test.sequential", FORM)
    await wo.act("pd_admin", "approve", oid)
    await refused(wo, "REASON_REQUIRED", "operator", "return_for_changes", oid, "")
    back = await wo.act("operator", "return_for_changes", oid, "数量请核实")
    assert (back.status, back.step, back.due_at) == (WorkOrderStatus.RETURNED, "review", None)
    await refused(wo, "INVALID_TRANSITION", "operator", "approve", oid)
    await refused(wo, "NOT_APPLICANT", "pd_admin", "resubmit", oid, {"quantity": 2, "reason": "x"})
    await refused(wo, "INVALID_INPUT", "pd_user", "resubmit", oid, {"quantity": 0, "reason": "x"})
    again = await wo.act("pd_user", "resubmit", oid, {"quantity": 2, "reason": "核实后改为2件"})
    assert (again.status, again.step, again.round, again.payload["quantity"]) == (WorkOrderStatus.PROCESSING, "review", 2, 2)
    assert (await wo.act("operator", "approve", oid)).status is WorkOrderStatus.COMPLETED
    kinds = await timeline(wo.services, oid)
    assert kinds[-5:] == ["RETURNED", "RESUBMITTED", "COMMENTED", "APPROVED", "COMPLETED"]


async def test_a_guard_refuses_the_approval_and_changes_nothing(wo):
    oid = await wo.submit("pd_user", "test.guarded", {"quantity": 20, "reason": "批量"})
    await refused(wo, "GUARD_FAILED", "pd_admin", "approve", oid)
    assert (await wo.act("pd_admin", "reject", oid, "超量")).status is WorkOrderStatus.REJECTED


async def test_submit_refusals_leave_no_order(wo):
    with pytest.raises(DomainErrors) as bad:
        await wo.submit("pd_user", "test.single", {"quantity": 0, "extra": 1})
    assert sorted((e.code.value, e.field) for e in bad.value.errors) == [
        ("INVALID_INPUT", "form.extra"), ("INVALID_INPUT", "form.quantity"), ("INVALID_INPUT", "form.reason"),
    ]  # fmt: skip
    with pytest.raises(DomainError) as nobody:
        await wo.submit("pd_user", "test.nobody", FORM)
    assert nobody.value.code.value == "NO_APPROVERS"
    with pytest.raises(DomainError) as unknown:
        await wo.submit("pd_user", "test.no_such_kind", FORM)
    assert unknown.value.code.value == "UNKNOWN_KIND"
    async with wo.services.session_factory() as s:
        assert (await s.execute(select(func.count()).select_from(WorkOrder))).scalar_one() == 0


async def test_comments_join_the_timeline_without_changing_the_version(wo):
    oid = await wo.submit("pd_user", "test.single", FORM)
    version = (await order(wo.services, oid)).version
    await refused(wo, "INVALID_INPUT", "pd_admin", "comment", oid, "   ")
    await refused(wo, "NOT_FOUND", "hp_user", "comment", oid, "看看")
    await wo.act("operator", "comment", oid, "请尽快处理")
    assert (await order(wo.services, oid)).version == version
    assert (await timeline(wo.services, oid))[-1] == EventKind.COMMENTED.value


def test_task_statuses_are_the_documented_set():
    assert {s.value for s in TaskStatus} == {"OPEN", "APPROVED", "REJECTED", "RETURNED", "CANCELLED"}
