"""The four 5G carriers: realistic numbers, every operation and refusal through the real client against the simulator
served by uvicorn, each carrier's manners (at once, by callback, throttled, twice), and the daily traffic report."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.clock import SHANGHAI
from domain.identity import apiclients
from domain.integration.ports import CallOutcome, CallRecord
from domain.workorders.ports import DispatchAnswer, DispatchResult, PlatformRejected, PlatformUnavailable
from integrations.base.client import PlatformClient, SimplePlatformGateway
from integrations.base.serve import serve
from integrations.base.simulator import CallbackSettings, SimulatorState
from integrations.carriers import numbers as nb
from integrations.carriers.gateway import TrafficClient, carrier_gateways
from integrations.carriers.numbers import CARRIERS, NumberGenerator, luhn_complete
from integrations.carriers.sim_state import DOWNLINK_RANGE, CarrierState
from integrations.carriers.simulator import PLANS, create_carrier_simulator

API_KEY, SECRET = "ak_carriers", "carriers-callback-secret"
CONFIRM_HASH = "cd" * 32
IMEI = luhn_complete("86753090000001")
PAST = date(2025, 3, 14)


def open_payload(quantity: int = 2, plan: str = "TEL-5G-30G", **overrides: Any) -> dict[str, Any]:
    holders = [{"name": f"持卡人{i + 1}", "phone": None if i % 2 else "13800138000"} for i in range(quantity)]
    return {
        "orderNumber": "WO-20261128-0001",
        "domain": "SINGLE",
        "planCode": plan,
        "quantity": quantity,
        "holders": holders,
    } | overrides


# --- numbers -------------------------------------------------------------------------------------------------------


def test_luhn_completes_and_checks():
    assert luhn_complete("7992739871") == "79927398713"
    assert (nb.luhn_ok("79927398713"), nb.luhn_ok("79927398710"), nb.luhn_ok("7992739871x"), nb.luhn_ok(""), nb.luhn_ok("0")) == (
        True, False, False, False, False,
    )  # fmt: skip
    assert all(nb.luhn_ok(luhn_complete(body)) for body in ("0", "89860012345678901", "8986031234567890123"))
    with pytest.raises(ValueError):
        luhn_complete("12a")
    assert (nb.imei_ok(IMEI), nb.imei_ok(IMEI[:-1] + str((int(IMEI[-1]) + 1) % 10)), nb.imei_ok("12345")) == (True, False, False)


@pytest.mark.parametrize("carrier", CARRIERS)
def test_numbers_are_valid_and_unique_over_ten_thousand_draws(carrier: str):
    numbers = NumberGenerator(carrier, seed=7)
    iccids = [numbers.iccid() for _ in range(10_000)]
    msisdns = [numbers.msisdn() for _ in range(10_000)]
    imsis = [numbers.imsi() for _ in range(10_000)]
    assert len(set(iccids)) == len(set(msisdns)) == len(set(imsis)) == 10_000
    assert all(len(n) == 20 and nb.luhn_ok(n) and n[:6] in nb.ICCID_PREFIXES[carrier] for n in iccids)
    assert all(len(n) == 11 and n[:3] in nb.MSISDN_SEGMENTS[carrier] for n in msisdns)
    assert all(len(n) == 15 and n[:3] == "460" and n[3:5] in nb.IMSI_MNCS[carrier] for n in imsis)
    assert (
        {nb.iccid_carrier(n) for n in iccids}
        == {nb.msisdn_carrier(n) for n in msisdns}
        == {nb.imsi_carrier(n) for n in imsis}
        == {carrier}
    )
    # Spread over every prefix, segment and MNC the carrier has, not stuck in the first.
    assert {n[:6] for n in iccids} == set(nb.ICCID_PREFIXES[carrier])
    assert {n[:3] for n in msisdns} == set(nb.MSISDN_SEGMENTS[carrier])
    assert {n[3:5] for n in imsis} == set(nb.IMSI_MNCS[carrier])


def test_numbers_are_fixed_by_carrier_seed_and_counter():
    def draws(seed: int) -> list[str]:
        numbers = NumberGenerator("MOBILE", seed)
        return [numbers.iccid(), numbers.msisdn(), numbers.imsi(), numbers.iccid()]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)
    short = NumberGenerator("TELECOM", iccid_length=19).iccid()
    assert (len(short), nb.luhn_ok(short), nb.iccid_carrier(short)) == (19, True, "TELECOM")


@pytest.mark.parametrize(
    ("number", "iccid", "msisdn", "imsi"),
    [
        ("89860000000000000000", None, None, None),  # 20 digits but a wrong check digit
        (luhn_complete("8986150000000000001"), "CBN", None, None),
        (luhn_complete("8986990000000000001"), None, None, None),  # no such issuer
        ("19212345678", None, "CBN", None),
        ("13312345678", None, "TELECOM", None),
        ("14012345678", None, None, None),  # 140 is nobody's segment
        ("460091234567890", None, None, "UNICOM"),
        ("460201234567890", None, None, None),  # MNC 20 is not one of ours
        ("310150123456789", None, None, None),  # not China
    ],
)  # fmt: skip
def test_the_checks_name_the_carrier_or_none(number: str, iccid: str | None, msisdn: str | None, imsi: str | None):
    assert (nb.iccid_carrier(number), nb.msisdn_carrier(number), nb.imsi_carrier(number)) == (iccid, msisdn, imsi)


# --- a carrier served over HTTP ------------------------------------------------------------------------------------


@dataclass
class GovOps:
    """GovOps's /graphql reduced to the signature check of domain.identity.apiclients."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)

    async def graphql(self, request: Request) -> JSONResponse:
        raw, h = await request.body(), request.headers
        expected = apiclients.sign(SECRET, request.method, request.url.path, h["x-api-timestamp"], h["x-api-nonce"], raw)
        self.received.append({
            "key": h["x-api-key"], "nonce": h["x-api-nonce"], "valid": expected == h["x-api-signature"],
            "fresh": abs(time.time() - int(h["x-api-timestamp"])) <= apiclients.SKEW.total_seconds(), "raw": raw,
            "body": orjson.loads(raw),
        })  # fmt: skip
        return JSONResponse({"data": {"workOrderDispatchConfirm": {"accepted": True, "errors": []}}})


@pytest.fixture
async def govops() -> AsyncIterator[GovOps]:
    receiver = GovOps()
    async with serve(Starlette(routes=[Route("/graphql", receiver.graphql, methods=["POST"])])) as url:
        receiver.url = f"{url}/graphql"
        yield receiver


@dataclass
class Carrier:
    url: str
    app: Starlette
    gateway: SimplePlatformGateway
    records: list[CallRecord]

    @property
    def sim(self) -> SimulatorState:
        return self.app.state.sim

    @property
    def state(self) -> CarrierState:
        return self.app.state.carrier

    async def send(self, operation: str, payload: dict[str, Any], key: str) -> DispatchResult:
        return await self.gateway.send(operation, payload, idempotency_key=key)

    async def refusal(self, operation: str, payload: dict[str, Any], key: str = "refused") -> tuple[str | None, str]:
        with pytest.raises(PlatformRejected) as refused:
            await self.send(operation, payload, key)
        return refused.value.code, str(refused.value)

    async def seed(self, **card: Any) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url) as http:
            answer = await http.post("/_sim/cards", json=card)
        assert answer.status_code == 200, answer.text
        return answer.json()


@asynccontextmanager
async def running(carrier: str, govops: GovOps | None = None) -> AsyncIterator[Carrier]:
    callback = None
    if govops is not None:
        callback = CallbackSettings(
            url=govops.url, api_key=API_KEY, secret=SECRET, document_hash=CONFIRM_HASH, delay_seconds=0, retry_seconds=0
        )
    app = create_carrier_simulator(carrier, callback=callback, seed=3)
    records: list[CallRecord] = []

    async def recorder(record: CallRecord) -> None:
        records.append(record)

    async with serve(app) as url:
        [gateway] = carrier_gateways({carrier: url}, recorder, 5.0)
        async with gateway.client:
            yield Carrier(url, app, gateway, records)


@pytest.fixture
async def telecom() -> AsyncIterator[Carrier]:
    async with running("TELECOM") as carrier:
        yield carrier


async def known_card(carrier: Carrier, **extra: Any) -> str:
    """A card GovOps already has, put straight into the carrier's books."""
    numbers = NumberGenerator(carrier.state.carrier, seed=99)
    card = {"iccid": numbers.iccid(), "msisdn": numbers.msisdn(), "imsi": numbers.imsi(), "plan": "TEL-5G-30G"} | extra
    return (await carrier.seed(**card))["iccid"]


# --- operations (TELECOM: every answer comes at once) ----------------------------------------------------------------


async def test_open_issues_exactly_quantity_active_cards(telecom: Carrier):
    result = await telecom.send("open", open_payload(3), "wo-1:1")
    assert (result.answer, result.reference) == (DispatchAnswer.CONFIRMED, "CARRIER_TELECOM-000001")
    cards = result.result["cards"]
    assert [c["holderName"] for c in cards] == ["持卡人1", "持卡人2", "持卡人3"]
    assert all(
        nb.iccid_carrier(c["iccid"]) == nb.msisdn_carrier(c["msisdn"]) == nb.imsi_carrier(c["imsi"]) == "TELECOM" for c in cards
    )
    books = telecom.state.cards
    assert [(books[c["iccid"]].status, books[c["iccid"]].plan, books[c["iccid"]].msisdn) for c in cards] == [
        ("ACTIVE", "TEL-5G-30G", c["msisdn"]) for c in cards
    ]
    assert telecom.records[0].platform == "carrier_telecom"


async def test_a_retried_open_with_the_same_key_issues_no_new_cards(telecom: Carrier):
    first = await telecom.send("open", open_payload(2), "wo-2:1")
    again = await telecom.send("open", open_payload(2), "wo-2:1")
    assert again == first
    assert (len(telecom.state.cards), telecom.sim.replays) == (2, 1)
    other = await telecom.send("open", open_payload(1), "wo-3:1")  # a new key is new work, with new numbers
    assert other.result["cards"][0]["iccid"] not in {c["iccid"] for c in first.result["cards"]}
    assert len(telecom.state.cards) == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quantity": 3}, "body: Value error, holders must list exactly quantity (3) holders, not 2"),
        ({"quantity": 51}, "quantity: Input should be less than or equal to 50"),
        ({"domain": "TRIPLE"}, "domain: Input should be 'SINGLE' or 'DUAL'"),
        ({"holders": [{"name": " "}, {"name": "李四"}]}, "holders.0.name: String should have at least 1 character"),
        ({"iccid": "1"}, "iccid: Extra inputs are not permitted"),
    ],
)
async def test_a_malformed_open_is_a_bad_request_and_issues_nothing(telecom: Carrier, overrides: dict[str, Any], message: str):
    code, text = await telecom.refusal("open", open_payload(2) | overrides)
    assert code == "BAD_REQUEST"
    assert message in text
    assert telecom.state.cards == {}


async def test_open_on_a_plan_the_carrier_does_not_sell_is_refused(telecom: Carrier):
    assert await telecom.refusal("open", open_payload(1, plan="MOB-5G-50G")) == (
        "PLAN_UNKNOWN", "套餐不存在 / TELECOM sells no plan MOB-5G-50G",
    )  # fmt: skip
    assert (telecom.state.cards, telecom.sim.accepted) == ({}, {})


async def test_plan_change_takes_effect_next_month_or_today_when_urgent_by_the_beijing_date(telecom: Carrier):
    telecom.state.clock = lambda: datetime(2026, 1, 31, 20, 0, tzinfo=UTC)  # already 1 February in Beijing
    iccid = await known_card(telecom)
    planned = await telecom.send("plan_change", {"iccid": iccid, "toPlan": "TEL-5G-100G", "urgent": False}, "pc-1")
    assert planned.result == {"effectiveFrom": "2026-03-01"}
    card = telecom.state.cards[iccid]
    assert (card.plan_on(date(2026, 2, 28)), card.plan_on(date(2026, 3, 1))) == ("TEL-5G-30G", "TEL-5G-100G")
    same = await telecom.refusal("plan_change", {"iccid": iccid, "toPlan": "TEL-5G-100G", "urgent": False})
    assert same == ("PLAN_UNCHANGED", "套餐未变化 / The card is already on TEL-5G-100G")  # it is heading there already
    urgent = await telecom.send("plan_change", {"iccid": iccid, "toPlan": "TEL-5G-100G", "urgent": True}, "pc-2")
    assert urgent.result == {"effectiveFrom": "2026-02-01"}  # the pending change, brought forward to today
    assert (card.plan_on(date(2026, 2, 1)), card.next_plan) == ("TEL-5G-100G", None)


async def test_plan_change_refusals(telecom: Carrier):
    iccid = await known_card(telecom)
    unknown = luhn_complete("8986031999999999999")
    assert await telecom.refusal("plan_change", {"iccid": iccid, "toPlan": "TEL-5G-30G", "urgent": True}) == (
        "PLAN_UNCHANGED", "套餐未变化 / The card is already on TEL-5G-30G",
    )  # fmt: skip
    assert (await telecom.refusal("plan_change", {"iccid": iccid, "toPlan": "TEL-5G-1T", "urgent": True}))[0] == "PLAN_UNKNOWN"
    assert await telecom.refusal("plan_change", {"iccid": unknown, "toPlan": "TEL-5G-100G", "urgent": False}) == (
        "CARD_UNKNOWN", f"卡号不存在 / No card with ICCID {unknown}",
    )  # fmt: skip
    bad = await telecom.refusal("plan_change", {"iccid": unknown[:-1] + str((int(unknown[-1]) + 1) % 10), "toPlan": "x"})
    assert bad == ("BAD_REQUEST", "请求格式错误 / Bad request: iccid: Value error, the ICCID's check digit is wrong")
    await telecom.send("cancel", {"iccid": iccid}, "c-1")
    assert (await telecom.refusal("plan_change", {"iccid": iccid, "toPlan": "TEL-5G-100G", "urgent": True}))[
        0
    ] == "CARD_CANCELLED"
    assert telecom.state.cards[iccid].plan == "TEL-5G-30G"


async def test_cancel_closes_the_card_once(telecom: Carrier):
    iccid = await known_card(telecom)
    before = datetime.now(UTC).replace(microsecond=0)
    result = await telecom.send("cancel", {"iccid": iccid}, "c-1")
    cancelled_at = datetime.fromisoformat(result.result["cancelledAt"])
    assert before <= cancelled_at <= datetime.now(UTC) and cancelled_at.utcoffset() == timedelta(0)
    assert telecom.state.cards[iccid].status == "CANCELLED"
    assert await telecom.refusal("cancel", {"iccid": iccid}, "c-2") == (
        "CARD_CANCELLED",
        f"该卡已销户 / The card {iccid} is cancelled",
    )


async def test_unbind_releases_the_bound_imei_only(telecom: Carrier):
    iccid = await known_card(telecom, imei=IMEI)
    other = luhn_complete("35693803564380")
    assert (await telecom.refusal("unbind", {"iccid": iccid, "imei": other}))[0] == "IMEI_NOT_BOUND"
    assert (await telecom.send("unbind", {"iccid": iccid, "imei": IMEI}, "u-1")).result == {"releasedImei": IMEI}
    assert telecom.state.cards[iccid].imei is None
    assert await telecom.refusal("unbind", {"iccid": iccid, "imei": IMEI}, "u-2") == (
        "IMEI_NOT_BOUND", f"该卡未与终端 {IMEI} 绑定 / The card is not bound to IMEI {IMEI}",
    )  # fmt: skip
    assert (await telecom.refusal("unbind", {"iccid": iccid, "imei": "123456789012345"}))[0] == "BAD_REQUEST"


async def test_replace_keeps_the_number_with_a_new_iccid_and_imsi(telecom: Carrier):
    [old] = (await telecom.send("open", open_payload(1), "o-1")).result["cards"]
    new = (await telecom.send("replace", {"iccid": old["iccid"]}, "r-1")).result["card"]
    assert new["msisdn"] == old["msisdn"]
    assert (new["iccid"] != old["iccid"], new["imsi"] != old["imsi"], nb.iccid_carrier(new["iccid"])) == (True, True, "TELECOM")
    books = telecom.state.cards
    assert (books[old["iccid"]].status, books[old["iccid"]].replaced_by, books[new["iccid"]].status) == (
        "REPLACED", new["iccid"], "ACTIVE",
    )  # fmt: skip
    assert (await telecom.refusal("replace", {"iccid": old["iccid"]}))[0] == "CARD_REPLACED"
    assert (await telecom.refusal("cancel", {"iccid": old["iccid"]}))[0] == "CARD_REPLACED"


async def test_an_operation_the_carrier_does_not_have_is_refused(telecom: Carrier):
    assert await telecom.refusal("suspend", {"iccid": "1"}) == (
        "OPERATION_UNKNOWN", "不支持的操作 / Unknown operation suspend: one of open, plan_change, cancel, unbind, replace",
    )  # fmt: skip
    assert telecom.sim.accepted == {}


async def test_a_seeded_card_must_be_the_carriers_own_and_free(telecom: Carrier):
    mobile = NumberGenerator("MOBILE")
    iccid = await known_card(telecom)
    card = telecom.state.cards[iccid]
    async with httpx.AsyncClient(base_url=telecom.url) as http:
        foreign = await http.post(
            "/_sim/cards", json={"iccid": mobile.iccid(), "msisdn": mobile.msisdn(), "imsi": card.imsi, "plan": "TEL-5G-30G"}
        )
        spare = NumberGenerator("TELECOM", 5)
        taken = await http.post(
            "/_sim/cards", json={"iccid": spare.iccid(), "msisdn": card.msisdn, "imsi": spare.imsi(), "plan": "TEL-5G-30G"}
        )
        bound = await http.post("/_sim/cards", json={"iccid": iccid, "imei": IMEI})
        listed = (await http.get("/_sim/cards")).json()
    assert (foreign.status_code, foreign.json()["message"]) == (400, "号码不属于TELECOM / Not a TELECOM number: iccid, msisdn")
    assert (taken.status_code, taken.json()["code"]) == (409, "CARD_CONFLICT")
    assert (bound.status_code, bound.json()["imei"], bound.json()["status"]) == (200, IMEI, "ACTIVE")
    assert [c["iccid"] for c in listed["cards"]] == [iccid]
    assert (listed["platform"], listed["throttleEvery"]) == ("carrier_telecom", 0)


# --- traffic ---------------------------------------------------------------------------------------------------------


async def test_traffic_is_deterministic_realistic_and_only_for_cards_in_service(telecom: Carrier):
    always = await known_card(telecom)
    later = await telecom.seed(**{
        "iccid": luhn_complete("8986110000000000077"), "msisdn": "18900000077", "imsi": "460110000000077",
        "plan": "TEL-5G-30G", "openedOn": (PAST + timedelta(days=1)).isoformat(),
    })  # fmt: skip
    [opened] = (await telecom.send("open", open_payload(1), "o-1")).result["cards"]  # opened today, not in the past
    traffic = TrafficClient(telecom.gateway.client)  # shares the gateway's client (and its recorder)
    first = await traffic.day(PAST)
    again = await traffic.day(PAST)
    next_day = await traffic.day(PAST + timedelta(days=1))
    assert first == again
    assert [c.iccid for c in first.cards] == [always]
    assert sorted(c.iccid for c in next_day.cards) == sorted([always, later["iccid"]])
    assert opened["iccid"] not in {c.iccid for c in next_day.cards}
    assert first.cards[0] != next(c for c in next_day.cards if c.iccid == always)  # another day, another amount
    low, high = DOWNLINK_RANGE
    assert all(low <= c.downlink_bytes <= high and 0 < c.uplink_bytes < c.downlink_bytes for c in next_day.cards)
    records = [r for r in telecom.records if r.operation == "traffic"]
    assert [(r.method, r.url, r.outcome) for r in records[:1]] == [
        ("GET", f"{telecom.url}/traffic?day=2025-03-14", CallOutcome.OK)
    ]
    async with running("TELECOM") as elsewhere:  # the amounts depend on (ICCID, day) only
        await elsewhere.seed(
            iccid=always, msisdn=telecom.state.cards[always].msisdn, imsi=telecom.state.cards[always].imsi, plan="TEL-5G-30G"
        )
        async with TrafficClient.connect("carrier_telecom", elsewhere.url) as traffic:
            assert (await traffic.day(PAST)).cards == first.cards


async def test_traffic_of_a_day_not_yet_begun_or_a_bad_day_is_refused(telecom: Carrier):
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    async with PlatformClient("carrier_telecom", telecom.url) as client:
        with pytest.raises(PlatformRejected) as future:
            await TrafficClient(client).day(tomorrow)
        with pytest.raises(PlatformRejected) as bad:
            await client.call("traffic", "/traffic?day=yesterday", None, idempotency_key=None, method="GET")
    assert (future.value.code, bad.value.code) == ("DAY_IN_FUTURE", "BAD_REQUEST")


# --- each carrier's manners ----------------------------------------------------------------------------------------


async def test_mobile_accepts_and_confirms_the_cards_by_a_signed_callback(govops: GovOps):
    async with running("MOBILE", govops) as mobile:
        accepted = await mobile.send("open", open_payload(2, plan="MOB-5G-50G"), "wo-9:1")
        again = await mobile.send("open", open_payload(2, plan="MOB-5G-50G"), "wo-9:1")
        assert accepted == again == DispatchResult(DispatchAnswer.ACCEPTED, {}, "CARRIER_MOBILE-000001")
        await mobile.sim.flush_callbacks()
        [callback] = govops.received
        issued = callback["body"]["variables"]["input"]
        assert callback["body"]["extensions"] == {"persistedQuery": {"version": 1, "sha256Hash": CONFIRM_HASH}}
        assert (issued["idempotencyKey"], issued["outcome"], issued["reference"]) == (
            "wo-9:1",
            "CONFIRMED",
            "CARRIER_MOBILE-000001",
        )
        assert sorted(c["iccid"] for c in issued["result"]["cards"]) == sorted(mobile.state.cards)
        assert all(nb.msisdn_carrier(c["msisdn"]) == "MOBILE" for c in issued["result"]["cards"])
        assert (callback["key"], callback["valid"], callback["fresh"]) == (API_KEY, True, True)


async def test_mobile_reports_a_refusal_in_its_callback(govops: GovOps):
    async with running("MOBILE", govops) as mobile:
        assert (await mobile.send("open", open_payload(1, plan="TEL-5G-30G"), "wo-10:1")).answer == DispatchAnswer.ACCEPTED
        await mobile.sim.flush_callbacks()
    [callback] = govops.received
    assert callback["body"]["variables"]["input"] == {
        "idempotencyKey": "wo-10:1", "outcome": "FAILED", "result": {}, "reference": "CARRIER_MOBILE-000001",
        "message": "套餐不存在 / MOBILE sells no plan TEL-5G-30G",
    }  # fmt: skip


async def test_unicom_throttles_every_third_call_with_retry_after():
    async with running("UNICOM") as unicom:
        outcomes: list[Any] = []
        for n in range(1, 7):
            try:
                await unicom.send("open", open_payload(1, plan="UNI-5G-30G"), f"wo-{n}:1")
                outcomes.append("ok")
            except PlatformUnavailable as throttled:
                outcomes.append(throttled.retry_after)
        assert outcomes == ["ok", "ok", 1.0, "ok", "ok", 1.0]
        assert [r.outcome for r in unicom.records].count(CallOutcome.THROTTLED) == 2
        assert len(unicom.state.cards) == 4  # a throttled call did no work
        unicom.state.throttle_every = 0  # how a test turns the rate limit off
        for n in range(3):
            await unicom.send("open", open_payload(1, plan="UNI-5G-30G"), f"off-{n}")
        async with httpx.AsyncClient(base_url=unicom.url) as http:  # and back on, over HTTP
            assert (await http.post("/_sim/carrier", json={"throttleEvery": 1})).json()["throttleEvery"] == 1
        with pytest.raises(PlatformUnavailable):
            await unicom.send("cancel", {"iccid": next(iter(unicom.state.cards))}, "c-1")


async def test_cbn_calls_back_twice_with_the_same_body(govops: GovOps):
    async with running("CBN", govops) as cbn:
        accepted = await cbn.send("open", open_payload(1, plan="CBN-5G-60G"), "wo-11:1")
        await cbn.sim.flush_callbacks()
        assert accepted.answer == DispatchAnswer.ACCEPTED
        first, second = govops.received
        assert first["raw"] == second["raw"] and first["nonce"] != second["nonce"]
        assert (first["valid"], second["valid"]) == (True, True)
        assert len(cbn.state.cards) == 1  # the work was done once, only the callback repeats
        await cbn.send("cancel", {"iccid": next(iter(cbn.state.cards))}, "wo-12:1")  # every callback, not just the first
        await cbn.sim.flush_callbacks()
        assert [r["body"]["variables"]["input"]["idempotencyKey"] for r in govops.received] == ["wo-11:1"] * 2 + ["wo-12:1"] * 2


async def test_a_reset_empties_the_books_and_keeps_the_carriers_manners(govops: GovOps):
    async with running("CBN", govops) as cbn:
        await cbn.send("open", open_payload(1, plan="CBN-5G-20G"), "wo-1:1")
        await cbn.sim.flush_callbacks()
        async with httpx.AsyncClient(base_url=cbn.url) as http:
            reset = (await http.post("/_sim/reset")).json()
        assert (reset["accepted"], reset["carrier"]["cards"], reset["config"]["default_mode"]) == ({}, [], "ACCEPTED")
        assert [(f["mode"], f["remaining"]) for f in reset["failures"]] == [("duplicate_callback", None)]
        again = await cbn.send("open", open_payload(1, plan="CBN-5G-20G"), "wo-1:1")  # the key is new work again
        await cbn.sim.flush_callbacks()
    assert again.answer == DispatchAnswer.ACCEPTED
    # A fresh platform from the same seed: the same reference and numbers, called back twice as before.
    assert len(govops.received) == 4
    assert {r["raw"] for r in govops.received} == {govops.received[0]["raw"]}


async def test_gateways_are_named_after_their_carriers_and_the_catalogue_is_each_carriers_own():
    gateways = carrier_gateways({"CBN": "http://cbn.test", "carrier_unicom": "http://unicom.test"})
    assert [(g.platform, g.client.platform) for g in gateways] == [("carrier_cbn",) * 2, ("carrier_unicom",) * 2]
    for gateway in gateways:
        await gateway.client.close()
    with pytest.raises(ValueError):
        carrier_gateways({"SATELLITE": "http://x.test"})
    assert set(PLANS) == set(CARRIERS)
    for carrier, plans in PLANS.items():
        assert plans and all(set(p) == {"code", "name", "monthlyFeeFen", "dataGb"} for p in plans)
        assert all(
            p["code"].startswith({"TELECOM": "TEL", "MOBILE": "MOB", "UNICOM": "UNI", "CBN": "CBN"}[carrier]) for p in plans
        )
