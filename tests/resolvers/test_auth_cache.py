"""The auth cache (domain/identity/authcache.py): a verified token is not read again for a few seconds, and whatever
changes the answer (logout, a disabled account, new grants) ends its entry through the bus, long before it expires."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.ids import to_global_id
from domain.identity.actor import Actor
from domain.identity.authcache import AuthCache
from domain.identity.enums import OrgUnitKind
from domain.identity.models import User
from tests.resolvers.test_read_path import StatementCounter

VIEWER = "{ viewer { username permissions } }"


@pytest.fixture
def cached(demo: Any) -> Iterator[Any]:
    """The demo with a 30-second auth cache: only the bus can end an entry within a test."""
    before = demo.auth_cache
    demo.auth_cache = AuthCache(30)
    yield demo
    demo.auth_cache = before


async def user_id(services: Any, username: str) -> int:
    async with services.session_factory() as s:
        return int((await s.execute(select(User.id).where(User.username == username))).scalar_one())


async def eventually(check: Any, seconds: float = 3.0) -> Any:
    """The first truthy answer of `check()`, polled until `seconds` pass (the bus delivers in milliseconds)."""
    for _ in range(int(seconds / 0.02)):
        answer = await check()
        if answer:
            return answer
        await asyncio.sleep(0.02)
    return await check()


async def test_a_verified_token_is_not_read_again_within_the_window(cached, gql):
    token = await gql.token("pd_user")
    assert (await gql(VIEWER, token=token))["data"]["viewer"]["username"] == "pd_user"
    assert len(cached.auth_cache) == 1
    with StatementCounter(cached.engine) as hit:
        assert (await gql(VIEWER, token=token))["data"]["viewer"]["username"] == "pd_user"
    cached.auth_cache.clear()
    with StatementCounter(cached.engine) as miss:
        assert (await gql(VIEWER, token=token))["data"]["viewer"]["username"] == "pd_user"
    assert hit.count < miss.count, (hit.count, miss.count)


async def test_logout_ends_the_entry_at_once(cached, gql):
    token = (await gql.login("pd_user"))["token"]
    assert (await gql(VIEWER, token=token))["data"]["viewer"]["username"] == "pd_user"
    assert (await gql("mutation { logout { errors { code } } }", token=token))["data"]["logout"]["errors"] == []

    async def refused() -> bool:
        result = await gql(VIEWER, token=token)
        return result["data"] is None and result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    assert await eventually(refused)
    assert len(cached.auth_cache) == 0  # forgotten, and a revoked token is never kept


async def test_a_disabled_account_is_refused_at_once(cached, gql):
    token = await gql.token("pd_user")
    assert (await gql(VIEWER, token=token))["data"]["viewer"]["username"] == "pd_user"
    disable = "mutation($i: UserSetStatusInput!) { userSetStatus(input: $i) { errors { code } } }"
    target = to_global_id("User", await user_id(cached, "pd_user"))
    assert (await gql(disable, {"i": {"id": target, "status": "DISABLED"}}, as_user="admin"))["data"]["userSetStatus"][
        "errors"
    ] == []

    async def refused() -> bool:
        result = await gql(VIEWER, token=token)
        return bool(result.get("errors")) and result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    assert await eventually(refused)


async def test_new_grants_take_effect_at_once(cached, gql):
    token = await gql.token("pd_user")
    before = (await gql(VIEWER, token=token))["data"]["viewer"]["permissions"]
    assert "workorders.view_work_orders" in before
    roles_set = "mutation($i: UserRolesSetInput!) { userRolesSet(input: $i) { errors { code } } }"
    target = to_global_id("User", await user_id(cached, "pd_user"))
    done = await gql(roles_set, {"i": {"userId": target, "roleIds": []}}, as_user="secadmin")
    assert done["data"]["userRolesSet"]["errors"] == []

    async def without() -> bool:
        return (await gql(VIEWER, token=token))["data"]["viewer"]["permissions"] == []

    assert await eventually(without)


def actor(token_id: int, expires_in: timedelta, user_id: int = 7) -> Actor:
    return Actor(
        user_id=user_id, username="u", display_name="U", org_unit_id=1, unit_kind=OrgUnitKind.ACCESS_UNIT, unit_path="1/2/",
        permissions=frozenset({"p"}), token_id=token_id, token_expires_at=utcnow() + expires_in, client_ip="10.0.0.1",
    )  # fmt: skip


def test_the_cache_honours_expiry_its_window_and_every_way_to_forget():
    now = utcnow()
    cache = AuthCache(30)
    cache.put("expired", actor(1, timedelta(seconds=-1)))
    assert cache.get("expired", now, "10.0.0.1") is None and len(cache) == 0
    cache.put("a", actor(2, timedelta(hours=1)))
    assert cache.get("a", now, "10.0.0.2").client_ip == "10.0.0.2"  # the entry answers as this request's address
    assert cache.get("a", now, "10.0.0.1").client_ip == "10.0.0.1"
    cache.put("b", actor(3, timedelta(hours=1), user_id=8))
    cache.forget_token(2)
    assert cache.get("a", now, None) is None and cache.get("b", now, None) is not None
    cache.forget_user(8)
    assert cache.get("b", now, None) is None
    cache.put("c", actor(4, timedelta(hours=1)))
    cache.clear()
    assert len(cache) == 0
    off = AuthCache(0)
    off.put("d", actor(5, timedelta(hours=1)))
    assert len(off) == 0
    short = AuthCache(1e-9)
    short.put("e", actor(6, timedelta(hours=1)))
    assert short.get("e", now, None) is None  # past its window
