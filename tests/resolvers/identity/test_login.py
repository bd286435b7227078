"""Login, logout, lockout and the viewer."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import AuditEvent
from domain.identity.models import AccessToken

VIEWER = "{ viewer { username orgUnit { name } roles { name } permissions } }"


async def test_login_then_viewer_answers(demo, gql):
    payload = await gql.login("admin")
    assert payload["errors"] == []
    assert payload["user"] == {"username": "admin"}
    result = await gql(VIEWER, token=payload["token"])
    assert result["data"]["viewer"]["username"] == "admin"
    assert result["data"]["viewer"]["orgUnit"] == {"name": "上海市大数据中心"}
    assert result["data"]["viewer"]["roles"] == [{"name": "系统管理员"}]
    assert "identity.manage_users" in result["data"]["viewer"]["permissions"]


async def test_token_is_stored_only_as_a_keyed_digest_and_a_forged_row_authenticates_nobody(demo, gql):
    token = (await gql.login("admin"))["token"]
    async with demo.session_factory() as s:
        rows = list((await s.execute(select(AccessToken))).scalars())
    hashes = [r.token_hash for r in rows]
    assert token not in hashes
    from core.crypto import sm3_hex
    from core.integrity import token_digest

    assert token_digest(token) in hashes and sm3_hex(token) not in hashes
    # Someone with write access to the table adds a token they know, digested without the master key.
    forged = "f" * 43
    async with demo.session_factory() as s, s.begin():
        row = rows[0]
        s.add(AccessToken(user_id=row.user_id, token_hash=sm3_hex(forged), created_at=row.created_at, expires_at=row.expires_at))
    refused = await gql("{ viewer { username } }", token=forged)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_wrong_password_gives_one_message_for_both_cases(demo, gql):
    wrong = await gql.login("admin", "nope")
    unknown = await gql.login("nobody", "nope")
    assert (
        wrong["errors"]
        == unknown["errors"]
        == [{"code": "INVALID_CREDENTIALS", "field": None, "message": "用户名或密码错误 / Wrong username or password"}]
    )
    assert wrong["token"] is None


async def test_five_wrong_passwords_lock_the_account(demo, gql):
    for _ in range(5):
        assert (await gql.login("operator", "wrong-password"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    locked = await gql.login("operator")  # the right password no longer helps
    assert locked["errors"][0]["code"] == "ACCOUNT_LOCKED"
    assert locked["token"] is None
    async with demo.session_factory() as s:
        outcomes = list(
            (
                await s.execute(select(AuditEvent.detail).where(AuditEvent.operation == "identity.login").order_by(AuditEvent.id))
            ).scalars()
        )
    assert [o["reason"] for o in outcomes] == ["wrong_password"] * 4 + ["locked_now", "locked"]


async def test_logout_revokes_the_token(demo, gql):
    token = (await gql.login("admin"))["token"]
    assert (await gql("mutation { logout { errors { code } } }", token=token))["data"]["logout"]["errors"] == []
    result = await gql(VIEWER, token=token)
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_concurrent_wrong_passwords_all_count(demo, gql):
    import asyncio

    await asyncio.gather(*(gql.login("operator", f"wrong-{i}") for i in range(8)))
    assert (await gql.login("operator"))["errors"][0]["code"] == "ACCOUNT_LOCKED"


async def test_a_locked_account_tells_only_someone_with_the_password(demo, gql):
    for _ in range(5):
        await gql.login("operator", "wrong-password")
    guess = await gql.login("operator", "another-guess")
    assert guess["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await gql.login("operator"))["errors"][0]["code"] == "ACCOUNT_LOCKED"
