"""The kinds that change a card in service, end to end against the simulators: cancel, plan change, device-card
unbind, replacement, application access; each with refusals that change nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update

from core.clock import SHANGHAI, beijing_today
from domain.wireless import plans
from domain.wireless.models import SimCard, TerminalAccount
from domain.workorders.models import WorkOrder
from tests.wireless.test_open import SUBMIT, approve_all, form
from tests.workorders.test_dispatch import drive

CARD = """query($f: SimCardFilter) { simCards(filter: $f) { edges { node { iccid msisdn status imei plan { code }
  terminalAccount { accountName status applications { code } } history { kind } workOrders { title status } } } } }"""


async def submit(gql: Any, kind: str, values: dict[str, Any], user: str = "pd_user") -> dict[str, Any]:
    answer = await gql(SUBMIT, {"i": {"kind": kind, "form": values}}, as_user=user)
    return answer["data"]["workOrderSubmit"]  # type: ignore[no-any-return]


async def run(gql: Any, registry: Any, kind: str, values: dict[str, Any]) -> str:
    made = await submit(gql, kind, values)
    assert made["errors"] == [], made
    await approve_all(gql, made["workOrder"]["id"])
    await drive(registry.services)
    status = await gql("query($id: ID!) { workOrder(id: $id) { status } }", {"id": made["workOrder"]["id"]}, as_user="pd_user")
    return status["data"]["workOrder"]["status"]  # type: ignore[no-any-return]


async def opened(gql: Any, registry: Any, n: int = 1) -> list[str]:
    assert await run(gql, registry, "wireless.open", form("TELECOM", "TEL-5G-30G", n)) == "COMPLETED"
    cards = (await gql(CARD, {"f": {"carriers": ["TELECOM"]}}, as_user="pd_user"))["data"]["simCards"]["edges"]
    return [e["node"]["iccid"] for e in cards]


async def card(gql: Any, iccid: str) -> dict[str, Any]:
    return (await gql(CARD, {"f": {"iccid": iccid}}, as_user="pd_user"))["data"]["simCards"]["edges"][0]["node"]  # type: ignore[no-any-return]


async def orders(registry: Any) -> int:
    async with registry.services.session_factory() as s:
        return int((await s.execute(select(func.count()).select_from(WorkOrder))).scalar_one())


async def test_cancel_closes_the_card_then_its_account(registry, platforms, gql):
    [iccid] = await opened(gql, registry)
    assert await run(gql, registry, "wireless.cancel", {"iccid": iccid, "reason": "人员调离"}) == "COMPLETED"
    after = await card(gql, iccid)
    assert (after["status"], after["terminalAccount"]["status"]) == ("CANCELLED", "CLOSED")
    assert [o["title"] for o in after["workOrders"]] == [f"专网卡销户 {iccid}", "电信双域专网卡开户 1张"]
    async with registry.services.session_factory() as s:
        assert (await s.execute(select(TerminalAccount.status))).scalar_one().value == "CLOSED"
    assert platforms.carriers["TELECOM"].state.carrier.cards[iccid].status == "CANCELLED"
    before = await orders(registry)
    again = await submit(gql, "wireless.cancel", {"iccid": iccid, "reason": "重复"})
    assert again["errors"][0]["field"] == "form.iccid" and await orders(registry) == before


async def test_another_units_card_does_not_exist_for_an_applicant(registry, platforms, gql):
    [iccid] = await opened(gql, registry)
    refused = await submit(gql, "wireless.cancel", {"iccid": iccid, "reason": "不是我们的卡"}, user="hp_user")
    assert refused["errors"] == [
        {"code": "INVALID_INPUT", "field": "form.iccid", "message": "本单位没有这张卡 / No such card in your unit"}
    ]


PLANS = """query($f: SimCardFilter) { simCards(filter: $f) { edges { node { plan { code } nextPlan { code } nextPlanFrom
  history { kind detail workOrderId } } } } }"""


async def plans_of(gql: Any, iccid: str) -> dict[str, Any]:
    return (await gql(PLANS, {"f": {"iccid": iccid}}, as_user="pd_user"))["data"]["simCards"]["edges"][0]["node"]  # type: ignore[no-any-return]


async def test_plan_change_waits_for_next_month_by_the_carriers_rule(registry, platforms, gql):
    [iccid] = await opened(gql, registry)
    for bad in ({"planCode": "MOB-5G-50G"}, {"planCode": "TEL-5G-30G"}):  # another carrier's; the plan it has
        refused = await submit(gql, "wireless.plan_change", {"iccid": iccid, "reason": "扩容", **bad})
        assert refused["errors"][0]["field"] == "form.planCode", refused
    change = {"iccid": iccid, "reason": "扩容", "planCode": "TEL-5G-100G"}
    assert await run(gql, registry, "wireless.plan_change", change) == "COMPLETED"
    today = beijing_today()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    waiting = await plans_of(gql, iccid)
    assert (waiting["plan"], waiting["nextPlan"], waiting["nextPlanFrom"]) == (
        {"code": "TEL-5G-30G"}, {"code": "TEL-5G-100G"}, first.isoformat())  # fmt: skip
    scheduled = waiting["history"][-1]
    assert scheduled["kind"] == "PLAN_SCHEDULED" and scheduled["detail"]["effectiveFrom"] == first.isoformat()
    # The card is heading for that plan already: a second order for it is refused, and changes nothing.
    before = await orders(registry)
    again = await submit(gql, "wireless.plan_change", change)
    assert again["errors"][0]["field"] == "form.planCode" and await orders(registry) == before
    # The daily job: nothing the day before, the change on the first (Beijing), once.
    eve = datetime.combine(first - timedelta(days=1), time(23, 59), SHANGHAI)
    async with registry.services.unit_of_work() as uow:
        assert await plans.bring_into_force(uow, eve) == 0
    for _ in range(2):
        async with registry.services.unit_of_work() as uow:
            await plans.bring_into_force(uow, datetime.combine(first, time(0, 5), SHANGHAI))
    after = await plans_of(gql, iccid)
    assert (after["plan"], after["nextPlan"], after["nextPlanFrom"]) == ({"code": "TEL-5G-100G"}, None, None)
    assert [h["kind"] for h in after["history"]].count("PLAN_CHANGED") == 1
    assert after["history"][-1]["workOrderId"] == scheduled["workOrderId"] is not None


async def test_an_urgent_plan_change_is_in_force_at_once_and_overtakes_a_waiting_one(registry, platforms, gql):
    [iccid] = await opened(gql, registry)
    base = {"iccid": iccid, "reason": "扩容"}
    assert await run(gql, registry, "wireless.plan_change", base | {"planCode": "TEL-5G-100G"}) == "COMPLETED"
    urgent = base | {"planCode": "TEL-5G-100G", "urgent": True}  # brings the waiting change forward
    assert await run(gql, registry, "wireless.plan_change", urgent) == "COMPLETED"
    after = await plans_of(gql, iccid)
    assert (after["plan"], after["nextPlan"], after["history"][-1]["kind"]) == ({"code": "TEL-5G-100G"}, None, "PLAN_CHANGED")
    assert platforms.carriers["TELECOM"].state.carrier.cards[iccid].plan == "TEL-5G-100G"


async def test_unbind_releases_the_device(registry, platforms, gql):
    [iccid] = await opened(gql, registry)
    imei = "490154203237518"
    platforms.carriers["TELECOM"].state.carrier.seed_card({"iccid": iccid, "imei": imei})
    async with registry.services.unit_of_work() as uow:
        await uow.session.execute(update(SimCard).where(SimCard.iccid == iccid).values(imei=imei))
    refused = await submit(gql, "wireless.unbind", {"iccid": iccid, "reason": "换手机", "imei": "356938035643809"})
    assert refused["errors"][0]["field"] == "form.imei"
    assert await run(gql, registry, "wireless.unbind", {"iccid": iccid, "reason": "换手机", "imei": imei}) == "COMPLETED"
    assert (await card(gql, iccid))["imei"] is None


async def test_replacement_moves_the_number_plan_and_account_to_the_new_card(registry, platforms, gql):
    [iccid] = await opened(gql, registry)
    old = await card(gql, iccid)
    assert await run(gql, registry, "wireless.replace", {"iccid": iccid, "reason": "卡损坏"}) == "COMPLETED"
    replaced = await card(gql, iccid)
    cards = (await gql(CARD, {"f": {"msisdn": old["msisdn"], "statuses": ["ACTIVE"]}}, as_user="pd_user"))["data"]["simCards"][
        "edges"
    ]
    [new] = [e["node"] for e in cards]
    assert replaced["status"] == "REPLACED" and new["iccid"] != iccid and new["plan"] == old["plan"]
    name = old["terminalAccount"]["accountName"]
    assert new["terminalAccount"]["accountName"] == name and replaced["terminalAccount"] is None
    assert platforms.support.state.support.accounts[name].iccid == new["iccid"]  # the support platform knows the new card
    before = await orders(registry)
    again = await submit(gql, "wireless.replace", {"iccid": iccid, "reason": "再换一次"})  # a replaced card is no more
    assert again["errors"][0]["field"] == "form.iccid" and await orders(registry) == before


async def test_application_access_changes_what_the_account_reaches(registry, platforms, gql):
    [iccid] = await opened(gql, registry)
    refused = await submit(gql, "wireless.access", {"iccid": iccid, "reason": "新系统", "applications": ["NOPE"]})
    assert refused["errors"][0]["field"] == "form.applications"
    assert (
        await run(gql, registry, "wireless.access", {"iccid": iccid, "reason": "新系统", "applications": ["ZWWX"]}) == "COMPLETED"
    )
    assert (await card(gql, iccid))["terminalAccount"]["applications"] == [{"code": "ZWWX"}]
