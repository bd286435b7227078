"""Assets through the API: register, refusals that change nothing, edits with versions, the lifecycle's transitions,
upgrade records, inspections with photos, the list in the data scope, statistics, and the faults with MTBF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from core.clock import beijing_today
from core.ids import to_global_id
from domain.assets.models import Asset
from domain.catalog.enums import ServiceDomain
from tests.faults.conftest import APPROVE, decide, submit
from tests.workorders.test_attachments import upload

CREATE = """mutation($i: AssetInput!) { assetCreate(input: $i) { asset { id serial status endOfLife version
  model { vendor model } unit { code } history { kind } } errors { code field message } } }"""
LIST = """query($f: AssetFilter, $sort: AssetSort) { assets(filter: $f, sort: $sort, first: 50) { totalCount edges { node {
  serial domain status unit { code } parent { serial } children { serial } model { type } } } } }"""


def fields(catalogue: Any, serial: str, **extra: Any) -> dict[str, Any]:
    return {
        "serial": serial, "name": f"核心路由器 {serial}", "modelId": to_global_id("AssetModel", catalogue.models["NE40E"]),
        "domain": "FIBER", "unitId": to_global_id("OrgUnit", catalogue.pd), "status": "IN_SERVICE",
        "commissionedOn": "2021-03-01", "warrantyUntil": "2024-03-01", "location": "浦东机房", "managementIp": "10.1.1.1",
        **extra,
    }  # fmt: skip


async def call(gql: Any, query: str, values: dict[str, Any], user: str = "operator") -> dict[str, Any]:
    answer = await gql(query, {"i": values}, as_user=user)
    assert "errors" not in answer, answer
    return next(iter(answer["data"].values()))  # type: ignore[no-any-return]


async def test_register_edit_and_move_an_asset_through_its_lifecycle(catalogue, gql):
    made = await call(gql, CREATE, fields(catalogue, "hw2021000001"))
    asset = made["asset"]
    assert made["errors"] == [] and asset["serial"] == "HW2021000001" and asset["endOfLife"] == "2029-03-01"
    assert (asset["model"], asset["unit"], asset["history"]) == (
        {"vendor": "华为", "model": "NE40E"},
        {"code": "D-PD"},
        [{"kind": "CREATED"}],
    )

    again = await call(gql, CREATE, fields(catalogue, "HW2021000001"))
    assert again["errors"][0]["code"] == "DUPLICATE_SERIAL"
    bad = await call(gql, CREATE, fields(catalogue, "x", managementIp="10.1.1", commissionedOn=None, warrantyUntil="2020-01-01"))
    assert {e["field"] for e in bad["errors"]} == {"serial", "managementIp", "commissionedOn"}
    async with catalogue.services.session_factory() as s:
        assert (await s.execute(select(func.count()).select_from(Asset))).scalar_one() == 1

    update = """mutation($i: AssetUpdateInput!) { assetUpdate(input: $i) { asset { location version history { kind } }
      errors { code field } } }"""
    moved = await call(
        gql, update, {"id": asset["id"], "expectedVersion": 1, "fields": fields(catalogue, "ignored", location="张江机房")}
    )
    assert moved["asset"]["location"] == "张江机房" and moved["asset"]["version"] == 2
    stale = await call(gql, update, {"id": asset["id"], "expectedVersion": 1, "fields": fields(catalogue, "x", location="其他")})
    assert stale["errors"] == [{"code": "STALE_STATE", "field": "id"}]

    status = """mutation($i: AssetStatusInput!) { assetStatusChange(input: $i) { asset { status } errors { code field } } }"""
    assert (await call(gql, status, {"id": asset["id"], "status": "UNDER_REPAIR", "reason": "主控板故障"}))["asset"] == {
        "status": "UNDER_REPAIR"
    }
    assert (await call(gql, status, {"id": asset["id"], "status": "RETIRED"}))["asset"] == {"status": "RETIRED"}
    refused = await call(gql, status, {"id": asset["id"], "status": "IN_SERVICE"})
    assert refused["errors"] == [{"code": "INVALID_TRANSITION", "field": "status"}]
    denied = await gql(CREATE, {"i": fields(catalogue, "HW2021000009")}, as_user="pd_admin")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_upgrade_records_and_inspections_with_photos(catalogue, gql):
    asset_id = await catalogue.asset("HW2021000002")
    gid = to_global_id("Asset", asset_id)
    q = """mutation($i: AssetUpgradeInput!) { assetUpgradeRecord(input: $i) { asset { softwareVersion
      upgrades { fromVersion toVersion actorName } } errors { code field } } }"""
    done = await call(gql, q, {"id": gid, "fromVersion": "V800R021", "toVersion": "V800R023", "note": "安全补丁"})
    assert done["asset"] == {"softwareVersion": "V800R023", "upgrades": [{"fromVersion": "V800R021", "toVersion": "V800R023",
                                                                          "actorName": "运营值班员"}]}  # fmt: skip
    stale = await call(gql, q, {"id": gid, "fromVersion": "V800R021", "toVersion": "V800R025"})
    assert stale["errors"] == [{"code": "STALE_STATE", "field": "fromVersion"}]

    photo = (await upload(gql, "operator", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "机柜.png", "image/png")).json()
    q = """mutation($i: AssetInspectionInput!) { assetInspectionRecord(input: $i) { asset { inspections { kind result
      inspectorName checklist { item passed } photos { filename downloadUrl } } } errors { code field } } }"""
    checked = await call(gql, q, {"id": gid, "kind": "ENTRY", "photos": [photo["upload"]], "checklist": [
        {"item": "外观无损", "passed": True}, {"item": "序列号与台账一致", "passed": False, "note": "标签模糊"}]})  # fmt: skip
    [inspection] = checked["asset"]["inspections"]
    assert (inspection["kind"], inspection["result"], inspection["photos"][0]["filename"]) == ("ENTRY", "FAILED", "机柜.png")
    got = await gql.http.get(inspection["photos"][0]["downloadUrl"])
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG")
    empty = await call(gql, q, {"id": gid, "kind": "EXIT", "checklist": []})
    assert empty["errors"] == [{"code": "INVALID_INPUT", "field": "checklist"}]


async def test_the_list_keeps_to_the_scope_and_the_statistics_band_by_age(catalogue, gql):
    today = beijing_today()
    router = await catalogue.asset("HW2021000003", commissioned=today - timedelta(days=365))
    await catalogue.asset("HW2021000004", model="LPU-48", parent=router, commissioned=today - timedelta(days=365 * 6))
    await catalogue.asset("HW2021000005", unit="D-HP", domain=ServiceDomain.WIRELESS)
    everything = (await gql(LIST, {}, as_user="operator"))["data"]["assets"]
    assert everything["totalCount"] == 3
    first = everything["edges"][0]["node"]
    assert first["children"] == [{"serial": "HW2021000004"}] and everything["edges"][1]["node"]["parent"] == {
        "serial": "HW2021000003"
    }
    pd = (await gql(LIST, {}, as_user="pd_admin"))["data"]["assets"]
    assert pd["totalCount"] == 2 and {e["node"]["unit"]["code"] for e in pd["edges"]} == {"D-PD"}
    modules = (await gql(LIST, {"f": {"types": ["MODULE"]}}, as_user="operator"))["data"]["assets"]
    assert [e["node"]["serial"] for e in modules["edges"]] == ["HW2021000004"]
    q = "{ assetStatistics { total byDomain { key count } byType { key count } byAge { key count } pastEndOfLife } }"
    st = (await gql(q, {}, as_user="operator"))["data"]["assetStatistics"]
    assert st["total"] == 3 and {a["key"]: a["count"] for a in st["byAge"]} == {"0-3": 1, "5-8": 2}
    assert {d["key"]: d["count"] for d in st["byDomain"]} == {"FIBER": 2, "WIRELESS": 1}


async def test_faults_on_an_asset_and_its_mtbf(catalogue, gql):
    today = beijing_today()
    asset_id = await catalogue.asset("HW2021000006", commissioned=today - timedelta(days=100))
    form = {"domain": "FIBER", "category": "NETWORK", "level": "LEVEL_2", "title": "核心路由器端口闪断",
            "description": "10GE端口频繁up/down", "occurredAt": "2026-11-28T01:00:00+00:00", "assetSerial": "hw2021000006"}  # fmt: skip
    for _ in range(2):
        order = (await submit(gql, form, user="operator"))["workOrder"]
        for _ in range(3):
            await decide(gql, APPROVE, {"id": order["id"]})
    await submit(gql, form, user="operator")  # open: not a failure resolved yet
    q = "query($id: ID!) { asset(id: $id) { mtbfHours faults { stage number } } }"
    got = (await gql(q, {"id": to_global_id("Asset", asset_id)}, as_user="operator"))["data"]["asset"]
    assert [f["stage"] for f in got["faults"]] == ["REVIEWING", "CLOSED", "CLOSED"]
    assert got["mtbfHours"] == 100 * 24 / 2
    wrong = await submit(gql, {**form, "assetSerial": "NOPE0000"}, user="operator")
    assert wrong["errors"][0]["field"] == "form.assetSerial"


async def test_the_asset_list_and_page_issue_the_same_statements_for_any_size(catalogue, gql):
    from tests.resolvers.test_read_path import StatementCounter

    ids = [await catalogue.asset(f"SN{n:04d}") for n in range(12)]
    for n in range(4):
        await catalogue.asset(f"LC{n:04d}", model="LPU-48", parent=ids[0])
    listing = """query($n: Int) { assets(first: $n) { totalCount edges { node { serial model { vendor model } unit { name }
      parent { serial } children { serial } } } } }"""  # fmt: skip
    page = """query($id: ID!) { asset(id: $id) { serial model { model } unit { name } parent { serial } children { serial status }
      history { kind } upgrades { toVersion } inspections { kind } faults { number } alerts { title } } }"""  # fmt: skip

    async def statements(query: str, variables: dict[str, Any]) -> int:
        await gql(query, variables, as_user="operator")  # warm: login and caches out of the count
        with StatementCounter(catalogue.services.engine) as counter:
            answer = await gql(query, variables, as_user="operator")
        assert "errors" not in answer, answer
        return counter.count

    assert await statements(listing, {"n": 2}) == await statements(listing, {"n": 16})
    first, parent = to_global_id("Asset", ids[1]), to_global_id("Asset", ids[0])
    assert await statements(page, {"id": first}) == await statements(page, {"id": parent})  # no children vs four
