"""The fault list, detail, statistics, export and overview figures: filters, data scope, constant statements."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from tests.faults.conftest import APPROVE, decide, report, submit
from tests.wireless.conftest import issued

LIST = """query($f: FaultFilter, $n: Int, $after: String) { faults(filter: $f, first: $n, after: $after) { totalCount
  pageInfo { hasNextPage endCursor } edges { node { id number domain level stage title reporter { username }
  unit { code } simCard { iccid } secureAccessAccount { accountName } alert { id } responseOverdue resolutionOverdue
  responseTargetHours resolutionTargetHours workOrder { status step slaClocks { step aroundTheClock targetSeconds } } } } } }"""
STATS = """query($f: FaultFilter) { faultStatistics(filter: $f) { total open overdueOpen byStage { key count }
  byLevel { key count } byCarrier { key count } topUnits { unitName count } byPeriod { period count } resolved } }"""


async def reports(gql: Any) -> list[str]:
    """pd_user: a wireless fault on a card and a secure access one; hp_user: a wireless fault with no card."""
    ids = []
    for user, form in (
        ("pd_user", report()),
        ("pd_user", report(domain="SECURE_ACCESS", category="ACCESS", iccid=None, accountName="JR00000001", level="LEVEL_3")),
        ("hp_user", report(iccid=None, title="会议室无信号", level="LEVEL_1")),
    ):
        answer = await submit(gql, form, user)
        assert answer["errors"] == [], answer
        ids.append(answer["workOrder"]["id"])
    return ids


async def query(gql: Any, q: str, variables: dict[str, Any] | None = None, user: str = "operator") -> dict[str, Any]:
    answer = await gql(q, variables or {}, as_user=user)
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


async def test_the_list_filters_and_keeps_to_the_data_scope(records, gql):
    await reports(gql)
    everything = (await query(gql, LIST))["faults"]
    assert everything["totalCount"] == 3
    newest = everything["edges"][0]["node"]
    assert (newest["title"], newest["level"], newest["unit"], newest["reporter"]) == (
        "会议室无信号", "LEVEL_1", {"code": "D-HP"}, {"username": "hp_user"})  # fmt: skip
    assert (newest["responseTargetHours"], newest["resolutionTargetHours"]) == (1.0, 4.0)
    clocks = {c["step"]: (c["aroundTheClock"], c["targetSeconds"]) for c in newest["workOrder"]["slaClocks"]}
    assert clocks == {"": (True, 4 * 3600), "review": (True, 3600)}
    card = everything["edges"][2]["node"]
    assert card["simCard"] == {"iccid": issued(1).iccid} and card["secureAccessAccount"] is None
    assert everything["edges"][1]["node"]["secureAccessAccount"] == {"accountName": "JR00000001"}

    pd = (await query(gql, LIST, user="pd_admin"))["faults"]
    assert pd["totalCount"] == 2 and {e["node"]["unit"]["code"] for e in pd["edges"]} == {"D-PD"}
    wireless = (await query(gql, LIST, {"f": {"domains": ["WIRELESS"], "carrier": "telecom"}}))["faults"]
    assert [e["node"]["simCard"]["iccid"] for e in wireless["edges"]] == [issued(1).iccid]
    assert (await query(gql, LIST, {"f": {"levels": ["LEVEL_1"], "open": True}}))["faults"]["totalCount"] == 1
    assert (await query(gql, LIST, {"f": {"overdue": True}}))["faults"]["totalCount"] == 0
    assert (await query(gql, LIST, {"f": {"keyword": "会议室"}}))["faults"]["totalCount"] == 1
    assert (await query(gql, LIST, {"f": {"fromAlert": True}}))["faults"]["totalCount"] == 0

    first = (await query(gql, LIST, {"n": 2}))["faults"]
    rest = (await query(gql, LIST, {"n": 2, "after": first["pageInfo"]["endCursor"]}))["faults"]
    assert first["pageInfo"]["hasNextPage"] and not rest["pageInfo"]["hasNextPage"]
    assert len({e["node"]["id"] for e in first["edges"] + rest["edges"]}) == 3

    denied = await gql(LIST, {}, as_user="secadmin")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_one_fault_by_id_and_as_a_node_outside_the_scope_is_null(records, gql):
    order_ids = await reports(gql)
    listed = (await query(gql, LIST))["faults"]["edges"]
    hp = next(e["node"]["id"] for e in listed if e["node"]["unit"]["code"] == "D-HP")
    q = "query($id: ID!) { fault(id: $id) { number stage workOrder { id } } node(id: $id) { id } }"
    mine = await query(gql, q, {"id": hp}, user="hp_admin")
    assert mine["fault"]["workOrder"]["id"] == order_ids[2] and mine["node"] == {"id": hp}
    other = await query(gql, q, {"id": hp}, user="pd_admin")
    assert other == {"fault": None, "node": None}


async def test_statistics_count_by_stage_level_carrier_and_unit(records, gql):
    order_ids = await reports(gql)
    for _ in range(3):  # the first one, through review, rectification and the check
        await decide(gql, APPROVE, {"id": order_ids[0]})
    st = (await query(gql, STATS))["faultStatistics"]
    assert (st["total"], st["open"], st["overdueOpen"], st["resolved"]) == (3, 2, 0, 1)
    assert {(x["key"], x["count"]) for x in st["byStage"]} == {("CLOSED", 1), ("REVIEWING", 2)}
    assert st["byCarrier"] == [{"key": "TELECOM", "count": 1}]
    assert st["topUnits"][0] == {"unitName": st["topUnits"][0]["unitName"], "count": 2}
    assert sum(p["count"] for p in st["byPeriod"]) == 3
    wireless = (await query(gql, STATS, {"f": {"domains": ["WIRELESS"]}}))["faultStatistics"]
    assert wireless["total"] == 2
    overview = await query(gql, "{ wirelessOverview { openFaults faults } secureAccessOverview { openFaults faults } }")
    assert overview == {
        "wirelessOverview": {"openFaults": 1, "faults": 2},
        "secureAccessOverview": {"openFaults": 1, "faults": 1},
    }


async def test_the_export_has_the_listed_faults_with_their_times(records, gql):
    await reports(gql)
    q = "mutation { faultsExport(filter: {domains: [WIRELESS]}) { export { status total downloadUrl filename } errors { code } } }"
    answer = (await query(gql, q))["faultsExport"]
    export = answer["export"]
    assert (answer["errors"], export["status"], export["total"]) == ([], "DONE", 2)
    assert export["filename"].startswith("故障报修台账-")
    content = (await gql.http.get(export["downloadUrl"])).content
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("工单编号", "标题", "业务", "类别", "级别", "状态")
    assert {r[1] for r in rows[1:]} == {"执法记录仪无信号", "会议室无信号"} and {r[5] for r in rows[1:]} == {"待审核"}
    assert all(r[7] for r in rows[1:]) and {r[8] for r in rows[1:]} == {"否"}  # reporters named; none from an alert
