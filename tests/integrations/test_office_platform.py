"""The office-platform OIDC client against the simulator served by a real uvicorn server (no database needed)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from joserfc import jwt
from starlette.applications import Starlette

from integrations.office_platform.client import AuthorizationRequest, OfficeIdentity, OfficePlatformClient, OfficePlatformError
from integrations.office_platform.simulator import (
    FORGE_MODES,
    SimClient,
    SimulatorState,
    create_simulator,
    make_user,
    new_signing_key,
    s256,
    stable_sub,
)

CLIENT_ID, SECRET = "govops", "govops-test-secret"
CALLBACK = "http://127.0.0.1:8000/auth/office/callback"
PASSWORD = "Office@Test1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Platform:
    """The served simulator, a plain HTTP client playing the browser, and helpers for the control endpoints."""

    url: str
    app: Starlette
    http: httpx.AsyncClient

    @property
    def sim(self) -> SimulatorState:
        return self.app.state.sim

    def client(self, **kwargs: Any) -> OfficePlatformClient:
        return OfficePlatformClient(self.url, CLIENT_ID, kwargs.pop("secret", SECRET), CALLBACK, **kwargs)

    async def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post(f"/_sim/{path}", json=body or {})
        assert response.status_code == 200, response.text
        return response.json()

    async def state(self) -> dict[str, Any]:
        return (await self.http.get("/_sim/state")).json()

    async def authorize(self, request: AuthorizationRequest, username: str = "pd_admin") -> tuple[str, str]:
        """What the browser does: open the authorization URL, get redirected back with code and state."""
        response = await self.http.get(httpx.URL(request.url).copy_add_param("login_hint", username))
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert location.startswith(CALLBACK + "?")
        query = parse_qs(urlsplit(location).query)
        assert "error" not in query, query
        return query["code"][0], query["state"][0]

    async def login(self, client: OfficePlatformClient, username: str = "pd_admin") -> OfficeIdentity:
        request = await client.begin()
        code, state = await self.authorize(request, username)
        return await client.complete(request, code, state)


@pytest.fixture
async def platform() -> AsyncIterator[Platform]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    users = [
        make_user(url, "pd_admin", PASSWORD, "陈静", email="pd_admin@office.example.com", phone="13900210002",
                  org_code="D-PD", org_name="浦东新区大数据中心", groups=["单位管理员", "unit_admin"]),
    ]  # fmt: skip
    app = create_simulator(url, {CLIENT_ID: SimClient(CLIENT_ID, SECRET, (CALLBACK,))}, users)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the simulator did not start"
        await asyncio.sleep(0.01)
    try:
        async with httpx.AsyncClient(base_url=url, follow_redirects=False, timeout=10) as http:
            yield Platform(url, app, http)
    finally:
        server.should_exit = True
        await task


# --- the flow ------------------------------------------------------------------------------------------------------


async def test_discovery_document(platform: Platform):
    meta = (await platform.http.get("/.well-known/openid-configuration")).json()
    assert meta["issuer"] == platform.url
    assert meta["authorization_endpoint"] == f"{platform.url}/authorize"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert meta["response_types_supported"] == ["code"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert meta["scopes_supported"] == ["openid", "profile", "email", "phone", "org"]
    keys = (await platform.http.get("/jwks")).json()["keys"]
    assert [k["kid"] for k in keys] == [platform.sim.key.kid]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]  # the public half only


async def test_full_flow_returns_the_platform_identity(platform: Platform):
    async with platform.client() as client:
        request = await client.begin()
        query = parse_qs(urlsplit(request.url).query)
        assert query["code_challenge"] == [s256(request.code_verifier)]
        assert query["code_challenge_method"] == ["S256"]
        assert query["state"] == [request.state] and query["nonce"] == [request.nonce]
        assert request.state != request.nonce and len(request.code_verifier) >= 43
        code, state = await platform.authorize(request)
        identity = await client.complete(request, code, state)
    assert identity == OfficeIdentity(
        subject=stable_sub(platform.url, "pd_admin"), username="pd_admin", display_name="陈静",
        email="pd_admin@office.example.com", phone="13900210002", org_code="D-PD", org_name="浦东新区大数据中心",
        groups=("单位管理员", "unit_admin"),
    )  # fmt: skip
    state_ = await platform.state()
    assert (state_["codes_issued"], state_["codes_redeemed"], state_["tokens_issued"]) == (1, 1, 1)
    assert "userinfo" not in state_["requests"]  # the ID token carried the org claims


async def test_each_begin_is_fresh_and_discovery_is_cached(platform: Platform):
    async with platform.client() as client:
        a, b = await client.begin(), await client.begin()
        assert len({a.state, b.state, a.nonce, b.nonce, a.code_verifier, b.code_verifier}) == 6
    assert (await platform.state())["requests"] == {"discovery": 1, "jwks": 1}


async def test_login_form_when_there_is_no_login_hint(platform: Platform):
    async with platform.client() as client:
        request = await client.begin()
        form = await platform.http.get(request.url)
        assert form.status_code == 200 and '<form method="post"' in form.text and "code_challenge" in form.text
        fields = dict(parse_qs(urlsplit(request.url).query, keep_blank_values=True))
        fields = {k: v[0] for k, v in fields.items()}
        wrong = await platform.http.post("/authorize", data={**fields, "username": "pd_admin", "password": "nope"})
        assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
        right = await platform.http.post("/authorize", data={**fields, "username": "pd_admin", "password": PASSWORD})
        assert right.status_code == 302
        query = parse_qs(urlsplit(right.headers["location"]).query)
        identity = await client.complete(request, query["code"][0], query["state"][0])
    assert identity.username == "pd_admin"


async def test_added_user_keeps_its_subject_when_replaced(platform: Platform):
    body = {
        "username": "ga_user",
        "password": "pw",
        "name": "刘洋",
        "org_code": "B-GA",
        "org_name": "市公安局",
        "groups": ["unit_applicant"],
    }
    first = await platform.control("users", body)
    assert first["replaced"] is False
    second = await platform.control("users", {**body, "name": "刘洋洋", "groups": ["unit_admin"]})
    assert second["replaced"] is True and second["sub"] == first["sub"]
    async with platform.client() as client:
        identity = await platform.login(client, "ga_user")
    assert (identity.subject, identity.display_name, identity.org_code, identity.groups) == (
        first["sub"],
        "刘洋洋",
        "B-GA",
        ("unit_admin",),
    )
    bad = await platform.http.post("/_sim/users", json={"username": "x", "password": "y", "groups": "admins"})
    assert bad.status_code == 400


async def test_org_claims_fall_back_to_userinfo(platform: Platform):
    await platform.control("config", {"id_token_org_claims": False})
    async with platform.client() as client:
        identity = await platform.login(client)
    assert (identity.org_code, identity.org_name, identity.groups) == ("D-PD", "浦东新区大数据中心", ("单位管理员", "unit_admin"))
    assert (await platform.state())["requests"]["userinfo"] == 1


# --- refusals ------------------------------------------------------------------------------------------------------


async def test_wrong_code_verifier_is_refused(platform: Platform):
    async with platform.client() as client:
        request = await client.begin()
        code, state = await platform.authorize(request)
        other = await client.begin()
        with pytest.raises(OfficePlatformError) as caught:
            await client.complete(dataclasses.replace(request, code_verifier=other.code_verifier), code, state)
    assert caught.value.code == "TOKEN_REFUSED" and "invalid_grant" in (caught.value.detail or "")
    assert (await platform.state())["tokens_issued"] == 0


async def test_code_used_twice_is_refused_and_revokes_its_tokens(platform: Platform):
    async with platform.client() as client:
        request = await client.begin()
        code, state = await platform.authorize(request)
        await client.complete(request, code, state)
        with pytest.raises(OfficePlatformError) as caught:
            await client.complete(request, code, state)
    assert caught.value.code == "TOKEN_REFUSED" and "invalid_grant" in (caught.value.detail or "")
    state_ = await platform.state()
    assert (state_["code_replays"], state_["tokens_revoked"], state_["tokens_active"]) == (1, 1, 0)


async def test_replay_revokes_the_access_token_at_userinfo(platform: Platform):
    """The same exchange by hand, with client_secret_post, to watch the first access token die (RFC 6749 §4.1.2)."""
    async with platform.client() as client:
        request = await client.begin()
    code, _state = await platform.authorize(request)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": request.code_verifier,
            "client_id": CLIENT_ID, "client_secret": SECRET}  # fmt: skip
    first = await platform.http.post("/token", data=form)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    token = first.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    info = await platform.http.get("/userinfo", headers=bearer)
    assert info.status_code == 200 and info.json()["org_code"] == "D-PD"
    again = await platform.http.post("/token", data=form)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert (await platform.http.get("/userinfo", headers=bearer)).status_code == 401


async def test_code_is_bound_to_client_redirect_uri_and_expires(platform: Platform):
    other = SimClient("other", "other-secret", (CALLBACK,))
    platform.sim.clients[other.client_id] = other
    async with platform.client() as client:
        request = await client.begin()
    code, _ = await platform.authorize(request)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": request.code_verifier}
    basic = httpx.BasicAuth(CLIENT_ID, SECRET)
    stranger = await platform.http.post("/token", data=form, auth=httpx.BasicAuth("other", "other-secret"))
    assert stranger.json()["error"] == "invalid_grant"
    elsewhere = await platform.http.post("/token", data={**form, "redirect_uri": CALLBACK + "/x"}, auth=basic)
    assert elsewhere.json()["error"] == "invalid_grant"
    wrong_secret = await platform.http.post("/token", data=form, auth=httpx.BasicAuth(CLIENT_ID, "guess"))
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    await platform.control("config", {"clock_skew": 61})  # the code lives 60 s
    late = await platform.http.post("/token", data=form, auth=basic)
    assert late.json()["error"] == "invalid_grant" and "过期" in late.json()["error_description"]


async def test_wrong_client_secret_is_token_refused(platform: Platform):
    async with platform.client(secret="not-the-secret") as client:
        request = await client.begin()
        code, state = await platform.authorize(request)
        with pytest.raises(OfficePlatformError) as caught:
            await client.complete(request, code, state)
    assert caught.value.code == "TOKEN_REFUSED" and "invalid_client" in (caught.value.detail or "")


async def test_state_mismatch_is_refused_before_any_exchange(platform: Platform):
    async with platform.client() as client:
        request = await client.begin()
        code, _state = await platform.authorize(request)
        with pytest.raises(OfficePlatformError) as caught:
            await client.complete(request, code, "forged-state")
    assert caught.value.code == "STATE_MISMATCH"
    assert "state" in caught.value.message and " / " in caught.value.message
    assert (await platform.state())["codes_redeemed"] == 0


@pytest.mark.parametrize("mode", FORGE_MODES)
async def test_bad_id_tokens_are_refused(platform: Platform, mode: str):
    await platform.control("forge-id-token", {"mode": mode})
    async with platform.client() as client:
        with pytest.raises(OfficePlatformError) as caught:
            await platform.login(client)
        assert caught.value.code == "INVALID_ID_TOKEN", caught.value
        assert (await platform.login(client)).username == "pd_admin"  # the switch was for one token only


async def test_verify_id_token_directly(platform: Platform):
    """The validation helper on its own: a good token, then the same token altered or signed by a stranger."""
    sim = platform.sim
    now = int(time.time())
    claims = {"iss": platform.url, "sub": "u-1", "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": "n-1"}
    good = jwt.encode({"alg": "RS256", "kid": sim.key.kid}, claims, sim.key, algorithms=["RS256"])
    async with platform.client() as client:
        assert (await client.verify_id_token(good, nonce="n-1"))["sub"] == "u-1"
        head, _payload, signature = good.split(".")
        altered = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "admin"}).encode()).rstrip(b"=").decode()
        stranger = new_signing_key()
        forged = jwt.encode({"alg": "RS256", "kid": sim.key.kid}, claims, stranger, algorithms=["RS256"])
        for token, nonce in [
            (f"{head}.{altered}.{signature}", "n-1"),
            (forged, "n-1"),
            (good, "other-nonce"),
            ("not.a.jwt", "n-1"),
        ]:
            with pytest.raises(OfficePlatformError) as caught:
                await client.verify_id_token(token, nonce=nonce)
            assert caught.value.code == "INVALID_ID_TOKEN"
        late = {**claims, "iat": now - 3600, "exp": now - 20}  # within the 30 s leeway
        assert await client.verify_id_token(jwt.encode({"alg": "RS256", "kid": sim.key.kid}, late, sim.key), nonce="n-1")


async def test_key_rotation_is_followed_by_a_jwks_refetch(platform: Platform):
    async with platform.client() as client:
        await platform.login(client)
        rotated = await platform.control("rotate-key")
        assert rotated["retired"] != rotated["kid"]
        keys = (await platform.http.get("/jwks")).json()["keys"]
        assert [k["kid"] for k in keys] == [rotated["kid"]]
        assert (await platform.login(client)).username == "pd_admin"
    assert (await platform.state())["requests"]["jwks"] == 3  # first load, the client's refetch, our own look above


# --- failures ------------------------------------------------------------------------------------------------------


async def test_token_endpoint_error_then_recovery(platform: Platform):
    await platform.control("fail", {"endpoint": "token", "mode": "error", "status": 500, "count": 1})
    async with platform.client() as client:
        with pytest.raises(OfficePlatformError) as caught:
            await platform.login(client)
        assert caught.value.code == "PLATFORM_ERROR"
        assert caught.value.message == "协同办公平台返回了错误 / The office platform returned an error"
        assert (await platform.login(client)).username == "pd_admin"


async def test_token_endpoint_hang_then_recovery(platform: Platform):
    await platform.control("fail", {"endpoint": "token", "mode": "hang", "seconds": 3, "count": 1})
    async with platform.client(timeout=0.5) as client:
        with pytest.raises(OfficePlatformError) as caught:
            await platform.login(client)
        assert caught.value.code == "UNREACHABLE"
        assert caught.value.message == "协同办公平台不可达 / The office platform is unreachable"
        assert (await platform.login(client)).username == "pd_admin"


async def test_discovery_failure_and_an_unreachable_platform(platform: Platform):
    await platform.control("fail", {"endpoint": "discovery", "count": 1, "status": 503})
    async with platform.client() as client:
        with pytest.raises(OfficePlatformError) as caught:
            await client.begin()
        assert caught.value.code == "PLATFORM_ERROR"
        assert (await client.begin()).url.startswith(f"{platform.url}/authorize?")
    async with OfficePlatformClient(f"http://127.0.0.1:{free_port()}", CLIENT_ID, SECRET, CALLBACK, timeout=2) as nowhere:
        with pytest.raises(OfficePlatformError) as caught:
            await nowhere.begin()
        assert caught.value.code == "UNREACHABLE"


async def test_fail_rule_can_be_cleared(platform: Platform):
    armed = await platform.control("fail", {"endpoint": "jwks", "count": 3})
    assert armed["failures"]["jwks"]["remaining"] == 3
    assert (await platform.control("fail", {"endpoint": "jwks", "count": 0}))["failures"] == {}
    assert (await platform.http.post("/_sim/fail", json={"endpoint": "nowhere"})).status_code == 400


# --- the authorization endpoint's own checks ------------------------------------------------------------------------


async def test_unregistered_redirect_uri_gets_a_400_page_not_a_redirect(platform: Platform):
    async with platform.client() as client:
        request = await client.begin()
    url = httpx.URL(request.url)
    for bad in (url.copy_set_param("redirect_uri", "https://evil.example.com/cb"), url.copy_set_param("client_id", "nobody")):
        response = await platform.http.get(bad.copy_add_param("login_hint", "pd_admin"))
        assert response.status_code == 400 and "location" not in response.headers
    assert (await platform.state())["codes_issued"] == 0


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"scope": "profile org"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"login_hint": "nobody"}, "access_denied"),
    ],
)
async def test_authorize_errors_go_back_to_the_client(platform: Platform, change: dict[str, str | None], error: str):
    async with platform.client() as client:
        request = await client.begin()
    url = httpx.URL(request.url).copy_add_param("login_hint", "pd_admin")
    for name, value in change.items():
        url = url.copy_remove_param(name) if value is None else url.copy_set_param(name, value)
    response = await platform.http.get(url)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == [error] and query["state"] == [request.state] and "code" not in query


def test_simulator_runs_as_a_module(tmp_path):
    port = free_port()
    log = tmp_path / "sim.log"
    cmd = [sys.executable, "-m", "integrations.office_platform.simulator", "--host", "127.0.0.1", "--port", str(port)]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                meta = httpx.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=1).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        assert meta["issuer"] == f"http://127.0.0.1:{port}"
        users = httpx.get(f"http://127.0.0.1:{port}/_sim/state", timeout=2).json()["users"]
        assert "pd_admin" in users
    finally:
        proc.terminate()
        proc.wait(timeout=10)
