"""The integration backbone: an approved order goes to a platform simulator through the outbox, with retries,
Retry-After, dead letter + alert + operator retry, crash safety through the idempotency key, and callbacks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select, update

import jobs
from core.clock import utcnow
from core.queue.outbox import OutboxJob, OutboxStatus
from core.queue.runner import InProcessRunner, JobExecutor, runner_name
from domain.alerts.enums import AlertStatus
from domain.alerts.models import Alert
from domain.integration import repository as calls
from domain.integration.enums import CallOutcome
from domain.workorders.enums import DispatchStatus, WorkOrderStatus
from domain.workorders.models import WorkOrderDispatch, WorkOrderLink
from integrations import registry
from integrations.base.client import PlatformClient, SimplePlatformGateway
from integrations.base.serve import serve
from integrations.base.sim_state import SimulatorState
from integrations.base.simulator import create_platform_simulator
from jobs.interface_log import recorder
from tests.workorders.helpers import order
from tests.workorders.test_engine import FORM
from tests.workorders.test_graphql import confirm_client


@dataclass
class Platform:
    sim: SimulatorState
    url: str
    opened: list[dict[str, Any]]


@pytest.fixture
async def platform(org: Any) -> AsyncIterator[Platform]:
    opened: list[dict[str, Any]] = []

    def open_account(_sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        opened.append(payload)  # the platform's real work: must happen once per order
        return {"accountId": 1000 + len(opened)}

    app = create_platform_simulator("testplat", {"open": open_account})
    async with serve(app) as url:
        client = PlatformClient("testplat", url, timeout=1.0, recorder=recorder(org.session_factory))
        registry.register(SimplePlatformGateway(client))
        try:
            yield Platform(app.state.sim, url, opened)
        finally:
            registry.unregister("testplat")
            await client.close()


def runner(services: Any) -> InProcessRunner:
    executor = JobExecutor(
        jobs.registry,
        services.session_factory,
        services.bus.publish,
        lambda: None,
        runner_name("test"),
        extra=services.executor.extra,  # the file store and the read path, as the app wires them
    )
    return InProcessRunner(executor, cron=False)


async def drive(services: Any, *, rounds: int = 12) -> None:
    """Run the outbox dry; retries waiting for their backoff are made due at once (the clock is ours to move)."""
    run = runner(services)
    for _ in range(rounds):
        await run.run_until_idle()
        async with services.unit_of_work() as uow:
            moved = await uow.session.execute(
                update(OutboxJob).where(OutboxJob.status == OutboxStatus.PENDING).values(available_at=utcnow())
            )
        if not moved.rowcount:
            return
    raise AssertionError("the outbox did not drain")


async def approved(wo: Any) -> int:
    oid = await wo.submit("pd_user", "test.dispatch", FORM)
    await wo.act("pd_admin", "approve", oid)
    return oid


async def dispatch_of(services: Any, order_id: int) -> WorkOrderDispatch:
    async with services.session_factory() as s:
        return (await s.execute(select(WorkOrderDispatch).where(WorkOrderDispatch.order_id == order_id))).scalar_one()


async def links(services: Any, order_id: int) -> list[tuple[str, int]]:
    async with services.session_factory() as s:
        rows = await s.execute(
            select(WorkOrderLink.target_type, WorkOrderLink.target_id).where(WorkOrderLink.order_id == order_id)
        )
        return [(r[0], r[1]) for r in rows]


async def log_of(services: Any, order_id: int) -> list[tuple[CallOutcome, int | None]]:
    async with services.session_factory() as s:
        return [(c.outcome, c.status_code) for c in (await calls.calls_by_order(s, [order_id]))[order_id]]


async def test_three_failures_then_success_complete_the_order_with_one_accepted_call(wo, platform, gql):
    platform.sim.fail("500", times=3)
    oid = await approved(wo)
    assert (await order(wo.services, oid)).status is WorkOrderStatus.DISPATCHING
    await drive(wo.services)
    done = await order(wo.services, oid)
    assert done.status is WorkOrderStatus.COMPLETED
    assert len(platform.opened) == 1 and len(platform.sim.accepted) == 1
    d = await dispatch_of(wo.services, oid)
    assert (d.status, d.attempts, d.idempotency_key) == (DispatchStatus.CONFIRMED, 4, f"GOVOPS-{done.number}-open-1")
    assert await links(wo.services, oid) == [("TestAccount", 1001)]
    assert await log_of(wo.services, oid) == [(CallOutcome.FAILED, 500)] * 3 + [(CallOutcome.OK, 200)]
    from core.ids import to_global_id

    q = """query($f: InterfaceCallFilter) { interfaceCalls(filter: $f) { totalCount edges { node {
      platform operation outcome statusCode idempotencyKey intact workOrderId request } } } }"""
    calls = (await gql(q, {"f": {"workOrderId": to_global_id("WorkOrder", oid)}}, as_user="operator"))["data"]["interfaceCalls"]
    assert calls["totalCount"] == 4
    assert [(c["node"]["outcome"], c["node"]["statusCode"]) for c in calls["edges"]] == [("OK", 200)] + [("FAILED", 500)] * 3
    assert {(c["node"]["platform"], c["node"]["operation"], c["node"]["idempotencyKey"], c["node"]["intact"])
            for c in calls["edges"]} == {("testplat", "open", d.idempotency_key, True)}  # fmt: skip
    denied = await gql(q, as_user="pd_admin")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_retry_after_is_honoured(wo, platform):
    platform.sim.retry_after = 120
    platform.sim.fail("429", times=1)
    oid = await approved(wo)
    await runner(wo.services).run_until_idle()
    async with wo.services.session_factory() as s:
        job = (await s.execute(select(OutboxJob).where(OutboxJob.status == OutboxStatus.PENDING))).scalar_one()
    assert job.available_at >= utcnow() + timedelta(seconds=115)  # not the 2-second backoff: the platform asked for 120
    assert (await order(wo.services, oid)).status is WorkOrderStatus.DISPATCHING


async def test_down_past_the_last_try_goes_to_dead_letter_and_an_operator_retry_completes_it(wo, platform, gql):
    platform.sim.fail("down", times=None)
    oid = await approved(wo)
    await drive(wo.services)
    stuck = await order(wo.services, oid)
    assert stuck.status is WorkOrderStatus.DISPATCH_FAILED
    d = await dispatch_of(wo.services, oid)
    assert (d.status, d.attempts) == (DispatchStatus.DEAD, 6)
    async with wo.services.session_factory() as s:
        alert = (await s.execute(select(Alert))).scalar_one()
    assert (alert.status, alert.kind.value, alert.target_type, alert.target_id) == (
        AlertStatus.FIRING,
        "BUSINESS",
        "WorkOrder",
        oid,
    )
    assert platform.opened == []

    from core.ids import to_global_id

    retry = "mutation($i: WorkOrderRetryDispatchInput!) { workOrderRetryDispatch(input: $i) { workOrder { status } errors { code } } }"
    gid = to_global_id("WorkOrder", oid)
    refused = await gql(retry, {"i": {"id": gid}}, as_user="pd_admin")  # a leader is not an operator
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    platform.sim.clear_failures()
    answer = await gql(retry, {"i": {"id": gid}}, as_user="operator")
    assert answer["data"]["workOrderRetryDispatch"] == {"workOrder": {"status": "DISPATCHING"}, "errors": []}
    again = await gql(retry, {"i": {"id": gid}}, as_user="operator")
    assert again["data"]["workOrderRetryDispatch"]["errors"] == [{"code": "DISPATCH_NOT_RETRYABLE"}]
    await drive(wo.services)
    assert (await order(wo.services, oid)).status is WorkOrderStatus.COMPLETED
    assert len(platform.opened) == 1
    async with wo.services.session_factory() as s:
        assert (await s.execute(select(Alert.status))).scalar_one() is AlertStatus.RESOLVED


async def test_a_crash_after_the_platform_did_the_work_does_not_repeat_it(wo, platform):
    # "drop": the platform does the work, then the connection dies before we hear the answer (as if we crashed).
    platform.sim.fail("drop", times=1)
    oid = await approved(wo)
    await drive(wo.services)
    assert (await order(wo.services, oid)).status is WorkOrderStatus.COMPLETED
    assert len(platform.opened) == 1 and platform.sim.replays == 1  # the retry got the stored answer back
    assert await links(wo.services, oid) == [("TestAccount", 1001)]


async def test_a_platform_refusal_rejects_the_order_with_its_reason(wo, platform):
    platform.sim.fail("reject", times=1)
    oid = await approved(wo)
    await drive(wo.services)
    o = await order(wo.services, oid)
    assert o.status is WorkOrderStatus.REJECTED
    assert (await dispatch_of(wo.services, oid)).status is DispatchStatus.REFUSED


def calls_back(platform: Any, client: dict[str, str], app: Any) -> asyncio.Event:
    """The platform answers ACCEPTED and confirms later through GovOps's API as `client`, once the gate is set."""
    transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 443))
    gate = asyncio.Event()  # the platform calls back only when the test says so

    async def send(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        await gate.wait()
        async with httpx.AsyncClient(transport=transport, base_url="http://govops") as http:
            return await http.post("/graphql", content=body, headers=headers)

    platform.sim.modes["open"] = "ACCEPTED"
    platform.sim.callback.url = "http://govops/graphql"
    platform.sim.callback.api_key, platform.sim.callback.secret = client["key"], client["secret"]
    platform.sim.callback.document_hash = client["document"]
    platform.sim.callback.delay_seconds = 0
    platform.sim.callback.send = send
    return gate


async def test_a_client_may_settle_only_the_dispatches_of_the_platforms_it_speaks_for(wo, platform, app):
    gate = calls_back(platform, await confirm_client(wo.services, app, ("carrier_mobile",)), app)
    oid = await approved(wo)
    await drive(wo.services)
    gate.set()
    await platform.sim.flush_callbacks()
    [answer] = [orjson.loads(c["answer"])["data"]["workOrderDispatchConfirm"] for c in platform.sim.callbacks]
    assert answer["accepted"] is False and answer["errors"][0]["code"] == "NOT_FOUND"
    assert ((await order(wo.services, oid)).status, (await dispatch_of(wo.services, oid)).status) == (
        WorkOrderStatus.DISPATCHING, DispatchStatus.ACCEPTED)  # fmt: skip
    assert await links(wo.services, oid) == []


async def test_an_accepted_dispatch_completes_by_the_signed_callback_once_even_when_sent_twice(wo, platform, app):
    gate = calls_back(platform, await confirm_client(wo.services, app), app)
    platform.sim.fail("duplicate_callback", times=1)
    oid = await approved(wo)
    await drive(wo.services)
    waiting = await order(wo.services, oid)
    assert (waiting.status, (await dispatch_of(wo.services, oid)).status) == (
        WorkOrderStatus.DISPATCHING,
        DispatchStatus.ACCEPTED,
    )
    gate.set()
    await platform.sim.flush_callbacks()
    done = await order(wo.services, oid)
    assert done.status is WorkOrderStatus.COMPLETED
    answers = [orjson.loads(c["answer"])["data"]["workOrderDispatchConfirm"] for c in platform.sim.callbacks]
    assert answers == [{"accepted": True, "errors": []}, {"accepted": False, "errors": []}]
    assert await links(wo.services, oid) == [("TestAccount", 1001)]
    await wo.services.drain()  # the interface log is written beside the answer
    async with wo.services.session_factory() as session:
        logged = [
            (c.direction.value, c.operation, c.outcome.value, c.platform)
            for c in (await calls.calls_by_order(session, [oid]))[oid]
        ]
    assert logged == [
        ("OUTBOUND", "open", "OK", "testplat"),
        ("INBOUND", "WorkOrderDispatchConfirm", "OK", "测试平台"),
        ("INBOUND", "WorkOrderDispatchConfirm", "OK", "测试平台"),
    ]


async def test_a_fan_out_sends_one_request_each_and_completes_when_all_are_confirmed(wo, platform):
    platform.sim.fail("500", times=2)
    oid = await wo.submit("pd_user", "test.fanout", {"quantity": 3, "reason": "三张卡"})
    await wo.act("pd_admin", "approve", oid)
    await drive(wo.services)
    done = await order(wo.services, oid)
    assert done.status is WorkOrderStatus.COMPLETED
    async with wo.services.session_factory() as s:
        rows = list((await s.execute(select(WorkOrderDispatch).where(WorkOrderDispatch.order_id == oid)
                                     .order_by(WorkOrderDispatch.id))).scalars())  # fmt: skip
    assert [d.idempotency_key.rsplit("-", 1)[1] for d in rows] == ["1", "2", "3"]
    assert {d.status for d in rows} == {DispatchStatus.CONFIRMED} and [d.request["n"] for d in rows] == [1, 2, 3]
    assert sorted(p["n"] for p in platform.opened) == [1, 2, 3]  # each request's work done once
    assert sorted(await links(wo.services, oid)) == [("TestAccount", 1001), ("TestAccount", 1002), ("TestAccount", 1003)]


async def test_a_confirmation_that_cannot_be_applied_ends_in_dead_letter_not_in_silence(wo, platform):
    calls: list[dict[str, Any]] = []

    def garbled(_sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(payload)
        return {"accountId": "not-a-number"}  # the effect cannot take this in

    platform.sim.handlers["open"] = garbled
    oid = await approved(wo)
    await drive(wo.services)
    assert (await order(wo.services, oid)).status is WorkOrderStatus.DISPATCH_FAILED
    dispatch = await dispatch_of(wo.services, oid)
    assert dispatch.status is DispatchStatus.DEAD and "could not be applied" in (dispatch.last_error or "")
    assert len(calls) == 1  # retried with the same key: the platform did the work once
    assert await links(wo.services, oid) == []
