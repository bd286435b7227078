"""The fault rectification flow: report, review (the response), rectification, verification; SLA targets from the
level, counted around the clock; refusals that change nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.clock import utcnow
from core.ids import decode_id
from domain.faults.enums import FaultStage
from domain.faults.models import Fault
from domain.workorders.enums import SlaScope
from domain.workorders.models import WorkOrder, WorkOrderLink, WorkOrderSla
from tests.faults.conftest import APPROVE, REJECT, decide, report, submit


async def fault_of(services, order_gid: str) -> Fault:
    async with services.session_factory() as s:
        return (await s.execute(select(Fault).where(Fault.order_id == decode_id(order_gid, "WorkOrder")))).scalar_one()


async def clocks_of(services, order_gid: str) -> dict[str, WorkOrderSla]:
    async with services.session_factory() as s:
        rows = (await s.execute(select(WorkOrderSla).where(WorkOrderSla.order_id == decode_id(order_gid, "WorkOrder")))).scalars()
        return {row.step or "order": row for row in rows}


async def test_a_reported_fault_is_reviewed_rectified_checked_and_closed_with_its_times(records, gql):
    answer = await submit(gql, report())
    assert answer["errors"] == []
    order = answer["workOrder"]
    assert (order["status"], order["step"], order["applicant"]) == ("PROCESSING", "review", {"username": "pd_user"})
    fault = await fault_of(records, order["id"])
    assert (fault.stage, fault.level.value, fault.sim_card_id is not None, fault.account_id) == (
        FaultStage.REVIEWING,
        "LEVEL_2",
        True,
        None,
    )
    clocks = await clocks_of(records, order["id"])
    # Level 2: respond within 2 hours, resolve within 8, nights and holidays included.
    assert (clocks["review"].target_seconds, clocks["order"].target_seconds) == (2 * 3600, 8 * 3600)
    assert clocks["review"].around_the_clock and clocks["order"].around_the_clock
    due = clocks["order"].due_at
    assert due is not None and abs((due - utcnow()).total_seconds() - 8 * 3600) < 120

    assert (await decide(gql, APPROVE, {"id": order["id"], "comment": "已确认，派维护组"}))["workOrder"]["step"] == "rectify"
    fault = await fault_of(records, order["id"])
    assert fault.stage is FaultStage.RECTIFYING and fault.responded_at is not None and fault.response_seconds is not None
    assert (await decide(gql, APPROVE, {"id": order["id"], "comment": "已调整天线"}))["workOrder"]["step"] == "verify"
    assert (await fault_of(records, order["id"])).stage is FaultStage.VERIFYING
    back = await decide(gql, REJECT, {"id": order["id"], "reason": "信号仍弱"})  # the check fails: repair again
    assert back["workOrder"] == {"status": "PROCESSING", "step": "rectify"}
    responded = fault.responded_at
    fault = await fault_of(records, order["id"])
    assert fault.stage is FaultStage.RECTIFYING and fault.responded_at == responded  # the response happened once
    await decide(gql, APPROVE, {"id": order["id"]})
    done = await decide(gql, APPROVE, {"id": order["id"], "comment": "复测正常"})
    assert done["workOrder"] == {"status": "COMPLETED", "step": None}
    fault = await fault_of(records, order["id"])
    assert fault.stage is FaultStage.CLOSED and fault.closed_at is not None and fault.rectified_at is not None
    assert fault.resolution_seconds is not None and fault.resolution_seconds >= fault.response_seconds


async def test_a_review_that_rejects_it_ends_the_fault(records, gql):
    order = (await submit(gql, report(iccid=None)))["workOrder"]
    assert (await decide(gql, REJECT, {"id": order["id"], "reason": "重复报修"}))["workOrder"]["status"] == "REJECTED"
    fault = await fault_of(records, order["id"])
    assert fault.stage is FaultStage.REJECTED and fault.closed_at is not None and fault.resolution_seconds is None


async def test_refusals_name_the_field_and_change_nothing(records, gql):
    cases = [
        (report(iccid="89860300000000000033"), "form.iccid"),  # not a card at all
        (report(iccid=__import__("tests.wireless.conftest", fromlist=["issued"]).issued(3).iccid), "form.iccid"),  # D-HP's
        (report(accountName="JR00000001"), "form.accountName"),  # an account on a wireless fault
        (report(domain="SECURE_ACCESS", iccid=None, accountName="JR00000003"), "form.accountName"),  # D-HP's account
        (report(occurredAt=(utcnow() + timedelta(hours=2)).isoformat()), "form.occurredAt"),
        (report(alertId="QWxlcnQ6OTk5OTk="), "form.alertId"),
        (report(level="LEVEL_9"), "form.level"),
    ]
    for form, field in cases:
        answer = await submit(gql, form)
        assert answer["workOrder"] is None and [e["field"] for e in answer["errors"]] == [field], (field, answer)
    async with records.session_factory() as s:
        counts = [(await s.execute(select(func.count()).select_from(t))).scalar_one() for t in (Fault, WorkOrder, WorkOrderLink)]
    assert counts == [0, 0, 0]


async def test_a_secure_access_fault_names_the_account_and_links_it(records, gql):
    form = report(domain="SECURE_ACCESS", category="ACCESS", iccid=None, accountName="jr00000002", level="LEVEL_1")
    order = (await submit(gql, form))["workOrder"]
    fault = await fault_of(records, order["id"])
    clocks = await clocks_of(records, order["id"])
    assert fault.account_id is not None and (clocks["review"].target_seconds, clocks["order"].target_seconds) == (3600, 4 * 3600)
    async with records.session_factory() as s:
        links = (await s.execute(select(WorkOrderLink.target_type).where(WorkOrderLink.order_id == fault.order_id))).scalars()
        assert list(links) == ["SecureAccessAccount"]
    assert clocks["review"].scope is SlaScope.STEP
