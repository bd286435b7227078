"""workOrderStatistics: counts by kind and status, Beijing months, durations (mean, p50, p90) per kind and step, overdue."""

from __future__ import annotations

from tests.workorders.flows import bj
from tests.workorders.test_engine import FORM

STATS = """query($f: WorkOrderFilter) { workOrderStatistics(filter: $f) { total overdue overdueRate
  byKindStatus { kind kindLabel status count } newPerMonth { month count }
  durations { kind step stepLabel count meanSeconds p50Seconds p90Seconds } } }"""


async def history(wo) -> None:
    a = await wo.submit("pd_user", "test.single", FORM, now=bj(2026, 10, 8, 9, 0))
    await wo.act("pd_admin", "approve", a, now=bj(2026, 10, 8, 10, 0))
    b = await wo.submit("pd_user", "test.single", FORM, now=bj(2026, 10, 8, 9, 0))
    await wo.act("pd_admin", "approve", b, now=bj(2026, 10, 8, 12, 0))
    c = await wo.submit("pd_user", "test.sequential", FORM, now=bj(2026, 10, 9, 9, 0))
    await wo.act("pd_admin", "approve", c, now=bj(2026, 10, 9, 9, 30))
    await wo.act("operator", "approve", c, now=bj(2026, 10, 9, 11, 30))
    await wo.submit("pd_user", "test.single", FORM, now=bj(2026, 11, 2, 9, 0))  # still waiting, long past due
    await wo.submit("hp_user", "test.single", FORM, now=bj(2026, 11, 1, 0, 30))  # 31 October in UTC, November in Beijing


async def test_statistics_of_the_whole_scope(wo, gql):
    await history(wo)
    st = (await gql(STATS, as_user="operator"))["data"]["workOrderStatistics"]
    assert (st["total"], st["overdue"], st["overdueRate"]) == (5, 2, 0.4)
    assert st["byKindStatus"] == [
        {"kind": "test.sequential", "kindLabel": "测试：逐级审批", "status": "COMPLETED", "count": 1},
        {"kind": "test.single", "kindLabel": "测试：单人审批", "status": "COMPLETED", "count": 2},
        {"kind": "test.single", "kindLabel": "测试：单人审批", "status": "PROCESSING", "count": 2},
    ]
    assert st["newPerMonth"] == [{"month": "2026-10", "count": 3}, {"month": "2026-11", "count": 2}]
    assert st["durations"] == [
        {"kind": "test.sequential", "step": None, "stepLabel": None, "count": 1, "meanSeconds": 9000.0, "p50Seconds": 9000.0, "p90Seconds": 9000.0},
        {"kind": "test.sequential", "step": "leader", "stepLabel": "单位领导审批", "count": 1, "meanSeconds": 1800.0, "p50Seconds": 1800.0, "p90Seconds": 1800.0},
        {"kind": "test.sequential", "step": "review", "stepLabel": "管理单位审核", "count": 1, "meanSeconds": 7200.0, "p50Seconds": 7200.0, "p90Seconds": 7200.0},
        {"kind": "test.single", "step": None, "stepLabel": None, "count": 2, "meanSeconds": 7200.0, "p50Seconds": 7200.0, "p90Seconds": 10080.0},
        {"kind": "test.single", "step": "leader", "stepLabel": "单位领导审批", "count": 2, "meanSeconds": 7200.0, "p50Seconds": 7200.0, "p90Seconds": 10080.0},
    ]  # fmt: skip


async def test_statistics_follow_the_filter_and_the_data_scope(wo, gql):
    await history(wo)
    mine = (await gql(STATS, as_user="pd_user"))["data"]["workOrderStatistics"]
    assert (mine["total"], mine["overdue"]) == (4, 1)  # 黄浦区's order is not theirs to count
    october = {"createdFrom": "2026-09-30T16:00:00Z", "createdTo": "2026-10-31T16:00:00Z", "kinds": ["test.single"]}
    st = (await gql(STATS, {"f": october}, as_user="operator"))["data"]["workOrderStatistics"]
    assert (st["total"], st["newPerMonth"], st["overdue"]) == (2, [{"month": "2026-10", "count": 2}], 0)
    denied = await gql(STATS, as_user="auditor")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
