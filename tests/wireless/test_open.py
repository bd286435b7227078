"""专网卡开户 end to end, through GraphQL against the carrier and support-platform simulators: approvals,
the carrier's confirmation (at once, or later by signed callback), cards with carrier-issued numbers,
terminal accounts, and the applicant following it live."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from domain.wireless.models import SimCard, TerminalAccount
from tests.resolvers.identity.test_subscriptions import open_subscription
from tests.workorders.test_dispatch import drive

SUBMIT = """mutation($i: WorkOrderSubmitInput!) { workOrderSubmit(input: $i) {
  workOrder { id number title status step } errors { code field message } } }"""
APPROVE = "mutation($i: WorkOrderApproveInput!) { workOrderApprove(input: $i) { workOrder { status step } errors { code } } }"
CARDS = """query($f: SimCardFilter) { simCards(filter: $f, first: 10, sort: ICCID_ASC) { totalCount edges { node {
  iccid msisdn imsi domain carrier status holderName plan { code } terminalAccount { accountName applications { code } }
  workOrders { number } } } } }"""


def form(carrier: str = "MOBILE", plan: str = "MOB-5G-50G", quantity: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "carrier": carrier, "domain": "DUAL", "planCode": plan, "quantity": quantity,
        "holders": [{"name": f"民警{i}", "phone": f"1391234000{i}"} for i in range(quantity)],
        "applications": ["YWTB", "YWTG"], "reason": "移动警务终端", **extra,
    }  # fmt: skip


async def approve_all(gql: Any, gid: str) -> None:
    for user in ("pd_admin", "operator"):
        answer = await gql(APPROVE, {"i": {"id": gid}}, as_user=user)
        assert answer["data"]["workOrderApprove"]["errors"] == [], answer


async def test_a_dual_domain_open_of_three_cards_confirmed_by_callback(registry, platforms, gql, served):
    platforms.gate.clear()
    ws, sub = await open_subscription(served, await gql.token("pd_user"), "subscription { workOrderUpdated { status step } }")
    try:
        made = (await gql(SUBMIT, {"i": {"kind": "wireless.open", "form": form()}}, as_user="pd_user"))["data"]["workOrderSubmit"]
        assert made["errors"] == [] and made["workOrder"]["title"] == "移动双域专网卡开户 3张"
        gid = made["workOrder"]["id"]
        await approve_all(gql, gid)
        await drive(registry.services)  # the carrier accepts; its confirmation comes later
        waiting = await gql("query($id: ID!) { workOrder(id: $id) { status step } }", {"id": gid}, as_user="pd_user")
        assert waiting["data"]["workOrder"] == {"status": "DISPATCHING", "step": "activate"}
        platforms.gate.set()
        await platforms.carriers["MOBILE"].state.sim.flush_callbacks()
        await drive(registry.services)  # the terminal accounts on the support platform
        seen = []
        while not seen or seen[-1] != {"status": "COMPLETED", "step": None}:
            message = await sub.next()
            seen.append(message["payload"]["data"]["workOrderUpdated"])
    finally:
        await ws.close()
    assert seen[0] == {"status": "PROCESSING", "step": "leader"} and {"status": "DISPATCHING", "step": "accounts"} in seen
    cards = (await gql(CARDS, {"f": {"carriers": ["MOBILE"]}}, as_user="pd_user"))["data"]["simCards"]
    assert cards["totalCount"] == 3
    issued = platforms.carriers["MOBILE"].state.carrier.cards
    for edge in cards["edges"]:
        card = edge["node"]
        assert card["iccid"] in issued and issued[card["iccid"]].msisdn == card["msisdn"]  # the carrier's numbers
        assert (card["domain"], card["status"], card["plan"]) == ("DUAL", "ACTIVE", {"code": "MOB-5G-50G"})
        assert card["terminalAccount"]["applications"] == [{"code": "YWTB"}, {"code": "YWTG"}]
        assert card["workOrders"] == [{"number": made["workOrder"]["number"]}]


async def test_open_refusals_change_nothing(registry, platforms, gql):
    cases = [
        (form("TELECOM", "MOB-5G-50G"), "form.planCode"),  # a plan of another carrier
        (form(applications=["NOPE"]), "form.applications"),
        ({**form(), "quantity": 2}, "form"),  # three holders for two cards
        (form(holders=[{"name": "甲", "phone": "12345"}] * 3), "form.holders.0.phone"),
    ]
    for bad, field in cases:
        answer = (await gql(SUBMIT, {"i": {"kind": "wireless.open", "form": bad}}, as_user="pd_user"))["data"]["workOrderSubmit"]
        assert answer["workOrder"] is None and answer["errors"][0]["field"] == field, (field, answer)
    async with registry.services.session_factory() as s:
        assert (await s.execute(select(func.count()).select_from(SimCard))).scalar_one() == 0
    assert platforms.carriers["TELECOM"].state.sim.calls == 0


async def test_a_synchronous_carrier_and_a_retried_call_never_double_the_cards(registry, platforms, gql):
    platforms.carriers["TELECOM"].state.sim.fail("drop", times=1)  # did the work, then the connection died
    made = await gql(SUBMIT, {"i": {"kind": "wireless.open", "form": form("TELECOM", "TEL-5G-30G", 2)}}, as_user="pd_user")
    gid = made["data"]["workOrderSubmit"]["workOrder"]["id"]
    await approve_all(gql, gid)
    await drive(registry.services)
    status = (await gql("query($id: ID!) { workOrder(id: $id) { status } }", {"id": gid}, as_user="pd_user"))["data"]["workOrder"]
    assert status == {"status": "COMPLETED"}
    async with registry.services.session_factory() as s:
        assert (await s.execute(select(func.count()).select_from(SimCard))).scalar_one() == 2
        assert (await s.execute(select(func.count()).select_from(TerminalAccount))).scalar_one() == 2
    assert len(platforms.carriers["TELECOM"].state.carrier.cards) == 2


@pytest.mark.parametrize(("carrier", "plan"), [("CBN", "CBN-5G-20G"), ("UNICOM", "UNI-5G-30G")])
async def test_a_carrier_that_answers_twice_or_throttles_never_doubles_a_card(registry, platforms, gql, carrier, plan):
    # CBN confirms every open twice by callback; UNICOM answers every third call with 429 and Retry-After.
    made = await gql(SUBMIT, {"i": {"kind": "wireless.open", "form": form(carrier, plan, 3)}}, as_user="pd_user")
    gid = made["data"]["workOrderSubmit"]["workOrder"]["id"]
    await approve_all(gql, gid)
    for _ in range(3):
        await drive(registry.services)
        await platforms.carriers[carrier].state.sim.flush_callbacks()
    await drive(registry.services)
    status = (await gql("query($id: ID!) { workOrder(id: $id) { status } }", {"id": gid}, as_user="pd_user"))["data"]["workOrder"]
    assert status == {"status": "COMPLETED"}
    async with registry.services.session_factory() as s:
        statuses = list((await s.execute(select(SimCard.status))).scalars())
        accounts = (await s.execute(select(func.count()).select_from(TerminalAccount))).scalar_one()
    assert [v.value for v in statuses] == ["ACTIVE"] * 3 and accounts == 3
    assert len(platforms.carriers[carrier].state.carrier.cards) == 3
