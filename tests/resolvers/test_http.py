"""The HTTP surface: GET and POST, limits, error masking, health, readiness and metrics."""

from __future__ import annotations

import pytest

from domain.identity import repository


async def test_get_serves_queries_but_not_mutations(demo, gql):
    token = await gql.token("admin")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    ok = await gql.http.get("/graphql", params={"query": "{ viewer { username } }"}, headers=headers)
    assert ok.json() == {"data": {"viewer": {"username": "admin"}}, "extensions": {"cost": 2}}
    refused = await gql.http.get("/graphql", params={"query": "mutation { logout { errors { code } } }"}, headers=headers)
    assert refused.status_code == 400
    assert refused.text == "mutations are not allowed when using GET"


async def test_every_response_carries_a_request_id(demo, gql):
    response = await gql.http.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "trace-12345678"})
    assert response.headers["x-request-id"] == "trace-12345678"
    other = await gql.http.post("/graphql", json={"query": "{ __typename }"})
    assert len(other.headers["x-request-id"]) == 32


async def test_unexpected_errors_are_masked_with_the_request_id(demo, gql, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("secret connection string postgres://root:pw@db")

    monkeypatch.setattr(repository, "list_users", broken)
    token = await gql.token("admin")
    response = await gql.http.post(
        "/graphql", json={"query": "{ users { edges { node { username } } } }"},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-abcdef12"},
    )  # fmt: skip
    error = response.json()["errors"][0]
    assert error["message"] == "服务器内部错误，请联系管理员并提供请求编号 / Internal error; quote the request id to support"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-abcdef12"}
    assert "secret" not in response.text


async def test_validation_errors_stay_readable(demo, gql):
    result = await gql("{ viewer { nope } }", as_user="admin")
    assert result["errors"][0]["message"] == "Cannot query field 'nope' on type 'Viewer'."


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ users(first: 101) { totalCount } }", "分页参数无效 / first must be between 1 and 100"),
        ('{ users(after: "%%%") { totalCount } }', "无效的分页游标 / Invalid cursor"),
        ('{ node(id: "bm9wZQ") { id } }', "无效的ID / Invalid id: bm9wZQ"),
    ],
)
async def test_bad_arguments_get_bad_user_input(demo, gql, query, message):
    result = await gql(query, as_user="admin")
    if "node(" in query:  # an unknown id is simply not found
        assert result == {"data": {"node": None}, "extensions": {"cost": 2}}
        return
    assert result["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert result["errors"][0]["message"] == message


async def test_depth_and_alias_limits(demo, gql):
    deep = "{ viewer { orgUnit " + "{ parent " * 12 + "{ name }" + " }" * 12 + " } }"
    result = await gql(deep, as_user="admin")
    assert "exceeds maximum operation depth" in result["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: viewer {{ username }}" for i in range(31)) + " }"
    result = await gql(aliases, as_user="admin")
    assert "aliases found" in result["errors"][0]["message"]


async def test_keyset_pagination_walks_every_user_once(demo, gql):
    seen, after = [], None
    while True:
        page = await gql("query($a: String) { users(first: 7, after: $a) { edges { node { username } } pageInfo { hasNextPage endCursor } } }",
                         {"a": after}, as_user="admin")  # fmt: skip
        data = page["data"]["users"]
        seen += [e["node"]["username"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 65


async def test_health_readiness_and_metrics(services, gql):
    assert (await gql.http.get("/healthz")).json() == {"status": "ok"}
    ready = await gql.http.get("/readyz")
    assert ready.status_code == 200
    expected = {"database": "ok"} | ({"redis": "ok"} if services.settings.redis_url else {})
    assert ready.json() == {"status": "ok", "checks": expected}
    await gql.http.post("/graphql", json={"query": "{ __typename }"})
    metrics = (await gql.http.get("/metrics")).text
    assert 'govops_http_requests_total{path="/graphql",status="200"}' in metrics


async def test_the_explorer_page_is_served_to_browsers(services, gql):
    page = await gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/explorer/explorer.js" in page.text


async def test_security_headers_on_every_response(services, gql):
    for response in (await gql.http.get("/healthz"), await gql.http.post("/graphql", json={"query": "{ __typename }"})):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"


SMOKE = "{ users(first: 50) { edges { node { username orgUnit { name parent { name } } roles { name } } } } }"
HEAVY = "users(first: 100) { edges { node { username orgUnit { name parent { name parent { name } } } roles { name permissions { code name description } } } } }"


async def test_every_answer_reports_its_cost(demo, gql):
    result = await gql(SMOKE, as_user="admin")
    assert result["extensions"] == {"cost": 451}  # 1 + 50 x (edges + node + username + 4 for the unit + 2 for roles)
    by_variable = await gql("query($n: Int!) { users(first: $n) { edges { node { username } } } }", {"n": 7}, as_user="admin")
    assert by_variable["extensions"] == {"cost": 1 + 7 * 3}
    defaulted = await gql("{ users { totalCount } }", as_user="admin")
    assert defaulted["extensions"] == {"cost": 1 + 20 * 1}


async def test_a_query_over_the_cost_limit_is_refused_before_execution(demo, gql):
    from sqlalchemy import event

    query = "{ " + " ".join(f"a{i}: {HEAVY}" for i in range(14)) + " }"
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])
    event.listen(demo.engine.sync_engine, "before_cursor_execute", listener)
    try:
        token = await gql.token("admin")
        statements.clear()
        result = await gql(query, token=token)
    finally:
        event.remove(demo.engine.sync_engine, "before_cursor_execute", listener)
    assert result["data"] is None
    error = result["errors"][0]
    assert error["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 14 * 1501, "limit": 20_000}
    assert error["message"] == "查询代价 21014 超过上限 20000 / Query cost 21014 exceeds the limit 20000"
    assert not [s for s in statements if "user_account" in s and "token_hash" not in s]  # authentication only


async def test_production_hides_the_schema_from_anonymous_callers(demo):
    import httpx

    from server import create_app

    settings = demo.settings.model_copy(update={"anonymous_introspection": False})
    app = create_app(settings, demo)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        introspect = {"query": "{ __schema { queryType { name } } }"}
        anonymous = (await http.post("/graphql", json=introspect)).json()
        assert "introspection" in anonymous["errors"][0]["message"].lower()
        login = (await http.post("/graphql", json={
            "query": "mutation($i: LoginInput!) { login(input: $i) { token } }",
            "variables": {"i": {"username": "admin", "password": "Test@Passw0rd!"}},
        })).json()  # fmt: skip
        token = login["data"]["login"]["token"]
        known = (await http.post("/graphql", json=introspect, headers={"Authorization": f"Bearer {token}"})).json()
        assert known["data"] == {"__schema": {"queryType": {"name": "Query"}}}
