"""orgUnitChanged over graphql-transport-ws: auth in connection_init, scope, revocation, Redis fan-out."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import httpx
import pytest
import websockets

from core.ids import to_global_id
from tests.conftest import DEMO_PASSWORD, TEST_MASTER_KEY, free_port, start_server
from tests.resolvers.identity.test_data_scope import ids

SUBSCRIBE = "subscription { orgUnitChanged { change orgUnit { code name parent { code } } } }"
RENAME = "mutation($i: OrgUnitUpdateInput!) { orgUnitUpdate(input: $i) { errors { code } } }"


class Subscriber:
    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] in ("ping", "pong"):
                continue
            return message


async def open_subscription(host: str, token: str | None, query: str = SUBSCRIBE) -> tuple[Any, Subscriber]:
    ws = await websockets.connect(f"ws://{host}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token} if token else {}}))
    sub = Subscriber(ws)
    ack = await sub.next()
    assert ack["type"] == "connection_ack", ack
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    await asyncio.sleep(0.3)  # let the server reach its bus subscription before anything changes
    return ws, sub


async def rename(gql: Any, unit_id: int, name: str, as_user: str = "admin") -> None:
    result = await gql(RENAME, {"i": {"id": to_global_id("OrgUnit", unit_id), "name": name}}, as_user=as_user)
    assert result["data"]["orgUnitUpdate"]["errors"] == []


async def test_a_subscriber_sees_a_unit_change(demo, gql, served):
    known = await ids(demo)
    ws, sub = await open_subscription(served, await gql.token("operator"))
    try:
        await rename(gql, known["D-PD"], "浦东新区城市运行中心")
        message = await sub.next()
        assert message == {"id": "1", "type": "next", "payload": {"data": {"orgUnitChanged": {
            "change": "UPDATED", "orgUnit": {"code": "D-PD", "name": "浦东新区城市运行中心", "parent": {"code": "SHBDC"}}}},
            "extensions": {"cost": 7}}}  # fmt: skip
    finally:
        await ws.close()


async def test_an_access_unit_subscriber_hears_only_its_own_unit(demo, gql, served):
    known = await ids(demo)
    ws, sub = await open_subscription(served, await gql.token("pd_user"))
    try:
        await rename(gql, known["D-HP"], "黄浦区数据局")  # another unit: nothing may arrive
        await rename(gql, known["D-PD"], "浦东新区数据局")
        message = await sub.next()
        assert message["payload"]["data"]["orgUnitChanged"]["orgUnit"] == {
            "code": "D-PD",
            "name": "浦东新区数据局",
            "parent": None,
        }
    finally:
        await ws.close()


async def test_connection_without_a_token_is_refused(demo, served):
    ws = await websockets.connect(f"ws://{served}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4403


async def test_revoking_the_token_closes_the_socket(demo, gql, served):
    token = await gql.token("operator")
    _ws, sub = await open_subscription(served, token)
    assert (await gql("mutation { logout { errors { code } } }", token=token))["data"]["logout"]["errors"] == []
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await sub.next()
    assert closed.value.rcvd.code == 4403


async def test_a_change_made_by_another_process_arrives_through_redis(demo, gql, served, backend):
    if backend.redis_url is None:
        pytest.skip("cross-process delivery needs Redis: runs on the PostgreSQL + Redis backend")
    known = await ids(demo)
    ws, sub = await open_subscription(served, await gql.token("operator"))
    env = {
        **os.environ, "GOVOPS_PROFILE": "test", "GOVOPS_MASTER_KEY": TEST_MASTER_KEY, "GOVOPS_DATABASE_URL": backend.database_url,
        "GOVOPS_REDIS_URL": backend.redis_url, "GOVOPS_PASSWORD_ITERATIONS": "1000",
    }  # fmt: skip
    port = free_port()
    import tempfile
    from pathlib import Path

    other = start_server(env, port, Path(tempfile.mkdtemp()) / "other.log")  # a second API instance
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            login = await http.post(
                "/graphql",
                json={
                    "query": "mutation($i: LoginInput!) { login(input: $i) { token } }",
                    "variables": {"i": {"username": "admin", "password": DEMO_PASSWORD}},
                },
            )
            token = login.json()["data"]["login"]["token"]
            changed = await http.post(
                "/graphql", headers={"Authorization": f"Bearer {token}"},
                json={"query": RENAME, "variables": {"i": {"id": to_global_id("OrgUnit", known["B-GA"]), "name": "市公安局科技信息化处"}}},
            )  # fmt: skip
            assert changed.json()["data"]["orgUnitUpdate"]["errors"] == []
        message = await sub.next()
        assert message["payload"]["data"]["orgUnitChanged"]["orgUnit"]["name"] == "市公安局科技信息化处"
    finally:
        other.terminate()
        other.wait(timeout=20)
        await ws.close()


async def test_events_are_judged_with_the_rights_of_now(demo, gql, served):
    known = await ids(demo)
    ws, sub = await open_subscription(served, await gql.token("operator"))
    try:
        set_roles = "mutation($i: UserRolesSetInput!) { userRolesSet(input: $i) { errors { code } } }"
        result = await gql(
            set_roles, {"i": {"userId": to_global_id("User", known["operator"]), "roleIds": []}}, as_user="secadmin"
        )
        assert result["data"]["userRolesSet"]["errors"] == []
        await rename(gql, known["D-PD"], "浦东新区数据中心")
        message = await sub.next()

        assert message["type"] == "next"
        assert message["payload"]["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    finally:
        await ws.close()


async def test_subscription_errors_are_masked(demo, gql, served, monkeypatch):
    from schema.context import Context

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("password=hunter2")

    known = await ids(demo)
    ws, sub = await open_subscription(served, await gql.token("operator"))
    monkeypatch.setattr(Context, "refresh_actor", broken)  # only the subscription path calls it
    try:
        await rename(gql, known["D-PD"], "浦东")
        message = await sub.next()
        assert message["type"] == "next"
        assert message["payload"]["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert "hunter2" not in json.dumps(message)
    finally:
        await ws.close()


async def test_a_closed_socket_leaves_no_watcher_behind(demo, gql, served, app):
    ws, _sub = await open_subscription(served, await gql.token("operator"))
    view = app.app.graphql  # RequestIdMiddleware -> _Front -> the GraphQL view
    assert len(view._watchers) == 1
    await ws.close()
    for _ in range(100):
        if not view._watchers:
            break
        await asyncio.sleep(0.02)
    assert view._watchers == {}


async def test_a_page_on_another_origin_cannot_open_a_websocket(demo, served):
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(f"ws://{served}/graphql", subprotocols=["graphql-transport-ws"], origin="https://evil.example")
    assert refused.value.response.status_code == 403
    same = await websockets.connect(f"ws://{served}/graphql", subprotocols=["graphql-transport-ws"], origin=f"http://{served}")
    await same.close()
