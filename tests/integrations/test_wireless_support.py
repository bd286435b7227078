"""The wireless support platform: account operations and refusals through the real client against the simulator
served by uvicorn, the user information sync, and terminal-behaviour alerts pushed to GovOps signed."""

from __future__ import annotations

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
from domain.workorders.ports import DispatchAnswer, PlatformRejected
from integrations.base.client import SimplePlatformGateway
from integrations.base.serve import serve
from integrations.base.simulator import CallbackSettings, SimulatorState
from integrations.wireless_support.gateway import SupportUsersClient, support_gateway
from integrations.wireless_support.sim_state import SupportState
from integrations.wireless_support.simulator import create_support_simulator

API_KEY, SECRET = "ak_wireless_support", "wireless-support-secret"
ALERT_HASH = "ef" * 32
ICCID, ICCID_2 = "89860312345678901235", "89860312345678901243"  # Telecom cards, valid check digits
T0 = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)


def account(iccid: str = ICCID, applications: list[str] | None = None) -> dict[str, Any]:
    return {
        "iccid": iccid, "msisdn": "13312345678", "holder": {"name": "王五", "phone": "13312345678"},
        "applications": ["OA", "GOV-MAIL"] if applications is None else applications,
    }  # fmt: skip


@dataclass
class GovOps:
    """GovOps's /graphql reduced to the signature check of domain.identity.apiclients; may refuse the first calls."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    refuse_first: int = 0

    async def graphql(self, request: Request) -> JSONResponse:
        raw, h = await request.body(), request.headers
        expected = apiclients.sign(SECRET, request.method, request.url.path, h["x-api-timestamp"], h["x-api-nonce"], raw)
        self.received.append({
            "key": h["x-api-key"], "valid": expected == h["x-api-signature"], "raw": raw, "body": orjson.loads(raw),
            "fresh": abs(time.time() - int(h["x-api-timestamp"])) <= apiclients.SKEW.total_seconds(),
        })  # fmt: skip
        if len(self.received) <= self.refuse_first:
            return JSONResponse({"errors": [{"message": "busy"}]}, 503)
        return JSONResponse({"data": {"wirelessSecurityAlertPush": {"errors": []}}})


@dataclass
class Support:
    url: str
    app: Starlette
    gateway: SimplePlatformGateway
    govops: GovOps
    records: list[CallRecord]

    @property
    def sim(self) -> SimulatorState:
        return self.app.state.sim

    @property
    def state(self) -> SupportState:
        return self.app.state.support

    async def send(self, operation: str, payload: dict[str, Any], key: str) -> dict[str, Any]:
        result = await self.gateway.send(operation, payload, idempotency_key=key)
        assert result.answer == DispatchAnswer.CONFIRMED
        return result.result

    async def refusal(self, operation: str, payload: dict[str, Any]) -> tuple[str | None, str]:
        with pytest.raises(PlatformRejected) as refused:
            await self.gateway.send(operation, payload, idempotency_key="refused")
        return refused.value.code, str(refused.value)


@pytest.fixture
async def support() -> AsyncIterator[Support]:
    govops = GovOps()
    records: list[CallRecord] = []

    async def recorder(record: CallRecord) -> None:
        records.append(record)

    async with serve(Starlette(routes=[Route("/graphql", govops.graphql, methods=["POST"])])) as govops_url:
        govops.url = f"{govops_url}/graphql"
        callback = CallbackSettings(url=govops.url, api_key=API_KEY, secret=SECRET, retry_seconds=0)
        app = create_support_simulator(callback=callback, alert_document_hash=ALERT_HASH, seed=1)
        app.state.support.clock = lambda: T0
        async with serve(app) as url:
            gateway = support_gateway(url, recorder, 5.0)
            async with gateway.client:
                yield Support(url, app, gateway, govops, records)


# --- account operations --------------------------------------------------------------------------------------------


async def test_account_open_issues_a_zd_account_once_per_key(support: Support):
    opened = await support.send("account_open", account(), "wo-1:2")
    again = await support.send("account_open", account(), "wo-1:2")
    other = await support.send("account_open", account(ICCID_2), "wo-2:2")
    name = opened["accountName"]
    assert again == opened and name.startswith("ZD") and len(name) == 10 and name[2:].isdigit()
    assert other["accountName"] != name
    assert (len(support.state.accounts), support.sim.replays) == (2, 1)
    assert support.state.accounts[name].applications == ["OA", "GOV-MAIL"]
    assert support.records[0].platform == "wireless_support"


async def test_account_names_are_fixed_by_the_seed():
    names = []
    for _ in range(2):
        state = SupportState(seed=5)
        names.append([state.account_open(None, account(f"8986031234567890{n:04d}")) for n in range(3)])  # type: ignore[arg-type]
    assert names[0] == names[1]
    assert len({a["accountName"] for a in names[0]}) == 3


async def test_a_card_has_one_open_account(support: Support):
    name = (await support.send("account_open", account(), "wo-1:2"))["accountName"]
    assert await support.refusal("account_open", account()) == (
        "ACCOUNT_EXISTS", f"该卡已有账号 {name} / The card already has an account",
    )  # fmt: skip
    await support.send("account_close", {"accountName": name}, "wo-3:2")
    assert (await support.send("account_open", account(), "wo-4:2"))["accountName"] != name  # closed: a new one may open


async def test_permissions_set_replaces_the_applications(support: Support):
    name = (await support.send("account_open", account(), "wo-1:2"))["accountName"]
    result = await support.send("permissions_set", {"accountName": name, "applications": ["OA", "CITY-BRAIN"]}, "wo-1:3")
    assert result == {"applications": ["OA", "CITY-BRAIN"]}
    assert support.state.accounts[name].applications == ["OA", "CITY-BRAIN"]
    assert (await support.send("permissions_set", {"accountName": name, "applications": []}, "wo-1:4")) == {"applications": []}


async def test_account_close_then_every_operation_is_refused(support: Support):
    name = (await support.send("account_open", account(), "wo-1:2"))["accountName"]
    assert await support.send("account_close", {"accountName": name}, "wo-1:5") == {"closedAt": "2026-11-28T02:30:00+00:00"}
    closed = ("ACCOUNT_CLOSED", f"账号已注销 / The account {name} is closed")
    assert await support.refusal("account_close", {"accountName": name}) == closed
    assert await support.refusal("permissions_set", {"accountName": name, "applications": ["OA"]}) == closed
    assert await support.refusal("account_close", {"accountName": "ZD00000000"}) == (
        "ACCOUNT_UNKNOWN", "账号不存在 / No account ZD00000000",
    )  # fmt: skip


async def test_account_rebind_moves_the_account_to_the_replacement_card(support: Support):
    name = (await support.send("account_open", account(), "wo-1:2"))["accountName"]
    rebind = {"accountName": name, "iccid": ICCID_2, "msisdn": "13312345679"}
    assert await support.send("account_rebind", rebind, "wo-5:3") == {"accountName": name, "iccid": ICCID_2}
    assert await support.send("account_rebind", rebind, "wo-6:3") == {"accountName": name, "iccid": ICCID_2}  # already there
    assert (support.state.accounts[name].iccid, support.state.accounts[name].msisdn) == (ICCID_2, "13312345679")
    other = (await support.send("account_open", account(), "wo-7:2"))["accountName"]  # the old card is free again
    assert await support.refusal("account_rebind", {**rebind, "accountName": other}) == (
        "ACCOUNT_EXISTS", f"新卡已有账号 {name} / The new card already has an account",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (account(applications=["OA", "OA"]), "applications: Value error, an application is listed twice"),
        (account() | {"msisdn": "1331234567"}, "msisdn: String should match pattern"),
        (account() | {"holder": {"phone": "1"}}, "holder.name: Field required; holder.phone: String should match pattern"),
        (account() | {"imei": "1"}, "imei: Extra inputs are not permitted"),
    ],
)
async def test_a_malformed_request_is_a_bad_request_and_changes_nothing(support: Support, payload: dict[str, Any], message: str):
    code, text = await support.refusal("account_open", payload)
    assert (code, message in text) == ("BAD_REQUEST", True)
    assert (support.state.accounts, support.sim.accepted) == ({}, {})


async def test_an_operation_the_platform_does_not_have_is_refused(support: Support):
    assert await support.refusal("account_delete", {"accountName": "ZD00000000"}) == (
        "OPERATION_UNKNOWN", "不支持的操作 / Unknown operation account_delete: one of account_open, permissions_set, account_close, "
        "account_rebind",
    )  # fmt: skip


# --- user information sync -----------------------------------------------------------------------------------------


async def test_users_lists_open_accounts_with_a_presence_that_can_change(support: Support):
    names = [(await support.send("account_open", account(i), f"wo-{n}:2"))["accountName"] for n, i in enumerate([ICCID, ICCID_2])]
    await support.send("account_close", {"accountName": names[1]}, "wo-9:5")
    users_client = SupportUsersClient(support.gateway.client)  # shares the gateway's client (and its recorder)
    [user] = await users_client.users()
    assert (user.account_name, user.iccid, user.last_seen_at) == (names[0], ICCID, T0)
    assert await users_client.users() == [user]  # the same on every sync
    later = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    support.state.clock = lambda: later
    async with httpx.AsyncClient(base_url=support.url) as http:
        switched = await http.post("/_sim/online", json={"accountName": names[0], "online": not user.online})
        closed = await http.post("/_sim/online", json={"accountName": names[1], "online": True})
    assert (switched.status_code, closed.status_code, closed.json()["code"]) == (200, 422, "ACCOUNT_CLOSED")
    [now] = await users_client.users()
    assert (now.online, now.last_seen_at) == (not user.online, later)
    assert [r.operation for r in support.records][-3:] == ["users", "users", "users"]
    assert support.records[-1].method == "GET"


# --- security alerts -----------------------------------------------------------------------------------------------


def alert(name: str, n: int = 1, **overrides: Any) -> dict[str, Any]:
    return {
        "fingerprint": f"fp-{n}", "accountName": name, "iccid": ICCID, "kind": "TERMINAL_BEHAVIOUR", "severity": "CRITICAL",
        "title": "专网卡插入非绑定终端", "detail": "IMEI 356938035643809", "occurredAt": "2026-11-28T02:25:00Z",
    } | overrides  # fmt: skip


async def test_an_alert_batch_arrives_signed_as_a_persisted_operation(support: Support):
    name = (await support.send("account_open", account(), "wo-1:2"))["accountName"]
    batch = [alert(name, 1), alert(name, 2, severity="WARNING", title="终端系统版本过低", detail="")]
    attempts = await support.state.push_alerts(batch)
    [pushed] = support.govops.received
    assert pushed["body"] == {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": ALERT_HASH}},
        "variables": {"input": {"alerts": batch}},
    }
    assert (pushed["key"], pushed["valid"], pushed["fresh"]) == (API_KEY, True, True)
    assert [(a["attempt"], a["status"], a["alerts"]) for a in attempts] == [(1, 200, 2)]


async def test_a_push_govops_could_not_take_is_sent_again_signed_afresh(support: Support):
    name = (await support.send("account_open", account(), "wo-1:2"))["accountName"]
    support.govops.refuse_first = 1
    attempts = await support.state.push_alerts([alert(name)])
    assert [a["status"] for a in attempts] == [503, 200]
    assert [r["valid"] for r in support.govops.received] == [True, True]
    assert len({r["raw"] for r in support.govops.received}) == 1


async def test_the_control_route_pushes_given_or_sample_alerts_and_refuses_bad_ones(support: Support):
    name = (await support.send("account_open", account(), "wo-1:2"))["accountName"]
    async with httpx.AsyncClient(base_url=support.url) as http:
        given = (await http.post("/_sim/push-alerts", json={"alerts": [alert(name)]})).json()
        sample = (await http.post("/_sim/push-alerts", json={"sample": 3})).json()
        bad = await http.post("/_sim/push-alerts", json={"alerts": [alert(name, severity="FATAL")]})
        naive = await http.post("/_sim/push-alerts", json={"alerts": [alert(name, occurredAt="2026-11-28T02:25:00")]})
        accounts = (await http.get("/_sim/accounts")).json()
    assert [a["status"] for a in given["attempts"] + sample["attempts"]] == [200, 200]
    assert [(a["accountName"], a["kind"]) for a in sample["alerts"]] == [(name, "TERMINAL_BEHAVIOUR")] * 3
    assert [a["severity"] for a in sample["alerts"]] == ["CRITICAL", "CRITICAL", "MAJOR"]
    assert len({a["fingerprint"] for a in sample["alerts"]}) == 3
    assert support.govops.received[1]["body"]["variables"]["input"]["alerts"] == sample["alerts"]
    assert (bad.status_code, bad.json()["code"], naive.status_code) == (400, "INVALID_REQUEST", 400)
    assert "alerts.0.severity" in bad.json()["message"]
    assert (len(support.govops.received), len(accounts["pushes"]), accounts["alertDocumentHash"]) == (2, 2, ALERT_HASH)


async def test_a_reset_forgets_accounts_and_pushes_and_keeps_the_wiring(support: Support):
    name = (await support.send("account_open", account(), "wo-1:2"))["accountName"]
    await support.state.push_alerts([alert(name)])
    async with httpx.AsyncClient(base_url=support.url) as http:
        reset = (await http.post("/_sim/reset")).json()
    assert (reset["accepted"], reset["support"]["accounts"], reset["support"]["pushes"]) == ({}, [], [])
    assert reset["config"]["callback"]["url"] == support.govops.url
    assert (await support.send("account_open", account(), "wo-1:2"))["accountName"] == name  # numbering starts over
