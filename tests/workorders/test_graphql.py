"""Work orders through the real ASGI app: submit, the decisions, lists with filters, myTasks, the timeline,
permissions, constant statement counts, and the live workOrderUpdated subscription."""

from __future__ import annotations

from typing import Any

import pytest

from core.ids import to_global_id
from domain.workorders.enums import WorkOrderStatus
from tests.resolvers.test_read_path import StatementCounter
from tests.workorders.helpers import make_user, order, user_id

FORM = {"quantity": 3, "reason": "新建视频会商点"}
SUBMIT = """mutation($i: WorkOrderSubmitInput!) { workOrderSubmit(input: $i) {
  workOrder { id number kind kindLabel status step stepLabel title version form applicant { username } unit { code }
              openTasks { roleCode status stepLabel } }
  errors { code field message } } }"""
APPROVE = "mutation($i: WorkOrderApproveInput!) { workOrderApprove(input: $i) { workOrder { status step version } errors { code field message } } }"
REJECT = (
    "mutation($i: WorkOrderDecisionInput!) { workOrderReject(input: $i) { workOrder { status } errors { code field message } } }"
)
RETURN = (
    "mutation($i: WorkOrderDecisionInput!) { workOrderReturn(input: $i) { workOrder { status dueAt } errors { code field } } }"
)
RESUBMIT = (
    "mutation($i: WorkOrderResubmitInput!) { workOrderResubmit(input: $i) { workOrder { status form } errors { code field } } }"
)
WITHDRAW = "mutation($i: WorkOrderWithdrawInput!) { workOrderWithdraw(input: $i) { workOrder { status } errors { code } } }"
COMMENT = "mutation($i: WorkOrderCommentInput!) { workOrderComment(input: $i) { workOrder { comments { comment actorName } } errors { code } } }"
DELEGATE = "mutation($i: WorkOrderDelegateInput!) { workOrderDelegate(input: $i) { workOrder { openTasks { delegate { username } } } errors { code field } } }"
REASSIGN = "mutation($i: WorkOrderReassignInput!) { workOrderReassign(input: $i) { workOrder { openTasks { id assignee { username } } } errors { code field } } }"
DETAIL = """query($id: ID!) { workOrder(id: $id) { number status version overdue dueAt
  timeline { kind actorName fromStatus toStatus fromStep toStep comment actor { username } }
  tasks { step status actedBy { username } comment }
  slaClocks { scope step targetSeconds elapsedSeconds state running dueAt intervals { start end } }
  dispatches { platform status } links { targetType } } }"""


async def submit(gql: Any, user: str = "pd_user", kind: str = "test.sequential", form: Any = FORM) -> dict[str, Any]:
    answer = await gql(SUBMIT, {"i": {"kind": kind, "form": form}}, as_user=user)
    assert "errors" not in answer, answer
    return answer["data"]["workOrderSubmit"]  # type: ignore[no-any-return]


async def test_submit_returns_the_order_at_its_first_step(wo, gql):
    made = await submit(gql)
    assert made["errors"] == []
    o = made["workOrder"]
    assert (o["kind"], o["kindLabel"], o["status"], o["step"], o["stepLabel"]) == (
        "test.sequential",
        "测试：逐级审批",
        "PROCESSING",
        "leader",
        "单位领导审批",
    )
    assert (o["applicant"], o["unit"], o["form"]) == ({"username": "pd_user"}, {"code": "D-PD"}, FORM)
    assert o["openTasks"] == [{"roleCode": "unit_admin", "status": "OPEN", "stepLabel": "单位领导审批"}]


async def test_submit_refusals_say_what_to_fix(wo, gql):
    bad = await submit(gql, form={"quantity": "many"})
    assert bad["workOrder"] is None
    assert sorted((e["code"], e["field"]) for e in bad["errors"]) == [
        ("INVALID_INPUT", "form.quantity"),
        ("INVALID_INPUT", "form.reason"),
    ]
    unknown = await submit(gql, kind="nope")
    assert unknown["errors"] == [
        {"code": "UNKNOWN_KIND", "field": "kind", "message": "未知的工单类型 / Unknown work order kind nope"}
    ]
    denied = await gql(SUBMIT, {"i": {"kind": "test.single", "form": FORM}}, as_user="auditor")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = await gql("{ workOrders { totalCount } }", as_user="operator")
    assert listed["data"]["workOrders"]["totalCount"] == 0


async def test_the_whole_life_of_an_order_on_its_timeline(wo, gql):
    gid = (await submit(gql))["workOrder"]["id"]
    stale = await gql(APPROVE, {"i": {"id": gid, "expectedVersion": 99}}, as_user="pd_admin")
    assert stale["data"]["workOrderApprove"]["errors"][0]["code"] == "STALE_STATE"
    ok = await gql(APPROVE, {"i": {"id": gid, "comment": "同意"}}, as_user="pd_admin")
    assert ok["data"]["workOrderApprove"]["workOrder"]["step"] == "review"
    no_reason = await gql(RETURN, {"i": {"id": gid, "reason": " "}}, as_user="operator")
    assert no_reason["data"]["workOrderReturn"]["errors"] == [{"code": "REASON_REQUIRED", "field": "reason"}]
    back = await gql(RETURN, {"i": {"id": gid, "reason": "请核实数量"}}, as_user="operator")
    assert back["data"]["workOrderReturn"]["workOrder"] == {"status": "RETURNED", "dueAt": None}
    again = await gql(RESUBMIT, {"i": {"id": gid, "form": {"quantity": 2, "reason": "核实"}}}, as_user="pd_user")
    assert again["data"]["workOrderResubmit"]["workOrder"] == {"status": "PROCESSING", "form": {"quantity": 2, "reason": "核实"}}
    said = await gql(COMMENT, {"i": {"id": gid, "text": "已补充"}}, as_user="pd_user")
    assert said["data"]["workOrderComment"]["workOrder"]["comments"][-1]["comment"] == "已补充"
    done = await gql(APPROVE, {"i": {"id": gid}}, as_user="operator")
    assert done["data"]["workOrderApprove"]["workOrder"]["status"] == "COMPLETED"
    detail = (await gql(DETAIL, {"id": gid}, as_user="pd_user"))["data"]["workOrder"]
    assert [e["kind"] for e in detail["timeline"]] == [
        "SUBMITTED", "STEP_ENTERED", "APPROVED", "STEP_ENTERED", "RETURNED", "RESUBMITTED", "COMMENTED", "COMMENTED",
        "APPROVED", "COMPLETED",
    ]  # fmt: skip
    returned = detail["timeline"][4]
    # The applicant reads who decided by name; the Big Data Center's account itself is outside their data scope.
    assert (returned["fromStatus"], returned["toStatus"], returned["comment"], returned["actor"]) == (
        "PROCESSING",
        "RETURNED",
        "请核实数量",
        None,
    )
    assert [(t["step"], t["status"]) for t in detail["tasks"]] == [
        ("leader", "APPROVED"),
        ("review", "RETURNED"),
        ("review", "APPROVED"),
    ]
    clocks = {(c["scope"], c["step"]): c for c in detail["slaClocks"]}
    assert set(clocks) == {("ORDER", ""), ("STEP", "leader"), ("STEP", "review")}
    assert all(not c["running"] for c in clocks.values())
    assert len(clocks[("STEP", "review")]["intervals"]) == 2  # paused while it was back with the applicant


async def test_refused_mutations_change_nothing(wo, gql):
    gid = (await submit(gql))["workOrder"]["id"]
    before = (await gql(DETAIL, {"id": gid}, as_user="operator"))["data"]["workOrder"]
    cases = [
        (REJECT, {"id": gid, "reason": ""}, "pd_admin", "REASON_REQUIRED"),
        (APPROVE, {"id": gid}, "operator", "NOT_ASSIGNEE"),
        (APPROVE, {"id": to_global_id("User", 1)}, "pd_admin", "INVALID_INPUT"),
        (WITHDRAW, {"id": gid}, "pd_admin", "NOT_APPLICANT"),
        (
            DELEGATE,
            {"id": gid, "delegateId": to_global_id("User", 1), "until": "2020-01-01T00:00:00Z"},
            "pd_admin",
            "INVALID_INPUT",
        ),
        (REASSIGN, {"id": gid, "assigneeId": to_global_id("User", 1)}, "pd_admin", "NOT_ASSIGNEE"),
    ]
    for query, variables, user, code in cases:
        answer = await gql(query, {"i": variables}, as_user=user)
        payload = next(iter(answer["data"].values()))
        assert payload["errors"][0]["code"] == code, (query, payload)
    hidden = await gql(APPROVE, {"i": {"id": gid}}, as_user="hp_admin")  # another unit: the order does not exist for them
    assert hidden["data"]["workOrderApprove"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await gql(DETAIL, {"id": gid}, as_user="operator"))["data"]["workOrder"] == before


async def test_delegation_and_reassignment_through_the_api(wo, gql):
    gid = (await submit(gql))["workOrder"]["id"]
    deputy = to_global_id("User", await user_id(wo, "pd_deputy"))
    delegated = await gql(DELEGATE, {"i": {"id": gid, "delegateId": deputy, "until": "2099-01-01T00:00:00Z"}}, as_user="pd_admin")
    assert delegated["data"]["workOrderDelegate"]["errors"] == [{"code": "INVALID_INPUT", "field": "until"}]
    from datetime import timedelta

    from core.clock import utcnow

    until = (utcnow() + timedelta(days=1)).isoformat()
    delegated = await gql(DELEGATE, {"i": {"id": gid, "delegateId": deputy, "until": until}}, as_user="pd_admin")
    assert delegated["data"]["workOrderDelegate"]["workOrder"]["openTasks"] == [{"delegate": {"username": "pd_deputy"}}]
    inbox = await gql("{ myTasks { totalCount edges { node { id } } } }", as_user="pd_deputy")
    assert inbox["data"]["myTasks"] == {"totalCount": 1, "edges": [{"node": {"id": gid}}]}
    second = to_global_id("User", await user_id(wo, "pd_admin2"))
    moved = await gql(REASSIGN, {"i": {"id": gid, "assigneeId": second, "comment": "出差"}}, as_user="operator")
    assert moved["data"]["workOrderReassign"]["workOrder"]["openTasks"][0]["assignee"] == {"username": "pd_admin2"}
    assert (await gql("{ myTasks { totalCount } }", as_user="pd_deputy"))["data"]["myTasks"]["totalCount"] == 0
    assert (await gql("{ myTasks { totalCount } }", as_user="pd_admin"))["data"]["myTasks"]["totalCount"] == 0
    assert (await gql("{ myTasks { totalCount } }", as_user="pd_admin2"))["data"]["myTasks"]["totalCount"] == 1


async def test_lists_filter_sort_page_and_respect_the_data_scope(wo, gql):
    ids = [(await submit(gql, kind=k))["workOrder"]["id"] for k in ("test.single", "test.sequential", "test.single")]
    hp = (await submit(gql, user="hp_user", kind="test.single"))["workOrder"]["id"]
    await gql(APPROVE, {"i": {"id": ids[0]}}, as_user="pd_admin")
    q = "query($f: WorkOrderFilter, $s: WorkOrderSort, $n: Int, $a: String) { workOrders(filter: $f, sort: $s, first: $n, after: $a) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }"

    async def listed(user: str, f: Any = None, sort: str = "CREATED_DESC", n: int = 20, after: str | None = None) -> Any:
        return (await gql(q, {"f": f, "s": sort, "n": n, "a": after}, as_user=user))["data"]["workOrders"]

    everything = await listed("operator")
    assert [e["node"]["id"] for e in everything["edges"]] == [hp, *reversed(ids)] and everything["totalCount"] == 4
    assert [e["node"]["id"] for e in (await listed("pd_user"))["edges"]] == list(reversed(ids))  # no HP orders for PD
    assert (await listed("operator", {"kinds": ["test.sequential"]}))["edges"] == [{"node": {"id": ids[1]}}]
    assert (await listed("operator", {"statuses": ["COMPLETED"]}))["edges"] == [{"node": {"id": ids[0]}}]
    pd_unit = (await gql('{ orgUnits(filter: {search: "D-PD"}) { edges { node { id } } } }', as_user="admin"))["data"][
        "orgUnits"
    ]["edges"][0]["node"]["id"]
    assert (await listed("operator", {"unitId": pd_unit}))["totalCount"] == 3
    admin2 = to_global_id("User", await user_id(wo, "pd_admin"))
    assert (await listed("operator", {"assigneeId": admin2}))["edges"] == [{"node": {"id": ids[0]}}]
    number = (await gql("query($id: ID!) { workOrder(id: $id) { number } }", {"id": hp}, as_user="operator"))["data"][
        "workOrder"
    ]["number"]
    assert (await listed("operator", {"keyword": number}))["edges"] == [{"node": {"id": hp}}]
    assert (await listed("operator", {"keyword": "申请3"}))["totalCount"] == 3  # the single kind's default title
    assert (await listed("operator", {"overdue": True}))["totalCount"] == 0
    first = await listed("operator", sort="CREATED_ASC", n=3)
    rest = await listed("operator", sort="CREATED_ASC", n=3, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in first["edges"] + rest["edges"]] == [*ids, hp]
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)
    due = await listed("operator", sort="DUE_ASC", n=2)
    due_rest = await listed("operator", sort="DUE_ASC", n=2, after=due["pageInfo"]["endCursor"])
    assert sorted(e["node"]["id"] for e in due["edges"] + due_rest["edges"]) == sorted([*ids, hp])


LIST = """query($n: Int) { workOrders(first: $n) { totalCount edges { node { number kindLabel stepLabel applicant { username orgUnit { name } }
  unit { name parent { name } } openTasks { status assignee { username } } timeline { kind } slaClocks { state } links { targetType } } } } }"""
INBOX = "query($n: Int) { myTasks(first: $n) { totalCount edges { node { number title unit { name } openTasks { status } } } } }"


@pytest.mark.parametrize(("query", "user"), [(LIST, "operator"), (INBOX, "operator"), (LIST, "pd_user"), (INBOX, "pd_admin")])
async def test_lists_issue_a_constant_number_of_statements(wo, gql, query, user):
    async def statements(n: int) -> int:
        await gql(query, {"n": n}, as_user=user)  # warm: login and caches out of the count
        with StatementCounter(wo.services.engine) as counter:
            answer = await gql(query, {"n": n}, as_user=user)
        assert "errors" not in answer, answer
        return counter.count

    for _ in range(2):
        await submit(gql, kind="test.sequential")
    few = await statements(2)
    for _ in range(6):
        await submit(gql, kind="test.sequential")
    assert await statements(8) == few


async def test_order_kinds_are_described(wo, gql):
    kinds = (await gql("{ workOrderKinds { kind label slaHours steps { name label kind roleCode slaHours } formSchema } }",
                       as_user="pd_user"))["data"]["workOrderKinds"]  # fmt: skip
    single = next(k for k in kinds if k["kind"] == "test.single")
    assert single["steps"] == [
        {"name": "leader", "label": "单位领导审批", "kind": "APPROVAL", "roleCode": "unit_admin", "slaHours": 7.0}
    ]
    assert single["formSchema"]["required"] == ["quantity", "reason"]
    dispatch = next(k for k in kinds if k["kind"] == "test.dispatch")
    assert [s["kind"] for s in dispatch["steps"]] == ["APPROVAL", "DISPATCH"]


async def confirm_client(services: Any, app: Any, platforms: tuple[str, ...] = ("testplat",)) -> dict[str, str]:
    """A platform's API client: a service account with the platform_service role, allowed the confirm document and
    bound to `platforms` (set on the row: the test flows' platform is not in the catalogue)."""
    from sqlalchemy import select

    from domain.identity.apiclients import ApiClientData, create_client
    from domain.identity.models import Role, User
    from domain.identity.system import system_actor

    await make_user(services, "testplat_svc", "SHBDC", "platform_service")
    async with services.unit_of_work() as uow:
        uid = (await uow.session.execute(select(User.id).where(User.username == "testplat_svc"))).scalar_one()
        assert (await uow.session.execute(select(Role.code).where(Role.code == "platform_service"))).scalar_one()
        data = ApiClientData(name="测试平台", user_id=uid, operations=["WorkOrderDispatchConfirm", "WirelessSecurityAlertPush"])
        client, secret = await create_client(uow, system_actor(), data, services.documents)
        client.platforms = list(platforms)
    document = services.documents.by_name["WorkOrderDispatchConfirm"].id
    return {"key": client.key_id, "secret": secret, "document": document}


async def test_the_order_status_is_what_the_engine_says(wo, gql):
    gid = (await submit(gql, kind="test.single"))["workOrder"]["id"]
    await gql(APPROVE, {"i": {"id": gid}}, as_user="pd_admin")
    from core.ids import decode_id

    assert (await order(wo.services, decode_id(gid, "WorkOrder"))).status is WorkOrderStatus.COMPLETED
