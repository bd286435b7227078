"""The fast read path: same answers as graphql-core's own completion, constant statements per list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

import schema.executor as executor
from core.ids import to_global_id

QUERIES = [
    "{ users(first: 50) { totalCount edges { cursor node { id username displayName status createdAt orgUnit { id name kind parent { name code } } roles { name code duty unitKind permissions { code name } } } } pageInfo { hasNextPage endCursor startCursor } } }",
    "{ orgUnits(first: 40) { edges { node { __typename code status parent { parent { code } } } } } }",
    "{ viewer { id username orgUnit { name parent { name } } roles { code } permissions } }",
    "{ roles { edges { node { code builtIn permissions { code } } } } }",
    "{ accessTokens { edges { node { createdAt user { username orgUnit { code } } } } } }",
    "query($id: ID!) { node(id: $id) { id ... on User { username orgUnit { code parent { code } } } } }",
]


async def both_ways(gql: Any, query: str, user: str, variables: dict[str, Any] | None = None) -> tuple[Any, Any]:
    executor.ENABLED = True
    fast = await gql(query, variables, as_user=user)
    executor.ENABLED = False
    try:
        slow = await gql(query, variables, as_user=user)
    finally:
        executor.ENABLED = True
    return fast, slow


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("user", ["admin", "pd_admin"])
async def test_compiled_completion_answers_like_graphql_core(demo, gql, query, user):
    fast, slow = await both_ways(gql, query, user, {"id": to_global_id("User", 5)})
    assert fast == slow
    assert "errors" not in fast, fast


class StatementCounter:
    def __init__(self, engine: Any) -> None:
        self.count = 0
        self.engine = engine.sync_engine

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any) -> None:
        self.count += 1


@pytest.mark.parametrize(
    "query",
    [
        "query($n: Int!) { users(first: $n) { edges { node { username orgUnit { name parent { name } } roles { name permissions { code } } } } } }",
        "query($n: Int!) { orgUnits(first: $n) { totalCount edges { node { code parent { code parent { code } } } } } }",
        "query($n: Int!) { accessTokens(first: $n, filter: {activeOnly: false}) { edges { node { user { username roles { name } } } } } }",
    ],
)
async def test_statements_per_request_do_not_grow_with_the_page(demo, gql, query):
    for user in ("pd_user", "pd_admin", "hp_admin", "operator", "admin", "secadmin"):
        await gql.token(user)  # several tokens, so the token list has more than one page of rows
    await gql(query, {"n": 1}, as_user="secadmin")  # loads the role catalogue, a once-per-process cost
    counts = []
    for n in (2, 30):
        with StatementCounter(demo.engine) as counter:
            result = await gql(query, {"n": n}, as_user="secadmin")
        assert "errors" not in result, result
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    # authentication + the list + one per selected relation level (+ a BEGIN per read on SQLite)
    assert counts[0] <= 6


DIRECTIVES = """query($x: Boolean!) { viewer { username ... @include(if: $x) { displayName } orgUnit { name @skip(if: $x) } } }"""


async def test_directives_that_depend_on_variables_are_honoured(demo, gql):
    for x in (True, False, True):
        result = await gql(DIRECTIVES, {"x": x}, as_user="admin")
        viewer = result["data"]["viewer"]
        assert ("displayName" in viewer) is x
        assert ("name" in viewer["orgUnit"]) is (not x)


async def test_a_fragment_with_a_directive_is_honoured(demo, gql):
    query = """query($x: Boolean!) { users(first: 2) { edges { node { ...U @include(if: $x) username } } } }
               fragment U on User { displayName }"""
    on = await gql(query, {"x": True}, as_user="admin")
    off = await gql(query, {"x": False}, as_user="admin")
    assert "displayName" in on["data"]["users"]["edges"][0]["node"]
    assert "displayName" not in off["data"]["users"]["edges"][0]["node"]
