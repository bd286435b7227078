"""The secure access support platform: account operations, fault reports and their refusals through the real client
against the simulator served by uvicorn, idempotent retries and injected failures, and the usage feed read page by
page with its cursor."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from domain.identity import apiclients
from domain.integration.ports import CallRecord
from domain.workorders.ports import DispatchAnswer, PlatformRejected, PlatformUnavailable
from integrations.base.client import SimplePlatformGateway
from integrations.base.serve import serve
from integrations.base.simulator import CallbackSettings, SimulatorState
from integrations.secure_access_support.gateway import UsageFeedClient, secure_access_gateway
from integrations.secure_access_support.schemas import normalise_mac
from integrations.secure_access_support.sim_state import SecureAccessState
from integrations.secure_access_support.simulator import create_secure_access_simulator

API_KEY, SECRET = "ak_secure_access", "secure-access-secret"
CONFIRM_HASH = "cd" * 32
T0 = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)
ID_NUMBER = "310101199001011234"  # a valid check digit
MAC_1, MAC_2, MAC_3 = "3C:52:82:1A:2B:01", "3C:52:82:1A:2B:02", "3C:52:82:1A:2B:03"


def opening(macs: list[str] | None = None, **overrides: Any) -> dict[str, Any]:
    return {
        "holder": {"name": "赵六", "phone": "13812345678", "idNumber": ID_NUMBER}, "unitCode": "D-PD",
        "macs": [MAC_1] if macs is None else macs, "systems": ["OA", "GOV-MAIL"], "validFrom": "2026-12-01",
        "validTo": "2027-11-30", "orderNumber": "GD20261128000042",
    } | overrides  # fmt: skip


def fault(**overrides: Any) -> dict[str, Any]:
    return {
        "unitCode": "D-PD", "category": "CONNECTIVITY", "severity": "MAJOR", "description": "VPN客户端无法建立隧道",
        "reportedAt": "2026-11-28T10:05:00+08:00",
    } | overrides  # fmt: skip


@dataclass
class GovOps:
    """GovOps's /graphql reduced to the signature check of domain.identity.apiclients."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)

    async def graphql(self, request: Request) -> JSONResponse:
        raw, h = await request.body(), request.headers
        expected = apiclients.sign(SECRET, request.method, request.url.path, h["x-api-timestamp"], h["x-api-nonce"], raw)
        self.received.append({"valid": expected == h["x-api-signature"], "body": orjson.loads(raw)})
        return JSONResponse({"data": {"workOrderDispatchConfirm": {"errors": []}}})


@dataclass
class Platform:
    url: str
    app: Starlette
    gateway: SimplePlatformGateway
    govops: GovOps
    records: list[CallRecord]

    @property
    def sim(self) -> SimulatorState:
        return self.app.state.sim

    @property
    def state(self) -> SecureAccessState:
        return self.app.state.secure_access

    @property
    def feed(self) -> UsageFeedClient:
        return UsageFeedClient(self.gateway.client)  # shares the gateway's client (and its recorder)

    async def send(self, operation: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
        result = await self.gateway.send(operation, payload, idempotency_key=key)
        assert result.answer == DispatchAnswer.CONFIRMED
        return result.result

    async def open(self, macs: list[str] | None = None, key: str = "wo-1") -> str:
        return (await self.send("account_open", opening(macs), key))["accountName"]

    async def refusal(self, operation: str, payload: dict[str, Any]) -> tuple[str | None, str]:
        with pytest.raises(PlatformRejected) as refused:
            await self.gateway.send(operation, payload, idempotency_key=f"refused-{time.monotonic_ns()}")
        return refused.value.code, str(refused.value)

    async def control(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url) as http:
            return await (http.get(path) if body is None else http.post(path, json=body))


@pytest.fixture
async def platform() -> AsyncIterator[Platform]:
    govops = GovOps()
    records: list[CallRecord] = []

    async def recorder(record: CallRecord) -> None:
        records.append(record)

    async with serve(Starlette(routes=[Route("/graphql", govops.graphql, methods=["POST"])])) as govops_url:
        govops.url = f"{govops_url}/graphql"
        callback = CallbackSettings(
            url=govops.url, api_key=API_KEY, secret=SECRET, document_hash=CONFIRM_HASH, delay_seconds=0, retry_seconds=0
        )
        app = create_secure_access_simulator(callback=callback, seed=1)
        app.state.secure_access.clock = lambda: T0
        async with serve(app) as url:
            gateway = secure_access_gateway(url, recorder, 5.0)
            async with gateway.client:
                yield Platform(url, app, gateway, govops, records)


# --- account open --------------------------------------------------------------------------------------------------


async def test_account_open_issues_a_jr_account_once_per_key(platform: Platform):
    opened = await platform.send("account_open", opening(), "wo-1")
    again = await platform.send("account_open", opening(), "wo-1")
    other = await platform.send("account_open", opening([MAC_2]), "wo-2")
    name = opened["accountName"]
    assert again == opened and name.startswith("JR") and len(name) == 10 and name[2:].isdigit()
    assert other["accountName"] != name
    assert (len(platform.state.accounts), platform.sim.replays) == (2, 1)
    account = platform.state.accounts[name]
    assert (account.macs, account.systems, account.unit_code, account.holder_id_number) == (
        [MAC_1], ["OA", "GOV-MAIL"], "D-PD", ID_NUMBER,
    )  # fmt: skip
    record = platform.records[0]
    assert (record.platform, record.operation, (record.request or {})["holder"]["idNumber"]) == (
        "secure_access_support", "account_open", "***",
    )  # fmt: skip


async def test_account_names_are_fixed_by_the_seed():
    names = []
    for _ in range(2):
        state = SecureAccessState(seed=5, clock=lambda: T0)
        macs = [f"3C:52:82:00:00:{n:02X}" for n in range(3)]
        names.append([state.account_open(None, opening([m]))["accountName"] for m in macs])  # type: ignore[arg-type]
    assert names[0] == names[1]
    assert len(set(names[0])) == 3


@pytest.mark.parametrize(
    ("given", "mac"),
    [
        ("3c:52:82:1a:2b:01", MAC_1),
        ("3C-52-82-1A-2B-01", MAC_1),
        (" 3c-52-82-1a-2B-01 ", MAC_1),
        ("3C:52:82:1A:2B:01", MAC_1),
        ("3C:52:82:1A-2B:01", None),  # one kind of separator
        ("3C52821A2B01", None),
        ("3C:52:82:1A:2B", None),
        ("3C:52:82:1A:2B:0G", None),
        ("00:00:00:00:00:00", None),
        ("ff:ff:ff:ff:ff:ff", None),
        ("01:00:5E:00:00:FB", None),  # multicast: never a terminal's own address
    ],
)
def test_a_mac_is_normalised_to_upper_case_colons(given: str, mac: str | None):
    assert normalise_mac(given) == mac


async def test_the_platform_binds_the_normalised_macs(platform: Platform):
    name = await platform.open(["3c-52-82-1a-2b-01", "3c:52:82:1a:2b:02"])
    assert platform.state.accounts[name].macs == [MAC_1, MAC_2]
    assert await platform.refusal("account_open", opening(["3C-52-82-1A-2B-02"])) == (
        "MAC_BOUND", f"MAC地址 {MAC_2} 已绑定账号 {name} / The MAC address {MAC_2} is bound to the account {name}",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        (opening(["3C:52:82:1A:2B"]), "MAC_INVALID", "MAC地址无效 / Invalid MAC address '3C:52:82:1A:2B'"),
        (opening([MAC_1, "3c-52-82-1a-2b-01"]), "MAC_DUPLICATE", f"MAC地址重复 / The MAC address {MAC_1} is listed twice"),
        (
            opening([f"3C:52:82:1A:2B:{n:02X}" for n in range(6)]),
            "MAC_LIMIT_EXCEEDED", "MAC地址数量超过上限 5 个 / 6 MAC addresses, more than the limit of 5",
        ),
        (
            opening(validFrom="2027-01-01", validTo="2026-12-31"),
            "VALIDITY_INVALID", "有效期截止日 2026-12-31 早于起始日 2027-01-01 / validTo 2026-12-31 is before validFrom 2027-01-01",
        ),
        (
            opening(validFrom="2026-01-01", validTo="2026-11-27"),
            "VALIDITY_INVALID", "有效期已结束 / validTo 2026-11-27 is already past",
        ),
    ],
)  # fmt: skip
async def test_an_open_the_platform_refuses_changes_nothing(platform: Platform, payload: dict[str, Any], code: str, message: str):
    assert await platform.refusal("account_open", payload) == (code, message)
    assert (platform.state.accounts, platform.sim.accepted) == ({}, {})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (opening(systems=["OA", "OA"]), "systems: Value error, a system is listed twice"),
        (opening([]), "macs: List should have at least 1 item"),
        (opening(holder={"name": "赵六", "phone": "13812345678", "idNumber": "310115198001011233"}),
         "holder.idNumber: Value error, the check digit of the ID number is wrong"),
        (opening(orderNumber="WO-42"), "orderNumber: String should match pattern"),
        (opening(validTo="2027-02-30"), "validTo: Input should be a valid date"),
        (opening(imei="1"), "imei: Extra inputs are not permitted"),
    ],
)  # fmt: skip
async def test_a_malformed_request_is_a_bad_request_and_changes_nothing(
    platform: Platform, payload: dict[str, Any], message: str
):
    code, text = await platform.refusal("account_open", payload)
    assert (code, text.startswith("请求格式错误 / Bad request: "), message in text) == ("BAD_REQUEST", True, True)
    assert (platform.state.accounts, platform.sim.accepted) == ({}, {})


async def test_the_mac_limit_is_a_platform_setting(platform: Platform):
    assert (await platform.control("/_sim/limits", {"macLimit": 2})).json() == {"macLimit": 2}
    assert (await platform.refusal("account_open", opening([MAC_1, MAC_2, MAC_3])))[0] == "MAC_LIMIT_EXCEEDED"
    await platform.open([MAC_1, MAC_2])
    for bad in ({"macLimit": 0}, {"macLimit": "3"}, {"macLimit": 65}, {"macs": 3}):
        answer = await platform.control("/_sim/limits", bad)
        assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_REQUEST")
    assert platform.state.mac_limit == 2


# --- account change and revoke -------------------------------------------------------------------------------------


async def test_account_change_replaces_macs_systems_or_both(platform: Platform):
    name = await platform.open([MAC_1])
    macs = await platform.send("account_change", {"accountName": name, "macs": ["3c-52-82-1a-2b-02", MAC_1]}, "wo-2")
    systems = await platform.send("account_change", {"accountName": name, "systems": ["CITY-BRAIN"]}, "wo-3")
    both = await platform.send("account_change", {"accountName": name, "macs": [MAC_3], "systems": ["OA"]}, "wo-4")
    assert macs == {"accountName": name, "macs": [MAC_2, MAC_1], "systems": ["OA", "GOV-MAIL"]}
    assert systems == {"accountName": name, "macs": [MAC_2, MAC_1], "systems": ["CITY-BRAIN"]}
    assert both == {"accountName": name, "macs": [MAC_3], "systems": ["OA"]}
    await platform.open([MAC_1], key="wo-5")  # the MAC the change let go is free again


async def test_account_change_refusals(platform: Platform):
    name, other = await platform.open([MAC_1]), await platform.open([MAC_2], key="wo-2")
    before = platform.state.accounts[name].public(T0.date())
    code, text = await platform.refusal("account_change", {"accountName": name})
    assert (code, "body: Value error, give macs, systems or both" in text) == ("BAD_REQUEST", True)
    assert await platform.refusal("account_change", {"accountName": name, "macs": [MAC_1, MAC_2]}) == (
        "MAC_BOUND", f"MAC地址 {MAC_2} 已绑定账号 {other} / The MAC address {MAC_2} is bound to the account {other}",
    )  # fmt: skip
    assert (await platform.refusal("account_change", {"accountName": name, "macs": ["nope"]}))[0] == "MAC_INVALID"
    assert await platform.refusal("account_change", {"accountName": "JR00000000", "systems": ["OA"]}) == (
        "ACCOUNT_UNKNOWN", "账号不存在 / No account JR00000000",
    )  # fmt: skip
    assert platform.state.accounts[name].public(T0.date()) == before
    await platform.send("account_revoke", {"accountName": name}, "wo-9")
    assert await platform.refusal("account_change", {"accountName": name, "systems": ["OA"]}) == (
        "ACCOUNT_REVOKED", f"账号已撤销 / The account {name} is revoked",
    )  # fmt: skip
    platform.state.clock = lambda: datetime(2027, 12, 1, tzinfo=UTC)
    assert await platform.refusal("account_change", {"accountName": other, "systems": ["OA"]}) == (
        "ACCOUNT_EXPIRED", f"账号已过有效期 2027-11-30 / The account {other} expired on 2027-11-30",
    )  # fmt: skip


async def test_account_revoke_frees_the_macs_and_ends_the_sessions(platform: Platform):
    name = await platform.open([MAC_1, MAC_2])
    logins = [{"kind": "LOGIN", "sourceIp": ip} for ip in ("101.88.1.7", "116.228.3.9")]
    await platform.control("/_sim/usage", {"accountName": name, "events": logins})
    assert await platform.send("account_revoke", {"accountName": name}, "wo-2") == {
        "accountName": name, "revokedAt": "2026-11-28T02:30:00+00:00",
    }  # fmt: skip
    batch = await platform.feed.events(after=2, limit=10)
    assert [(e.id, e.kind, e.account_name, e.source_ip) for e in batch.events] == [
        (3, "LOGOUT", name, "101.88.1.7"), (4, "LOGOUT", name, "116.228.3.9"),
    ]  # fmt: skip
    assert (await platform.feed.online()).accounts == []
    assert platform.state.accounts[name].status(T0.date()) == "REVOKED"
    await platform.open([MAC_1], key="wo-3")


async def test_revoking_twice_is_refused(platform: Platform):
    name = await platform.open()
    await platform.send("account_revoke", {"accountName": name}, "wo-2")
    assert await platform.refusal("account_revoke", {"accountName": name}) == (
        "ACCOUNT_REVOKED", f"账号已撤销 / The account {name} is revoked",
    )  # fmt: skip
    assert (await platform.refusal("account_revoke", {"accountName": "JR00000000"}))[0] == "ACCOUNT_UNKNOWN"


@pytest.mark.parametrize("mode", ["drop", "slow"])
async def test_a_revoke_retried_after_a_lost_answer_gets_the_first_answer(platform: Platform, mode: str):
    name = await platform.open()
    platform.sim.fail(mode, operation="account_revoke")
    platform.sim.slow_seconds = 0.4
    async with secure_access_gateway(platform.url, None, 0.2).client as impatient:  # gives up during the stall
        with pytest.raises(PlatformUnavailable):
            await SimplePlatformGateway(impatient).send("account_revoke", {"accountName": name}, idempotency_key="wo-2")
    retried = await platform.send("account_revoke", {"accountName": name}, "wo-2")
    assert retried == {"accountName": name, "revokedAt": "2026-11-28T02:30:00+00:00"}
    deadline = time.monotonic() + 5
    while platform.sim.replays < 1 and time.monotonic() < deadline:  # a stalled first call ends answered from the record
        await asyncio.sleep(0.05)
    assert (platform.sim.calls_by_operation["account_revoke"], platform.sim.replays) == (2, 1)
    assert platform.sim.accepted["wo-2"]["result"] == retried


# --- fault reports -------------------------------------------------------------------------------------------------


async def test_a_fault_report_opens_a_ticket_the_platform_resolves(platform: Platform):
    name = await platform.open()
    first = await platform.send("fault_report", fault(accountName=name), "wo-2")
    second = await platform.send("fault_report", fault(category="OTHER", severity="WARNING"), "wo-3")
    assert (first, second) == ({"ticketNumber": "BX202611280001"}, {"ticketNumber": "BX202611280002"})
    resolved = await platform.control("/_sim/tickets/resolve", {"ticketNumber": "BX202611280001", "resolution": "重装客户端"})
    assert resolved.json() | {"description": ""} == {
        "ticketNumber": "BX202611280001", "accountName": name, "unitCode": "D-PD", "category": "CONNECTIVITY",
        "severity": "MAJOR", "description": "", "reportedAt": "2026-11-28T10:05:00+08:00",
        "openedAt": "2026-11-28T02:30:00+00:00", "status": "RESOLVED", "resolvedAt": "2026-11-28T02:30:00+00:00",
        "resolution": "重装客户端",
    }  # fmt: skip
    again = await platform.control("/_sim/tickets/resolve", {"ticketNumber": "BX202611280001"})
    unknown = await platform.control("/_sim/tickets/resolve", {"ticketNumber": "BX202611289999"})
    assert (again.status_code, again.json()) == (
        409, {"code": "TICKET_RESOLVED", "message": "工单已处理完毕 / The ticket BX202611280001 is already resolved"},
    )  # fmt: skip
    assert (unknown.status_code, unknown.json()["code"]) == (404, "TICKET_UNKNOWN")
    tickets = (await platform.control("/_sim/tickets")).json()["tickets"]
    assert [(t["ticketNumber"], t["status"]) for t in tickets] == [("BX202611280001", "RESOLVED"), ("BX202611280002", "OPEN")]


async def test_fault_report_refusals(platform: Platform):
    name = await platform.open()
    assert await platform.refusal("fault_report", fault(accountName=name, unitCode="B-JW")) == (
        "UNIT_MISMATCH", f"账号 {name} 不属于单位 B-JW / The account {name} is not of unit B-JW",
    )  # fmt: skip
    assert (await platform.refusal("fault_report", fault(accountName="JR00000000")))[0] == "ACCOUNT_UNKNOWN"
    for bad in (fault(category="FIRE"), fault(reportedAt="2026-11-28T10:05:00"), fault(description=" ")):
        assert (await platform.refusal("fault_report", bad))[0] == "BAD_REQUEST"
    await platform.send("account_revoke", {"accountName": name}, "wo-2")
    assert (await platform.refusal("fault_report", fault(accountName=name)))[0] == "ACCOUNT_REVOKED"
    assert platform.state.tickets == {}


async def test_an_operation_the_platform_does_not_have_is_refused(platform: Platform):
    assert await platform.refusal("account_delete", {"accountName": "JR00000000"}) == (
        "OPERATION_UNKNOWN",
        "不支持的操作 / Unknown operation account_delete: one of account_open, account_change, account_revoke, fault_report",
    )


# --- the base's failure injection and callbacks --------------------------------------------------------------------


async def test_failing_twice_then_answering_reaches_the_gateway_as_unavailable_then_done(platform: Platform):
    armed = await platform.control("/_sim/fail", {"mode": "500", "times": 2, "operation": "account_open"})
    assert armed.json() == {"failures": [{"mode": "500", "remaining": 2, "operation": "account_open"}]}
    for _ in range(2):
        with pytest.raises(PlatformUnavailable) as failed:
            await platform.gateway.send("account_open", opening(), idempotency_key="wo-1")
        assert (
            str(failed.value)
            == "secure_access_support account_open: HTTP 500 (平台内部错误（模拟） / Simulated platform failure)"
        )
    name = await platform.open()
    assert (len(platform.state.accounts), platform.sim.failures, name in platform.state.accounts) == (1, [], True)
    assert [r.outcome.value for r in platform.records] == ["FAILED", "FAILED", "OK"]


async def test_accepted_work_is_confirmed_or_failed_by_a_signed_callback(platform: Platform):
    platform.sim.configure({"default_mode": "ACCEPTED"})
    accepted = await platform.gateway.send("account_open", opening(), idempotency_key="wo-1")
    refused = await platform.gateway.send("account_revoke", {"accountName": "JR00000000"}, idempotency_key="wo-2")
    assert (accepted.answer, refused.answer) == (DispatchAnswer.ACCEPTED, DispatchAnswer.ACCEPTED)
    await platform.sim.flush_callbacks()
    [name] = platform.state.accounts
    confirmed, failed = (r["body"]["variables"]["input"] for r in platform.govops.received)
    assert [r["valid"] for r in platform.govops.received] == [True, True]
    assert (confirmed["idempotencyKey"], confirmed["outcome"], confirmed["result"]) == (
        "wo-1",
        "CONFIRMED",
        {"accountName": name},
    )
    assert (failed["outcome"], failed["message"]) == ("FAILED", "账号不存在 / No account JR00000000")


# --- usage feed ----------------------------------------------------------------------------------------------------


async def test_the_feed_read_page_by_page_gives_every_event_once(platform: Platform):
    await platform.open([MAC_1, MAC_2])
    await platform.open([MAC_3], key="wo-2")
    await platform.control("/_sim/usage", {"sample": 23})
    taken, cursor, pages = [], None, 0
    while True:
        batch = await platform.feed.events(after=cursor, limit=5)
        taken += batch.events
        cursor, pages = batch.next, pages + 1
        if pages == 2:  # events arriving while the consumer reads are not lost
            await platform.control("/_sim/usage", {"sample": 4})
        if not batch.more:
            break
    assert [e.id for e in taken] == list(range(1, 28)) and cursor == 27 and pages == 6
    assert [e.wire() for e in taken] == platform.state.usage.events
    empty = await platform.feed.events(after=cursor, limit=5)
    assert (empty.events, empty.next, empty.more) == ([], 27, False)
    first = await platform.feed.events(after=None)
    assert (len(first.events), first.next, first.more) == (27, 27, False)
    assert [r.url.split("/usage")[1] for r in platform.records if r.operation == "usage"][:2] == ["?limit=5", "?limit=5&after=5"]


@pytest.mark.parametrize(
    ("after", "limit", "message"),
    [
        (-1, 10, "参数 after 须为不小于 0 的整数 / after must be a whole number, at least 0"),
        (None, 0, "参数 limit 须为 1 至 500 的整数 / limit must be a whole number from 1 to 500"),
        (None, 501, "参数 limit 须为 1 至 500 的整数 / limit must be a whole number from 1 to 500"),
    ],
)
async def test_a_bad_cursor_or_limit_is_refused(platform: Platform, after: int | None, limit: int, message: str):
    with pytest.raises(PlatformRejected) as refused:
        await platform.feed.events(after=after, limit=limit)
    assert (refused.value.code, str(refused.value)) == ("BAD_REQUEST", message)


async def test_given_events_move_the_sessions_all_or_none(platform: Platform):
    name = await platform.open([MAC_1, MAC_2])
    events = [
        {"kind": "LOGIN", "sourceIp": "101.88.1.7", "at": "2026-11-28T09:00:00+08:00"},
        {"kind": "LOGIN", "sourceIp": "116.228.3.9"},
        {"kind": "ABNORMAL", "sourceIp": "58.246.0.1", "detail": {"rule": "UNBOUND_MAC", "severity": "CRITICAL"}},
        {"kind": "LOGOUT", "sourceIp": "116.228.3.9"},
    ]
    made = (await platform.control("/_sim/usage", {"accountName": name, "events": events})).json()
    assert [(e["id"], e["kind"], e["sourceIp"]) for e in made["events"]] == [
        (1, "LOGIN", "101.88.1.7"), (2, "LOGIN", "116.228.3.9"), (3, "ABNORMAL", "58.246.0.1"), (4, "LOGOUT", "116.228.3.9"),
    ]  # fmt: skip
    assert made["events"][2]["detail"] == {"rule": "UNBOUND_MAC", "severity": "CRITICAL", "description": ""}
    assert made["events"][0]["at"] == "2026-11-28T01:00:00Z" and made["lastEventId"] == 4
    online = await platform.feed.online()
    assert (online.at, online.last_event_id) == (T0, 4)
    assert [(a.account_name, a.sessions, a.since, a.source_ips) for a in online.accounts] == [
        (name, 1, datetime(2026, 11, 28, 1, 0, tzinfo=UTC), ["101.88.1.7"]),
    ]  # fmt: skip
    refusals: list[tuple[dict[str, Any], int, str, str | None]] = [
        ({"events": [{"kind": "LOGIN", "sourceIp": "1.2.3.4"}, {"kind": "LOGIN", "sourceIp": "101.88.1.7"}]}, 422,
         "SESSION_EXISTS", f"账号 {name} 已从 101.88.1.7 登录 / The account {name} is already logged in from 101.88.1.7"),
        ({"events": [{"kind": "LOGOUT", "sourceIp": "9.9.9.9"}]}, 422, "SESSION_UNKNOWN",
         f"账号 {name} 未从 9.9.9.9 登录 / The account {name} has no session from 9.9.9.9"),
        ({"events": [{"kind": "ABNORMAL", "sourceIp": "9.9.9.9"}]}, 400, "INVALID_REQUEST", None),
        ({"events": [{"kind": "LOGIN", "sourceIp": "999.1.1.1"}]}, 400, "INVALID_REQUEST", None),
        ({"events": []}, 400, "INVALID_REQUEST", None),
    ]  # fmt: skip
    for body, status, code, message in refusals:
        answer = await platform.control("/_sim/usage", {"accountName": name} | body)
        assert (answer.status_code, answer.json()["code"]) == (status, code)
        assert message is None or answer.json()["message"] == message
    unknown = await platform.control("/_sim/usage", {"accountName": "JR00000000", "events": events[:1]})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "ACCOUNT_UNKNOWN")
    assert (platform.state.usage.last_id, len((await platform.feed.online()).accounts)) == (4, 1)


async def test_sample_usage_is_realistic_and_fixed_by_the_seed(platform: Platform):
    names = [await platform.open([MAC_1, MAC_2]), await platform.open([MAC_3], key="wo-2")]
    made = (await platform.control("/_sim/usage", {"sample": 60})).json()["events"]
    assert {e["accountName"] for e in made} == set(names) and {e["kind"] for e in made} == {"LOGIN", "LOGOUT", "ABNORMAL"}
    assert all(e["at"] <= "2026-11-28T02:30:00Z" for e in made) and made[-1]["at"] == "2026-11-28T02:30:00Z"
    assert all((e["detail"] is None) == (e["kind"] != "ABNORMAL") for e in made)
    sessions: dict[str, set[str]] = {n: set() for n in names}
    for e in made:  # the feed replayed gives the snapshot, and never more sessions than bound terminals
        if e["kind"] == "LOGIN":
            sessions[e["accountName"]].add(e["sourceIp"])
        elif e["kind"] == "LOGOUT":
            sessions[e["accountName"]].remove(e["sourceIp"])
        assert len(sessions[e["accountName"]]) <= len(platform.state.accounts[e["accountName"]].macs)
    online = await platform.feed.online()
    assert {a.account_name: set(a.source_ips) for a in online.accounts} == {n: s for n, s in sessions.items() if s}
    assert (await platform.control("/_sim/reset", {})).status_code == 200
    again = [await platform.open([MAC_1, MAC_2]), await platform.open([MAC_3], key="wo-2")]
    remade = (await platform.control("/_sim/usage", {"sample": 60})).json()["events"]
    assert again == names and [e | {"id": 0} for e in remade] == [e | {"id": 0} for e in made]
    assert remade[0]["id"] == 61  # the same traffic, under new ids
    one = (await platform.control("/_sim/usage", {"accountName": names[1], "sample": 3})).json()["events"]
    assert {(e["accountName"], e["at"]) for e in one} == {(names[1], "2026-11-28T02:30:00Z")}  # none before the newest
    for bad in ({"sample": 0}, {"sample": True}, {"sample": 2, "colour": "red"}):
        assert (await platform.control("/_sim/usage", bad)).status_code == 400


async def test_a_reset_forgets_everything_but_the_feed_ids_go_on(platform: Platform):
    name = await platform.open()
    await platform.send("fault_report", fault(), "wo-2")
    await platform.control("/_sim/limits", {"macLimit": 3})
    await platform.control("/_sim/usage", {"accountName": name, "sample": 5})
    reset = (await platform.control("/_sim/reset", {})).json()
    assert (reset["accepted"], reset["secureAccess"]) == ({}, {"macLimit": 5, "accounts": [], "tickets": []})
    assert reset["config"]["callback"]["url"] == platform.govops.url
    assert (await platform.feed.events(after=5)).events == []
    assert await platform.open() == name  # numbering starts over
    await platform.control("/_sim/usage", {"accountName": name, "events": [{"kind": "LOGIN", "sourceIp": "101.88.1.7"}]})
    assert [e.id for e in (await platform.feed.events(after=5)).events] == [6]  # a stored cursor keeps its meaning
    accounts = (await platform.control("/_sim/accounts")).json()
    assert [(a["accountName"], a["status"], a["macs"]) for a in accounts["accounts"]] == [(name, "ACTIVE", [MAC_1])]


# --- the feed reader against answers outside the contract ----------------------------------------------------------


def event(n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "id": n, "kind": "LOGIN", "accountName": "JR10000001", "at": "2026-11-28T02:30:00Z", "sourceIp": "101.88.1.7",
        "detail": None,
    } | overrides  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"events": [event(7), event(6)], "next": 7}, "events are not in ascending id order"),
        ({"events": [event(5)], "next": 5}, "event 5 is not after the cursor 5"),
        ({"events": [event(6), event(7)], "next": 6}, "next is before the last event of the page"),
        ({"events": [], "next": 2}, "next 2 goes back before the cursor 5"),
        ({"events": [event(6, kind="ABNORMAL")], "next": 6}, "an ABNORMAL event has a detail"),
        ({"events": [event(6, at="2026-11-28T02:30:00")], "next": 6}, "events.0.at: Input should have timezone info"),
        ({"events": [event(n) for n in range(6, 9)], "next": 8}, "3 events, more than the 2 asked for"),
        ({"items": []}, "events: Field required"),
    ],
)
async def test_the_reader_refuses_a_page_that_could_lose_or_repeat_events(answer: dict[str, Any], why: str):
    app = Starlette(routes=[Route("/usage", lambda _r: JSONResponse(answer), methods=["GET"])])
    async with serve(app) as url, UsageFeedClient.connect(url) as feed:
        with pytest.raises(PlatformRejected) as refused:
            await feed.events(after=5, limit=2)
    assert (refused.value.code, why in str(refused.value)) == ("UNEXPECTED_ANSWER", True)
    assert str(refused.value).startswith("secure_access_support usage: unexpected answer (")


async def test_the_reader_ignores_fields_it_does_not_know():
    page = {"events": [event(6, region="PD", detail=None)], "next": 6, "more": False, "server": "v2"}
    app = Starlette(routes=[Route("/usage", lambda _r: JSONResponse(page), methods=["GET"])])
    async with serve(app) as url, UsageFeedClient.connect(url) as feed:
        batch = await feed.events(after=5)
    assert ([e.id for e in batch.events], batch.next) == ([6], 6)
