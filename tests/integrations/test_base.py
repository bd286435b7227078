"""The integration backbone: PlatformClient against the common simulator served by real uvicorn, signed callbacks,
and the sealed interface log (on SQLite, and on PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.db.pagination import PageRequest, encode_cursor
from domain.identity import apiclients
from domain.integration import repository as repo
from domain.integration.ports import CallDirection, CallOutcome, CallRecord, clip, current_order_id, redact, redact_url
from domain.workorders.ports import DispatchAnswer, DispatchResult, PlatformRejected, PlatformUnavailable
from integrations.base import signing
from integrations.base.client import PlatformClient, SimplePlatformGateway, parse_retry_after
from integrations.base.serve import serve
from integrations.base.simulator import CallbackSettings, SimRejection, SimulatorState, create_platform_simulator

API_KEY, SECRET = "ak_carrier_test", "carrier-callback-secret"
CONFIRM_HASH = "ab" * 32
GOVOPS = "http://govops.test/graphql"
WORK: Counter[str] = Counter()  # how often each handler really ran; cleared for every test by the platform fixture


def open_card(sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
    """The carrier's work: issue a number (counted, so a test sees whether the work ran twice)."""
    WORK["simCardOpen"] += 1
    if payload.get("iccid") == "bad":
        raise SimRejection("ICCID_INVALID", "ICCID 无效 / Invalid ICCID", 422)
    return {"msisdn": "13900000001", "iccid": payload.get("iccid"), "pin": "1234"}


@dataclass
class Platform:
    url: str
    app: Starlette
    records: list[CallRecord] = field(default_factory=list)

    @property
    def sim(self) -> SimulatorState:
        return self.app.state.sim

    async def recorder(self, record: CallRecord) -> None:
        self.records.append(record)

    def client(self, **kwargs: Any) -> PlatformClient:
        return PlatformClient("carrier", self.url, recorder=self.recorder, **{"timeout": 5.0, **kwargs})


@pytest.fixture
async def platform() -> AsyncIterator[Platform]:
    WORK.clear()
    app = create_platform_simulator("carrier", {"simCardOpen": open_card})
    async with serve(app) as url:
        yield Platform(url, app)


# --- calls ---------------------------------------------------------------------------------------------------------


async def test_an_operation_is_confirmed_with_the_platform_result(platform: Platform):
    async with platform.client() as client:
        result = await SimplePlatformGateway(client).send("simCardOpen", {"iccid": "8986001"}, idempotency_key="wo-1:1")
    assert result == DispatchResult(
        DispatchAnswer.CONFIRMED, {"msisdn": "13900000001", "iccid": "8986001", "pin": "1234"}, "CARRIER-000001"
    )
    assert platform.sim.calls == 1
    assert list(platform.sim.accepted) == ["wo-1:1"]


async def test_an_operation_without_a_handler_gets_a_reference_and_an_empty_result(platform: Platform):
    async with platform.client() as client:
        answer = await client.call("vpnOpen", "/ops/vpnOpen", {"site": "PD"}, idempotency_key="k")
    assert answer == {"status": "CONFIRMED", "result": {}, "reference": "CARRIER-000001"}


async def test_a_repeated_idempotency_key_does_the_work_once(platform: Platform):
    async with platform.client() as client:
        first = await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "8986001"}, idempotency_key="wo-1:1")
        again = await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "8986001"}, idempotency_key="wo-1:1")
    assert again == first
    assert list(platform.sim.accepted) == ["wo-1:1"]
    assert WORK["simCardOpen"] == 1
    assert (platform.sim.calls, platform.sim.replays) == (2, 1)


async def test_concurrent_calls_with_one_key_do_the_work_once(platform: Platform):
    platform.sim.latency_seconds = 0.05
    async with platform.client() as client:
        answers = await asyncio.gather(
            *[client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="same") for _ in range(3)]
        )
    assert answers[0] == answers[1] == answers[2]
    assert WORK["simCardOpen"] == 1


async def test_a_key_reused_for_another_request_is_refused(platform: Platform):
    async with platform.client() as client:
        await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="k")
        with pytest.raises(PlatformRejected) as refused:
            await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "2"}, idempotency_key="k")
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert platform.sim.accepted["k"]["payload"] == {"iccid": "1"}


@pytest.mark.parametrize("seconds", [7, 0])
async def test_429_gives_unavailable_with_the_retry_after(platform: Platform, seconds: int):
    platform.sim.retry_after = seconds
    platform.sim.fail("429")
    async with platform.client() as client:
        with pytest.raises(PlatformUnavailable) as throttled:
            await client.call("simCardOpen", "/ops/simCardOpen", {}, idempotency_key="k")
    assert throttled.value.retry_after == float(seconds)
    assert str(throttled.value) == "carrier simCardOpen: HTTP 429 (throttled)"
    assert platform.sim.accepted == {}


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("500", "carrier simCardOpen: HTTP 500 (平台内部错误（模拟） / Simulated platform failure)"),
        ("down", "carrier simCardOpen: HTTP 503"),
    ],
)
async def test_500_and_down_give_unavailable(platform: Platform, mode: str, message: str):
    platform.sim.fail(mode)
    async with platform.client() as client:
        with pytest.raises(PlatformUnavailable) as failed:
            await client.call("simCardOpen", "/ops/simCardOpen", {}, idempotency_key="k")
    assert (str(failed.value), failed.value.retry_after) == (message, None)
    assert platform.sim.accepted == {}


async def test_a_4xx_gives_rejected_with_the_platform_code_and_message(platform: Platform):
    async with platform.client() as client:
        gateway = SimplePlatformGateway(client)
        with pytest.raises(PlatformRejected) as refused:
            await gateway.send("simCardOpen", {"iccid": "bad"}, idempotency_key="k")
        platform.sim.fail("reject")
        with pytest.raises(PlatformRejected) as simulated:
            await gateway.send("simCardOpen", {"iccid": "1"}, idempotency_key="k2")
    assert (refused.value.code, str(refused.value)) == ("ICCID_INVALID", "ICCID 无效 / Invalid ICCID")
    assert simulated.value.code == "SIMULATED_REJECTION"
    assert platform.sim.accepted == {}  # refused work is not kept


async def test_a_missing_idempotency_key_is_refused(platform: Platform):
    async with platform.client() as client:
        with pytest.raises(PlatformRejected) as refused:
            await client.call("simCardOpen", "/ops/simCardOpen", {}, idempotency_key=None)
    assert refused.value.code == "IDEMPOTENCY_KEY_REQUIRED"


async def test_slow_beyond_the_timeout_gives_unavailable_and_the_work_still_happens(platform: Platform):
    platform.sim.slow_seconds = 0.4
    platform.sim.fail("slow")
    async with platform.client(timeout=0.1) as client:
        with pytest.raises(PlatformUnavailable) as timed_out:
            await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="k")
        assert str(timed_out.value) == "carrier simCardOpen: no answer within 0.1s (ReadTimeout)"
        await asyncio.sleep(0.5)  # the platform finishes the work it was given, though nobody waits for the answer
        assert platform.sim.accepted["k"]["reference"] == "CARRIER-000001"
        answer = await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="k")
    assert answer == platform.sim.accepted["k"]["answer"]
    assert (WORK["simCardOpen"], platform.sim.replays) == (1, 1)
    assert [r.outcome for r in platform.records] == [CallOutcome.TIMEOUT, CallOutcome.OK]


async def test_a_dropped_answer_is_unavailable_and_the_retry_gets_the_first_answer(platform: Platform):
    platform.sim.fail("drop")
    async with platform.client() as client:
        with pytest.raises(PlatformUnavailable):
            await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="k")
        answer = await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="k")
    assert answer["reference"] == "CARRIER-000001"
    assert (WORK["simCardOpen"], platform.sim.replays) == (1, 1)
    assert [r.outcome for r in platform.records] == [CallOutcome.UNREACHABLE, CallOutcome.OK]


async def test_an_unreachable_platform_gives_unavailable():
    async with serve(Starlette()) as url:
        pass  # the port is free again: nothing listens there any more
    records: list[CallRecord] = []

    async def recorder(record: CallRecord) -> None:
        records.append(record)

    async with PlatformClient("carrier", url, recorder=recorder) as client:
        with pytest.raises(PlatformUnavailable) as unreachable:
            await client.call("simCardOpen", "/ops/simCardOpen", {}, idempotency_key="k")
    assert str(unreachable.value).startswith("carrier simCardOpen: unreachable (ConnectError")
    assert [(r.outcome, r.status_code, r.response) for r in records] == [(CallOutcome.UNREACHABLE, None, None)]


async def test_fail_the_first_three_calls_then_answer(platform: Platform):
    platform.sim.fail("500", times=3)
    outcomes = []
    async with platform.client() as client:
        for _ in range(4):
            try:
                await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="k")
                outcomes.append("ok")
            except PlatformUnavailable:
                outcomes.append("unavailable")
    assert outcomes == ["unavailable", "unavailable", "unavailable", "ok"]
    assert (platform.sim.calls, platform.sim.failures) == (4, [])


async def test_a_failure_armed_until_cleared_lasts_until_cleared(platform: Platform):
    platform.sim.fail("down", times=None, operation="simCardOpen")
    async with platform.client() as client:
        for _ in range(5):
            with pytest.raises(PlatformUnavailable):
                await client.call("simCardOpen", "/ops/simCardOpen", {}, idempotency_key="k")
        other = await client.call("vpnOpen", "/ops/vpnOpen", {}, idempotency_key="v")  # another operation still works
        platform.sim.clear_failures()
        answer = await client.call("simCardOpen", "/ops/simCardOpen", {}, idempotency_key="k")
    assert (other["status"], answer["status"]) == ("CONFIRMED", "CONFIRMED")


# --- the interface log records ----------------------------------------------------------------------------------


async def test_every_call_reaches_the_recorder_with_secrets_redacted(platform: Platform):
    payload = {"iccid": "8986001", "password": "x", "nested": {"token": "y", "list": [{"Authorization": "Bearer z"}]}}
    platform.sim.fail("500")
    async with platform.client(headers={"Authorization": "Bearer platform-token"}) as client:
        with pytest.raises(PlatformUnavailable):
            await client.call("simCardOpen", "/ops/simCardOpen", payload, idempotency_key="wo-7:1", order_id=7)
        await client.call("simCardOpen", "/ops/simCardOpen", payload, idempotency_key="wo-7:1", order_id=7)
    failed, ok = platform.records
    stored = {"iccid": "8986001", "password": "***", "nested": {"token": "***", "list": [{"Authorization": "***"}]}}
    assert (failed.request, ok.request) == (stored, stored)
    assert payload["password"] == "x"  # the caller's payload is untouched
    assert ok.response == {
        "status": "CONFIRMED", "result": {"msisdn": "139****0001", "iccid": "8986001", "pin": "***"},
        "reference": "CARRIER-000001",
    }  # fmt: skip
    assert failed.response == {"code": "INTERNAL_ERROR", "message": "平台内部错误（模拟） / Simulated platform failure"}
    assert (failed.platform, failed.operation, failed.direction, failed.method) == (
        "carrier", "simCardOpen", CallDirection.OUTBOUND, "POST",
    )  # fmt: skip
    assert (failed.url, failed.idempotency_key, failed.order_id) == (f"{platform.url}/ops/simCardOpen", "wo-7:1", 7)
    assert [(r.status_code, r.outcome) for r in platform.records] == [(500, CallOutcome.FAILED), (200, CallOutcome.OK)]
    assert failed.error == "carrier simCardOpen: HTTP 500 (平台内部错误（模拟） / Simulated platform failure)"
    assert ok.error is None
    assert all(r.started_at.tzinfo is not None and 0 <= r.latency_ms < 5000 for r in platform.records)
    assert "platform-token" not in repr(platform.records)


async def test_the_order_in_context_reaches_the_record(platform: Platform):
    token = current_order_id.set(42)
    try:
        async with platform.client() as client:
            await client.call("simCardOpen", "/ops/simCardOpen", {}, idempotency_key="k")
    finally:
        current_order_id.reset(token)
    assert platform.records[0].order_id == 42


async def test_a_failing_recorder_is_logged_and_never_raised(platform: Platform, caplog: pytest.LogCaptureFixture):
    async def broken(record: CallRecord) -> None:
        raise RuntimeError("database gone")

    with caplog.at_level(logging.ERROR, logger="integrations.base.client"):
        async with PlatformClient("carrier", platform.url, recorder=broken) as client:
            answer = await client.call("simCardOpen", "/ops/simCardOpen", {}, idempotency_key="k")
    assert answer["status"] == "CONFIRMED"
    assert [r.getMessage() for r in caplog.records] == ["interface log: could not record carrier simCardOpen"]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True), ("newPassword", True), ("client_secret", True), ("access_token", True),
        ("Authorization", True), ("X-Api-Signature", True), ("apiKey", True), ("key", True), ("credentials", True),
        ("id_number", True), ("idCard", True), ("idempotencyKey", False), ("keyId", False),
        ("reference", False), ("status", False),
    ],
)  # fmt: skip
def test_redact_masks_secret_names_only(name: str, secret: bool):
    assert redact({name: "v", "list": [{name: 1}]}) == {name: "***" if secret else "v", "list": [{name: "***" if secret else 1}]}


def test_redact_masks_personal_numbers_in_the_middle():
    masked = redact({"msisdn": "13912345678", "holderPhone": "13812345678", "email": "zhang@bdc.sh.gov.cn", "count": 3})
    assert masked == {"msisdn": "139****5678", "holderPhone": "138****5678", "email": "z***@bdc.sh.gov.cn", "count": 3}
    assert redact({"msisdn": 1}) == {"msisdn": 1}  # not text: nothing to mask


def test_redact_keeps_none_and_copies_deeply():
    original = {"token": None, "a": [{"b": {"c": 1}}]}
    copy = redact(original)
    copy["a"][0]["b"]["c"] = 2
    assert (copy["token"], original["a"][0]["b"]["c"]) == (None, 1)
    assert redact_url("http://p/x?access_token=abc&page=2") == "http://p/x?access_token=***&page=2"


def test_clip_keeps_small_bodies_and_cuts_large_ones():
    small = {"a": "x" * 10}
    assert clip(small) is small
    cut = clip({"a": "x" * 100}, limit=20)
    assert cut == {"_truncated": True, "_chars": 108, "_head": '{"a":"' + "x" * 14}


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0), ("0", 0.0), ("1.5", 1.5), ("-1", None), ("soon", None), ("", None), (None, None),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0), ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
    ],
)  # fmt: skip
def test_retry_after_is_seconds_or_an_http_date(header: str | None, seconds: float | None):
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert parse_retry_after(header, now) == seconds


async def test_an_answer_outside_the_contract_is_refused():
    odd = Starlette(routes=[Route("/ops/{op}", lambda r: JSONResponse({"status": "DONE"}), methods=["POST"])])
    client = PlatformClient("odd", "http://odd.test", transport=httpx.ASGITransport(app=odd))
    async with client:
        with pytest.raises(PlatformRejected) as refused:
            await SimplePlatformGateway(client).send("x", {}, idempotency_key="k")
    assert (refused.value.code, str(refused.value)) == ("UNEXPECTED_ANSWER", "unexpected answer status 'DONE'")


# --- callbacks -----------------------------------------------------------------------------------------------------


@dataclass
class GovOps:
    """GovOps's side of a callback, reduced to the signature check of domain.identity.apiclients."""

    received: list[dict[str, Any]] = field(default_factory=list)
    refuse_first: int = 0  # answer 503 to this many deliveries first

    async def graphql(self, request: Request) -> JSONResponse:
        raw, h = await request.body(), request.headers
        expected = apiclients.sign(SECRET, request.method, request.url.path, h["x-api-timestamp"], h["x-api-nonce"], raw)
        self.received.append({
            "key": h["x-api-key"], "nonce": h["x-api-nonce"], "valid": expected == h["x-api-signature"],
            "fresh": abs(time.time() - int(h["x-api-timestamp"])) <= apiclients.SKEW.total_seconds(),
            "path": request.url.path, "raw": raw, "body": orjson.loads(raw),
        })  # fmt: skip
        if len(self.received) <= self.refuse_first:
            return JSONResponse({"errors": [{"message": "busy"}]}, 503)
        return JSONResponse({"data": {"workOrderDispatchConfirm": {"errors": []}}})


@pytest.fixture
async def govops(platform: Platform) -> AsyncIterator[GovOps]:
    receiver = GovOps()
    app = Starlette(routes=[Route("/graphql", receiver.graphql, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:

        async def send(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
            return await http.post(url, content=body, headers=headers)

        platform.sim.callback = CallbackSettings(
            url=GOVOPS, api_key=API_KEY, secret=SECRET, document_hash=CONFIRM_HASH, delay_seconds=0, retry_seconds=0,
            send=send,
        )  # fmt: skip
        platform.sim.modes["simCardOpen"] = "ACCEPTED"
        yield receiver


def confirm_body(key: str, outcome: str, result: dict[str, Any], reference: str, message: str | None) -> dict[str, Any]:
    return {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": CONFIRM_HASH}},
        "variables": {
            "input": {"idempotencyKey": key, "outcome": outcome, "result": result, "reference": reference, "message": message}
        },
    }


async def test_accepted_work_is_confirmed_later_by_a_signed_callback(platform: Platform, govops: GovOps):
    async with platform.client() as client:
        gateway = SimplePlatformGateway(client)
        result = await gateway.send("simCardOpen", {"iccid": "8986001"}, idempotency_key="wo-1:1")
        again = await gateway.send("simCardOpen", {"iccid": "8986001"}, idempotency_key="wo-1:1")
    assert result == again == DispatchResult(DispatchAnswer.ACCEPTED, {}, "CARRIER-000001")
    await platform.sim.flush_callbacks()
    [callback] = govops.received
    issued = {"msisdn": "13900000001", "iccid": "8986001", "pin": "1234"}
    assert callback["body"] == confirm_body("wo-1:1", "CONFIRMED", issued, "CARRIER-000001", None)
    assert (callback["key"], callback["path"], callback["valid"], callback["fresh"]) == (API_KEY, "/graphql", True, True)
    assert platform.sim.accepted["wo-1:1"]["outcome"] == "CONFIRMED"
    assert WORK["simCardOpen"] == 1
    assert [(c["attempt"], c["status"]) for c in platform.sim.callbacks] == [(1, 200)]


async def test_duplicate_callback_sends_the_same_callback_twice(platform: Platform, govops: GovOps):
    platform.sim.fail("duplicate_callback")
    async with platform.client() as client:
        await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="wo-2:1")
    await platform.sim.flush_callbacks()
    first, second = govops.received
    assert first["raw"] == second["raw"]
    assert first["body"]["variables"]["input"]["idempotencyKey"] == "wo-2:1"
    assert (first["valid"], second["valid"]) == (True, True)
    assert first["nonce"] != second["nonce"]  # re-signed, as a platform's re-delivery is: both pass GovOps's checks
    assert platform.sim.failures == []


async def test_work_that_fails_later_is_reported_failed_by_callback(platform: Platform, govops: GovOps):
    async with platform.client() as client:
        answer = await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "bad"}, idempotency_key="wo-3:1")
    await platform.sim.flush_callbacks()
    assert answer["status"] == "ACCEPTED"
    assert govops.received[0]["body"] == confirm_body("wo-3:1", "FAILED", {}, "CARRIER-000001", "ICCID 无效 / Invalid ICCID")


async def test_a_callback_govops_could_not_take_is_delivered_again(platform: Platform, govops: GovOps):
    govops.refuse_first = 2
    async with platform.client() as client:
        await client.call("simCardOpen", "/ops/simCardOpen", {"iccid": "1"}, idempotency_key="wo-4:1")
    await platform.sim.flush_callbacks()
    assert [(c["attempt"], c["status"]) for c in platform.sim.callbacks] == [(1, 503), (2, 503), (3, 200)]
    assert len({r["raw"] for r in govops.received}) == 1


def test_the_signing_primitive_is_the_verifiers():
    body = orjson.dumps({"variables": {"input": {"idempotencyKey": "k"}}})
    args = ("POST", "/graphql", "1764300000", "n" * 32, body)
    assert signing.string_to_sign(*args) == apiclients.string_to_sign(*args)
    assert signing.sign(SECRET, *args) == apiclients.sign(SECRET, *args)
    headers = signing.signed_headers(API_KEY, SECRET, "POST", "/graphql", body, timestamp=1764300000, nonce="n" * 32)
    assert headers == {
        "Content-Type": "application/json", "X-Api-Key": API_KEY, "X-Api-Timestamp": "1764300000", "X-Api-Nonce": "n" * 32,
        "X-Api-Signature": apiclients.sign(SECRET, *args),
    }  # fmt: skip
    assert apiclients.NONCE.match(signing.signed_headers(API_KEY, SECRET, "POST", "/", b"")["X-Api-Nonce"])


async def test_the_control_routes_drive_the_simulator(platform: Platform):
    async with httpx.AsyncClient(base_url=platform.url) as http:
        armed = await http.post("/_sim/fail", json={"mode": "429", "times": 2, "operation": "simCardOpen"})
        assert armed.json() == {"failures": [{"mode": "429", "remaining": 2, "operation": "simCardOpen"}]}
        config = await http.post(
            "/_sim/config", json={"retry_after": 3, "modes": {"vpnOpen": "ACCEPTED"}, "callback": {"url": GOVOPS, "secret": "s"}}
        )
        assert (config.json()["modes"], config.json()["callback"]["secret"], config.json()["retry_after"]) == (
            {"vpnOpen": "ACCEPTED"}, "***", 3,
        )  # fmt: skip
        for path, body in [("/_sim/config", {"colour": "red"}), ("/_sim/fail", {"mode": "explode"})]:
            refused = await http.post(path, json=body)
            assert (refused.status_code, refused.json()["code"]) == (400, "INVALID_REQUEST")
        throttled = await http.post("/ops/simCardOpen", json={}, headers={"Idempotency-Key": "k"})
        assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "3")
        state = (await http.get("/_sim/state")).json()
        assert (state["calls"], state["failures"]) == (1, [{"mode": "429", "remaining": 1, "operation": "simCardOpen"}])
        reset = (await http.post("/_sim/reset")).json()
    assert (reset["calls"], reset["failures"], reset["accepted"], reset["config"]["modes"]) == (0, [], {}, {})
    assert reset["config"]["callback"]["url"] == GOVOPS  # the wiring stays


# --- the stored interface log ------------------------------------------------------------------------------------

T0 = datetime(2026, 11, 28, 1, 0, 0, 123456, tzinfo=UTC)


def record(n: int, **overrides: Any) -> CallRecord:
    fields: dict[str, Any] = {
        "platform": "carrier", "operation": "simCardOpen", "direction": CallDirection.OUTBOUND, "method": "POST",
        "url": "http://carrier.test/ops/simCardOpen", "idempotency_key": f"wo-{n}:1",
        "request": {"iccid": f"898600{n}", "password": "***", "价格": 1.5, "n": 2.0, "z": {"b": 1, "a": [1, "二"]}},
        "response": {"status": "CONFIRMED", "result": {"msisdn": "139"}, "reference": f"CARRIER-{n:06d}"},
        "status_code": 200, "latency_ms": 12, "outcome": CallOutcome.OK, "error": None,
        "started_at": T0 + timedelta(seconds=n), "order_id": n,
    }  # fmt: skip
    return CallRecord(**(fields | overrides))


async def test_calls_are_stored_sealed_listed_and_tampering_is_found(services: Any):
    async with services.unit_of_work() as uow:
        for n in (1, 2, 3):
            await repo.record_call(uow.session, record(n))
        await repo.record_call(uow.session, record(4, platform="cloud", outcome=CallOutcome.THROTTLED, status_code=429,
                                                   response=None, error="cloud simCardOpen: HTTP 429", order_id=2))  # fmt: skip
    async with services.session_factory() as s:
        first = await repo.list_calls(s, repo.CallFilter(), PageRequest(first=3))
        rest = await repo.list_calls(s, repo.CallFilter(), PageRequest(first=3, after=encode_cursor(first.keys[-1])))
        assert [c.id for c in first.items] == [4, 3, 2] and first.has_next_page
        assert ([c.id for c in rest.items], rest.has_next_page) == ([1], False)
        assert first.items[0].started_at == T0 + timedelta(seconds=4)
        assert all(c.holds() for c in first.items + rest.items)  # the bodies read back (jsonb reorders keys) still verify
        carrier = repo.CallFilter(platform="carrier", started_from=T0 + timedelta(seconds=2))
        assert [c.id for c in (await repo.list_calls(s, carrier, PageRequest())).items] == [3, 2]
        assert await repo.count_calls(s, repo.CallFilter(outcome=CallOutcome.THROTTLED)) == 1
        assert await repo.count_calls(s, repo.CallFilter(idempotency_key="wo-1:1")) == 1
        assert await repo.count_calls(s, repo.CallFilter(started_before=T0 + timedelta(seconds=3))) == 2
        by_order = await repo.calls_by_order(s, [2, 3, 99])
        assert {k: [c.id for c in v] for k, v in by_order.items()} == {2: [2, 4], 3: [3], 99: []}
        assert await repo.broken_calls(s) == []
    async with services.session_factory() as s, s.begin():  # someone with database access rewrites history
        await s.execute(text("UPDATE interface_call SET status_code = 200, outcome = 'OK' WHERE id = 4"))
        await s.execute(text("UPDATE interface_call SET response = :r WHERE id = 2"), {"r": '{"status": "CONFIRMED"}'})
    async with services.session_factory() as s:
        assert await repo.broken_calls(s) == [2, 4]
        assert [c.holds() for c in (await repo.calls_by_order(s, [2]))[2]] == [False, False]


async def test_a_client_wired_to_the_log_stores_every_call(services: Any, platform: Platform):
    async def to_log(rec: CallRecord) -> None:
        async with services.unit_of_work() as uow:
            await repo.record_call(uow.session, rec)

    platform.sim.fail("500")
    async with PlatformClient("carrier", platform.url, recorder=to_log) as client:
        with pytest.raises(PlatformUnavailable):
            await client.call("simCardOpen", "/ops/simCardOpen", {"secret": "s"}, idempotency_key="k", order_id=5)
        await client.call("simCardOpen", "/ops/simCardOpen", {"secret": "s"}, idempotency_key="k", order_id=5)
    async with services.session_factory() as s:
        calls = (await repo.calls_by_order(s, [5]))[5]
        assert [(c.outcome, c.status_code, c.request) for c in calls] == [
            (CallOutcome.FAILED, 500, {"secret": "***"}), (CallOutcome.OK, 200, {"secret": "***"}),
        ]  # fmt: skip
        assert await repo.broken_calls(s) == []
