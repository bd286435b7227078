"""Single sign-on through the office platform simulator, end to end through GraphQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from core.audit import AuditEvent
from integrations.office_platform.client import OfficePlatformClient
from integrations.office_platform.simulator import SimClient, create_simulator, make_user
from tests.conftest import free_port

CALLBACK = "http://127.0.0.1:8000/explorer/sso-callback"
BEGIN = "mutation { ssoBegin { authorizationUrl state errors { code message } } }"
COMPLETE = """mutation($i: SsoCompleteInput!) { ssoComplete(input: $i) {
  token user { username displayName phone orgUnit { code } roles { code } } errors { code message } } }"""


@pytest.fixture
async def platform(demo: Any) -> AsyncIterator[str]:
    """The simulator on a real port, and the app's services pointed at it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    users = [
        make_user(url, "chen_jing", "Office@Test1", "陈静", phone="13900210002", email="chen.jing@pd.example.com",
                  org_code="D-PD", org_name="浦东新区大数据中心", groups=["pd-admins", "everyone"]),
        make_user(url, "stranger", "Office@Test1", "外单位", org_code="NOWHERE", groups=["everyone"]),
    ]  # fmt: skip
    app = create_simulator(url, {"govops": SimClient("govops", "sim-secret", (CALLBACK,))}, users)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    demo.office_platform = OfficePlatformClient(url, "govops", "sim-secret", CALLBACK)
    try:
        yield url
    finally:
        await demo.office_platform.close()
        demo.office_platform = None
        server.should_exit = True
        await task


async def browse(authorization_url: str, username: str) -> dict[str, str]:
    """What the browser does at the platform: sign in, come back to our callback with code and state."""
    async with httpx.AsyncClient(follow_redirects=False) as http:
        response = await http.get(httpx.URL(authorization_url).copy_add_param("login_hint", username))
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {"code": query["code"][0], "state": query["state"][0]}


async def role_id(gql: Any, code: str) -> str:
    roles = await gql("{ roles(first: 50) { edges { node { id code } } } }", as_user="secadmin")
    return next(e["node"]["id"] for e in roles["data"]["roles"]["edges"] if e["node"]["code"] == code)


async def test_first_sign_on_creates_the_user_in_the_platform_unit_with_mapped_roles(demo, gql, platform):
    mapped = await gql(
        "mutation($i: SsoRoleMappingsSetInput!) { ssoRoleMappingsSet(input: $i) { mappings { group role { code } } errors { code } } }",
        {"i": {"mappings": [{"group": "pd-admins", "roleId": await role_id(gql, "unit_admin")},
                            {"group": "everyone", "roleId": await role_id(gql, "unit_applicant")}]}},
        as_user="secadmin",
    )  # fmt: skip
    assert mapped["data"]["ssoRoleMappingsSet"]["errors"] == []
    duty = await gql(
        "mutation($i: SsoRoleMappingsSetInput!) { ssoRoleMappingsSet(input: $i) { errors { code } } }",
        {"i": {"mappings": [{"group": "everyone", "roleId": await role_id(gql, "system_admin")}]}}, as_user="secadmin",
    )  # fmt: skip
    assert duty["data"]["ssoRoleMappingsSet"]["errors"] == [{"code": "DUTY_CONFLICT"}]  # duties are never granted by sign-on

    begun = (await gql(BEGIN))["data"]["ssoBegin"]
    assert begun["errors"] == [] and "code_challenge_method=S256" in begun["authorizationUrl"]
    callback = await browse(begun["authorizationUrl"], "chen_jing")
    done = (await gql(COMPLETE, {"i": callback}))["data"]["ssoComplete"]
    assert done["errors"] == [], done
    assert done["user"]["username"] == "chen_jing" and done["user"]["displayName"] == "陈静"
    assert done["user"]["orgUnit"] == {"code": "D-PD"} and done["user"]["phone"] == "13900210002"
    assert sorted(r["code"] for r in done["user"]["roles"]) == ["unit_admin", "unit_applicant"]
    me = await gql("{ viewer { username permissions } }", token=done["token"])
    assert me["data"]["viewer"]["username"] == "chen_jing"

    replay = (await gql(COMPLETE, {"i": callback}))["data"]["ssoComplete"]  # the same callback again
    assert replay["token"] is None and replay["errors"][0]["code"] == "SSO_STATE_INVALID"

    again = (await gql(BEGIN))["data"]["ssoBegin"]  # a second sign-on finds the same user
    second = (await gql(COMPLETE, {"i": await browse(again["authorizationUrl"], "chen_jing")}))["data"]["ssoComplete"]
    assert second["errors"] == [] and second["user"]["username"] == "chen_jing"
    users = await gql('{ users(first: 5, filter: {search: "chen_jing"}) { edges { node { id } } } }', as_user="admin")
    assert len(users["data"]["users"]["edges"]) == 1
    async with demo.session_factory() as s:
        logins = list((await s.execute(select(AuditEvent).where(AuditEvent.operation == "identity.sso_login"))).scalars())
    assert [e.detail["reason"] for e in logins] == ["created", "ok"]


async def test_refused_sign_ons_change_nothing(demo, gql, platform):
    begun = (await gql(BEGIN))["data"]["ssoBegin"]
    stranger = (await gql(COMPLETE, {"i": await browse(begun["authorizationUrl"], "stranger")}))["data"]["ssoComplete"]
    assert stranger["token"] is None and stranger["errors"][0]["code"] == "SSO_UNIT_UNKNOWN"
    begun = (await gql(BEGIN))["data"]["ssoBegin"]
    callback = await browse(begun["authorizationUrl"], "chen_jing")
    forged = (await gql(COMPLETE, {"i": {**callback, "code": "not-the-code"}}))["data"]["ssoComplete"]
    assert forged["token"] is None and forged["errors"][0]["code"] == "SSO_FAILED"
    unknown = (await gql(COMPLETE, {"i": {"code": "x", "state": "never-issued"}}))["data"]["ssoComplete"]
    assert unknown["errors"][0]["code"] == "SSO_STATE_INVALID"
    found = await gql('{ users(first: 5, filter: {search: "stranger"}) { edges { node { id } } } }', as_user="admin")
    assert found["data"]["users"]["edges"] == []


async def test_a_local_account_is_never_taken_over_by_a_platform_identity(demo, gql, platform):
    async with httpx.AsyncClient() as http:  # the platform has a user called like one of ours
        made = await http.post(f"{platform}/_sim/users", json={"username": "pd_admin", "password": "Office@Test1", "name": "冒名",
                                                              "org_code": "D-PD", "groups": []})  # fmt: skip
    assert made.status_code == 200
    begun = (await gql(BEGIN))["data"]["ssoBegin"]
    refused = (await gql(COMPLETE, {"i": await browse(begun["authorizationUrl"], "pd_admin")}))["data"]["ssoComplete"]
    assert refused["token"] is None and refused["errors"][0]["code"] == "SSO_USERNAME_TAKEN"


async def test_without_a_platform_sign_on_says_it_is_not_set_up(demo, gql):
    begun = (await gql(BEGIN))["data"]["ssoBegin"]
    assert begun["authorizationUrl"] is None and begun["errors"][0]["code"] == "SSO_NOT_CONFIGURED"
