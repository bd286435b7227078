"""Third-party platforms: HMAC-SM3 signed requests running allow-listed persisted operations only;
first-party automatic persisted queries."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import orjson
from sqlalchemy import LargeBinary, select, text, type_coerce

from core.persisted import PersistedDocuments, document_id
from domain.identity.apiclients import sign
from domain.identity.models import ApiClient

DOCS = PersistedDocuments()
UPDATE = DOCS.by_name["UpdateUnitContact"]
LOOKUP = DOCS.by_name["UnitByCode"]
CREATE = """mutation($i: ApiClientCreateInput!) {
  apiClientCreate(input: $i) { apiClient { id keyId name operations status } secret errors { code field message } } }"""


async def make_client(demo: Any, gql: Any, operations: list[str]) -> dict[str, Any]:
    """The office platform's client, acting as a service account that may manage units."""
    from core.db.uow import UnitOfWork
    from domain.identity import repository as repo
    from domain.identity.service import UserData, create_user
    from domain.identity.system import system_actor

    async with UnitOfWork(demo.session_factory) as uow:
        unit = await repo.get_org_unit_by_code(uow.session, "SHBDC")
        data = UserData(
            username="office_sync", display_name="协同办公平台同步", org_unit_id=unit.id, password="Sync@Account2026!"
        )
        user = await create_user(uow, system_actor(), demo.settings, data)
        roles = {r.code: r.id for r in await repo.get_roles(uow.session, range(1, 20))}
        await repo.set_user_roles(uow.session, user.id, {roles["system_admin"]}, None, user.created_at)
    from core.ids import to_global_id

    made = await gql(CREATE, {"i": {"name": "协同办公平台", "serviceAccountId": to_global_id("User", user.id), "operations": operations}},
                     as_user="secadmin")  # fmt: skip
    payload = made["data"]["apiClientCreate"]
    assert payload["errors"] == [], payload
    return {"key": payload["apiClient"]["keyId"], "secret": payload["secret"], "id": payload["apiClient"]["id"]}


async def signed(gql: Any, client: dict[str, Any], body: dict[str, Any], *, timestamp: int | None = None,
                 nonce: str | None = None, send: bytes | None = None, secret: str | None = None) -> Any:  # fmt: skip
    """POST /graphql as a third party would: sign method, path, timestamp, nonce and the body's SM3."""
    raw = orjson.dumps(body)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    headers = {
        "Content-Type": "application/json", "X-Api-Key": client["key"], "X-Api-Timestamp": ts, "X-Api-Nonce": nonce,
        "X-Api-Signature": sign(secret or client["secret"], "POST", "/graphql", ts, nonce, raw),
    }  # fmt: skip
    return await gql.http.post("/graphql", content=send if send is not None else raw, headers=headers)


def code(response: Any) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def contact_of(demo: Any, unit_code: str) -> str | None:
    async with demo.session_factory() as s:
        return (await s.execute(text("SELECT contact_name FROM org_unit WHERE code = :c"), {"c": unit_code})).scalar_one()


async def unit_gid(gql: Any, unit_code: str) -> str:
    found = await gql("query($s: String) { orgUnits(first: 1, filter: {search: $s}) { edges { node { id } } } }",
                      {"s": unit_code}, as_user="admin")  # fmt: skip
    return found["data"]["orgUnits"]["edges"][0]["node"]["id"]


async def settle() -> None:
    await asyncio.sleep(0.2)  # the interface log is written beside the answer


async def test_a_signed_client_runs_its_allow_listed_mutation_and_nothing_else(demo, gql):
    client = await make_client(demo, gql, ["UpdateUnitContact"])
    pd = await unit_gid(gql, "D-PD")

    def call(name: str) -> dict[str, Any]:
        return {"documentId": f"sha256:{UPDATE.id}", "variables": {"input": {"id": pd, "contactName": name}}}

    ok = await signed(gql, client, call("王老师"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["orgUnitUpdate"]["orgUnit"]["contactName"] == "王老师"
    assert await contact_of(demo, "D-PD") == "王老师"

    # Each refusal has its own code and changes nothing.
    nonce = secrets.token_hex(16)
    assert (await signed(gql, client, call("李老师"), nonce=nonce)).status_code == 200
    replay = await signed(gql, client, call("赵老师"), nonce=nonce)  # the same nonce, even freshly signed
    assert (replay.status_code, code(replay)) == (401, "NONCE_REPLAYED")
    stale = await signed(gql, client, call("赵老师"), timestamp=int(time.time()) - 6 * 60)
    assert (stale.status_code, code(stale)) == (401, "TIMESTAMP_SKEW")
    tampered = await signed(gql, client, call("李老师"), send=orjson.dumps(call("赵老师")))  # body changed after signing
    assert (tampered.status_code, code(tampered)) == (401, "SIGNATURE_INVALID")
    unknown = await signed(gql, client, {"documentId": "sha256:" + "0" * 64, "variables": {}})
    assert (unknown.status_code, code(unknown)) == (403, "PERSISTED_DOCUMENT_NOT_FOUND")
    other = await signed(gql, client, {"documentId": f"sha256:{LOOKUP.id}", "variables": {"code": "D-PD"}})
    assert (other.status_code, code(other)) == (403, "OPERATION_NOT_ALLOWED")
    arbitrary = await signed(
        gql, client, {"query": UPDATE.text.replace("contactName\n", ""), "variables": call("赵老师")["variables"]}
    )
    assert (arbitrary.status_code, code(arbitrary)) == (403, "DOCUMENT_NOT_PERSISTED")
    batch = await signed(gql, client, [call("赵老师")])  # type: ignore[arg-type]
    assert batch.status_code == 400  # batches are off for everyone
    nobody = await signed(gql, {**client, "key": "ak_000000000000000000000000"}, call("赵老师"))
    assert (nobody.status_code, code(nobody)) == (401, "API_KEY_UNKNOWN")
    assert await contact_of(demo, "D-PD") == "李老师"

    for message in (replay, stale, tampered, unknown, other, arbitrary, nobody):  # clear to people too
        assert " / " in message.json()["errors"][0]["message"]

    await settle()
    from core.audit import AuditEvent

    async with demo.session_factory() as s:
        calls = (await s.execute(select(AuditEvent).where(AuditEvent.operation == "api.call").order_by(AuditEvent.id))).scalars()
        outcomes = [(e.outcome.value, e.detail.get("code")) for e in calls]
    assert [o for o, _ in outcomes].count("SUCCESS") == 2
    assert {c for o, c in outcomes if o == "DENIED"} >= {
        "NONCE_REPLAYED", "TIMESTAMP_SKEW", "SIGNATURE_INVALID", "PERSISTED_DOCUMENT_NOT_FOUND", "OPERATION_NOT_ALLOWED",
        "DOCUMENT_NOT_PERSISTED", "API_KEY_UNKNOWN",
    }  # fmt: skip


async def test_the_secret_is_sealed_rotates_and_a_disabled_client_is_refused(demo, gql):
    client = await make_client(demo, gql, ["UnitByCode"])
    async with demo.engine.connect() as conn:
        raw = (await conn.execute(select(type_coerce(ApiClient.secret, LargeBinary)))).scalar_one()
    assert client["secret"].encode() not in bytes(raw)
    listed = await gql("{ apiClients(first: 5) { edges { node { keyId operations status } } } }", as_user="secadmin")
    assert listed["data"]["apiClients"]["edges"] == [
        {"node": {"keyId": client["key"], "operations": ["UnitByCode"], "status": "ACTIVE"}}
    ]
    lookup = {"documentId": f"sha256:{LOOKUP.id}", "variables": {"code": "D-PD"}}
    found = await signed(gql, client, lookup)
    assert found.json()["data"]["orgUnits"]["edges"][0]["node"]["code"] == "D-PD"

    rotated = await gql("mutation($i: ApiClientRotateSecretInput!) { apiClientRotateSecret(input: $i) { secret errors { code } } }",
                        {"i": {"id": client["id"]}}, as_user="secadmin")  # fmt: skip
    new_secret = rotated["data"]["apiClientRotateSecret"]["secret"]
    assert new_secret and new_secret != client["secret"]
    assert code(await signed(gql, client, lookup)) == "SIGNATURE_INVALID"
    assert (await signed(gql, client, lookup, secret=new_secret)).status_code == 200

    await gql("mutation($i: ApiClientSetStatusInput!) { apiClientSetStatus(input: $i) { errors { code } } }",
              {"i": {"id": client["id"], "status": "DISABLED"}}, as_user="secadmin")  # fmt: skip
    assert code(await signed(gql, client, lookup, secret=new_secret)) == "API_CLIENT_DISABLED"

    bad = await gql("mutation($i: ApiClientUpdateInput!) { apiClientUpdate(input: $i) { errors { code field } } }",
                    {"i": {"id": client["id"], "operations": ["DropEverything"]}}, as_user="secadmin")  # fmt: skip
    assert bad["data"]["apiClientUpdate"]["errors"] == [{"code": "UNKNOWN_OPERATION", "field": "operations"}]
    bind = "mutation($i: ApiClientUpdateInput!) { apiClientUpdate(input: $i) { apiClient { platforms } errors { code field } } }"
    unknown = await gql(bind, {"i": {"id": client["id"], "platforms": ["carrier_mars"]}}, as_user="secadmin")
    assert unknown["data"]["apiClientUpdate"]["errors"] == [{"code": "INVALID_INPUT", "field": "platforms"}]
    bound = await gql(bind, {"i": {"id": client["id"], "platforms": ["carrier_mobile", "wireless_support"]}}, as_user="secadmin")
    assert bound["data"]["apiClientUpdate"]["apiClient"]["platforms"] == ["carrier_mobile", "wireless_support"]
    catalogue = await gql("{ integrationPlatforms { name label } }", as_user="secadmin")
    assert {"name": "carrier_mobile", "label": "中国移动"} in catalogue["data"]["integrationPlatforms"]
    denied = await gql("{ apiClients(first: 5) { edges { node { keyId } } } }", as_user="admin")  # another duty
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_automatic_persisted_queries_miss_then_hit(demo, gql):
    token = await gql.token("operator")
    query = f"query Me {{ viewer {{ username }} }} # {secrets.token_hex(8)}"  # new each run: Redis outlives runs
    sha = document_id(query)
    ext = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    headers = {"Authorization": f"Bearer {token}"}
    miss = await gql.http.post("/graphql", json={"extensions": ext}, headers=headers)
    assert miss.status_code == 200
    assert miss.json()["errors"][0] == {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    wrong = await gql.http.post("/graphql", json={"query": query + " ", "extensions": ext}, headers=headers)
    assert (wrong.status_code, code(wrong)) == (400, "PERSISTED_QUERY_HASH_MISMATCH")
    first = await gql.http.post("/graphql", json={"query": query, "extensions": ext}, headers=headers)
    assert first.json()["data"] == {"viewer": {"username": "operator"}}
    hit = await gql.http.post("/graphql", json={"extensions": ext}, headers=headers)
    assert hit.json()["data"] == {"viewer": {"username": "operator"}}
    trusted = await gql.http.post(
        "/graphql", json={"documentId": f"sha256:{LOOKUP.id}", "variables": {"code": "D-PD"}}, headers=headers
    )
    assert trusted.json()["data"]["orgUnits"]["edges"][0]["node"]["code"] == "D-PD"


def test_every_persisted_document_is_valid_against_the_schema():
    from graphql import parse, validate

    from core.settings import Profile, Settings
    from schema.root import build_schema

    schema = build_schema(Settings(profile=Profile.DEMO))._schema
    assert DOCS.by_name, "operations/ holds no documents"
    for doc in DOCS.by_id.values():
        assert validate(schema, parse(doc.text)) == [], doc.path
        assert doc.id == document_id(doc.text)
