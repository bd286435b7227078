"""Compiled screens (schema/compiled.py): every compiled document, for every demo role and a spread of variables,
answers byte for byte what the executor answers; the statements per request stay constant; anything the compiled
path does not handle reaches the executor."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from cli import demo_numbers, demo_plans
from core.ids import to_global_id
from core.metrics import SCREENS
from domain.identity.demo import demo_users
from resolvers.screens import FETCHERS, SCREENS_DIR
from schema.compiled import ScreenCompileError, compile_folder, compile_screen
from server import create_app
from tests.conftest import _restore, _snapshot, _wipe
from tests.resolvers.test_read_path import StatementCounter

USERS = sorted({u.role: u.username for u in demo_users()}.values())  # one person per role
TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SCREENS_DIR.glob("*.graphql"))}


_WORLD: dict[str, Any] = {}


@pytest.fixture
async def world(demo: Any) -> Any:
    """The demo organisation with cards and work orders in every state (the demo's own seeds, made once per backend)."""
    from domain.identity.catalog import ROLES
    from domain.secure_access import demo as secure_access_demo
    from domain.wireless import demo as wireless_demo
    from domain.wireless.demo_orders import seed_orders

    backend = demo.settings.database_url
    if backend in _WORLD:
        await _wipe(demo)
        await _restore(demo, _WORLD[backend])
        ROLES.invalidate()
        return demo
    async with demo.unit_of_work() as uow:
        await wireless_demo.seed(uow, demo_plans(), demo_numbers(), cards=240)
    await seed_orders(demo.engine)
    async with demo.unit_of_work() as uow:
        await secure_access_demo.seed(uow, accounts=60)
    await secure_access_demo.seed_orders(demo.engine)
    _WORLD[backend] = await _snapshot(demo)
    return demo


class Twin:
    """The same services behind two apps: compiled screens on, and off (the executor answers everything)."""

    def __init__(self, services: Any) -> None:
        self.apps = {
            "compiled": create_app(services.settings, services),
            "executor": create_app(services.settings.model_copy(update={"compiled_screens": False}), services),
        }
        self.tokens: dict[str, str] = {}

    async def post(self, which: str, body: dict[str, Any], token: str | None) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.apps[which], client=("10.1.2.3", 50000))
        headers = {"content-type": "application/json", "x-request-id": "compiled-screens-test"}
        headers |= {"authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.post("/graphql", content=orjson.dumps(body), headers=headers)

    async def both(self, name: str, variables: dict[str, Any], token: str | None) -> tuple[httpx.Response, httpx.Response]:
        text = TEXTS[name]
        apq = {"persistedQuery": {"version": 1, "sha256Hash": compile_hash(text)}}
        compiled = await self.post("compiled", {"operationName": name, "variables": variables, "extensions": apq}, token)
        executor = await self.post(
            "executor", {"query": text, "operationName": name, "variables": variables, "extensions": apq}, token
        )
        return compiled, executor


def compile_hash(text: str) -> str:
    from core.persisted import document_id

    return document_id(text)


def answered(name: str, outcome: str) -> float:
    return SCREENS.labels(name, outcome)._value.get()


async def cases(gql: Any) -> list[tuple[str, dict[str, Any]]]:
    """Variables the screens send: first pages, filters, the next page, and a few the executor must refuse."""
    admin, operator = await gql.token("admin"), await gql.token("operator")
    units = await gql("{ orgUnits(first: 100) { edges { node { id code } } } }", token=admin)
    unit_ids = [e["node"]["id"] for e in units["data"]["orgUnits"]["edges"]]
    cards = await gql("{ simCards(first: 3) { edges { node { msisdn unit { id } } } } }", token=operator)
    card = cards["data"]["simCards"]["edges"][0]["node"]
    return [
        ("WorkOrderList", {"first": 20}),
        ("WorkOrderList", {"first": 5, "filter": {"statuses": ["PROCESSING"]}}),
        ("WorkOrderList", {"first": 50, "filter": {"statuses": ["COMPLETED", "REJECTED", "WITHDRAWN"]}}),
        ("WorkOrderList", {"first": 7, "filter": {"kinds": ["wireless.open"], "overdue": False}}),
        ("WorkOrderList", {"first": 10, "filter": {"keyword": "开通"}}),
        ("WorkOrderList", {"first": 100, "filter": {"unitId": card["unit"]["id"]}}),
        ("WorkOrderList", {"first": 101}),  # over the page limit: the executor's error
        ("WorkOrderList", {"first": 5, "after": "not-a-cursor"}),
        ("WorkOrderList", {"first": "five"}),  # not an Int: the variable is refused
        ("SimCardList", {"first": 50, "filter": {"unitId": card["unit"]["id"]}}),
        ("SimCardList", {"first": 20}),
        ("SimCardList", {"first": 20, "filter": {"msisdn": card["msisdn"]}}),
        ("SimCardList", {"first": 10, "filter": {"statuses": ["ACTIVE"], "carriers": ["CHINA_MOBILE"]}}),
        ("SimCardList", {"first": 10, "filter": {"unitId": unit_ids[-1]}}),
        ("SimCardList", {"first": 5, "filter": {"unitId": to_global_id("User", 1)}}),  # an id of the wrong type
    ]


@pytest.mark.parametrize("username", USERS)
async def test_every_compiled_screen_answers_like_the_executor_for_every_role(world, gql, username):
    twin = Twin(world)
    token = await gql.token(username)
    for name, variables in await cases(gql):
        pages = [variables]
        while pages:
            v = pages.pop()
            before = answered(name, "compiled")
            compiled, executor = await twin.both(name, v, token)
            assert compiled.status_code == executor.status_code, (name, v)
            assert compiled.content == executor.content, (name, v, compiled.text[:400], executor.text[:400])
            body = orjson.loads(compiled.content)
            # every answer without errors came from the compiled path (not only from its fallback), and no error did
            assert answered(name, "compiled") == before + ("errors" not in body), (name, v, body)
            connection = next(iter((body.get("data") or {}).values()), None) or {}
            info = connection.get("pageInfo") or {}
            if info.get("hasNextPage") and "after" not in v:
                pages.append({**v, "after": info["endCursor"]})  # and the next page, through the cursor


async def test_without_a_token_or_permission_the_executor_answers(world, gql):
    twin = Twin(world)
    for token in (None, "not-a-token", await gql.token("auditor")):
        compiled, executor = await twin.both("WorkOrderList", {"first": 5}, token)
        assert compiled.content == executor.content
        assert orjson.loads(compiled.content)["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "FORBIDDEN")


@pytest.mark.parametrize("name", sorted(TEXTS))
async def test_statements_per_compiled_screen_do_not_grow_with_the_page(world, gql, name):
    twin = Twin(world)
    token = await gql.token("operator")
    await twin.both(name, {"first": 1}, token)  # the role catalogue, once per process
    counts = []
    for first in (2, 60):
        with StatementCounter(world.engine) as counter:
            compiled, _ = await twin.both(name, {"first": first}, token)
        assert "errors" not in orjson.loads(compiled.content)
        counts.append(counter.count)
    with StatementCounter(world.engine) as counter:
        await twin.post("compiled", {"operationName": name, "variables": {"first": 60},
                                     "extensions": {"persistedQuery": {"version": 1, "sha256Hash": compile_hash(TEXTS[name])}}}, token)  # fmt: skip
    assert counts[0] == counts[1], counts
    # authentication and the one joined read (a list this small needs no estimate); SQLite adds a BEGIN to each
    assert counter.count == (2 if world.engine.dialect.name == "postgresql" else 4), counter.count


def test_documents_selecting_what_a_fetcher_does_not_load_are_refused(services):
    from schema.root import build_schema

    schema = build_schema(services.settings)
    assert len(compile_folder(schema, SCREENS_DIR, FETCHERS)) == len(TEXTS) >= 2
    for text, why in [
        ("query A { workOrders(first: 5) { edges { node { id tasks { id } } } } }", "workOrders.edges.node.tasks"),
        ("query B { workOrders(first: 5) { edges { node { unit { parent { id } } } } } }", "workOrders.edges.node.unit.parent"),
        ("query C { simCards(first: 5) { edges { node { terminalAccount { applications { id } } } } } }", "applications"),
        ("query D { alerts(first: 5) { totalCount } }", "no fetcher reads alerts"),
        ("{ workOrders(first: 5) { totalCount } }", "one named query"),
        ("query E { workOrders(first: 5) { totalCount } viewer { id } }", "exactly one root field"),
        ("query F { workOrders(first: 5) { nope } }", "invalid document"),
    ]:
        with pytest.raises(ScreenCompileError, match=why):
            compile_screen(schema, text, FETCHERS)


SEALED_SCREEN = """query SealedFields($first: Int!) {
  workOrders(first: $first, filter: {statuses: [PROCESSING, COMPLETED]}) {
    edges { node { number form applicant { username phone email } unit { name contactPhone contactEmail }
      openTasks { assignee { phone } delegate { email } } } }
  }
}"""
SEALED_CARDS = """query SealedCards($first: Int!) {
  simCards(first: $first) { edges { node { iccid msisdn holderPhone unit { contactPhone } } } }
}"""


@pytest.mark.parametrize("text", [SEALED_SCREEN, SEALED_CARDS])
async def test_a_screen_showing_sealed_fields_reads_and_shows_them_like_the_executor(world, gql, text):
    from schema.root import build_schema

    twin = Twin(world)
    screen = compile_screen(build_schema(world.settings), text, FETCHERS)
    twin.apps["compiled"].app.graphql._screens[screen.id] = screen
    TEXTS[screen.name] = text
    try:
        before = answered(screen.name, "compiled")
        compiled, executor = await twin.both(screen.name, {"first": 30}, await gql.token("operator"))
        assert compiled.content == executor.content
        assert answered(screen.name, "compiled") == before + 1
        assert b'"phone":"1' in compiled.content or b'"contactPhone":"' in compiled.content  # sealed values shown
    finally:
        del TEXTS[screen.name]


async def test_a_fault_of_the_compiled_path_is_logged_and_the_executor_answers(world, gql, caplog):
    from dataclasses import replace

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the joined read broke")

    twin = Twin(world)
    screens = twin.apps["compiled"].app.graphql._screens
    screen = next(s for s in screens.values() if s.name == "WorkOrderList")
    screens[screen.id] = replace(screen, fetch=broken)
    before = answered("WorkOrderList", "executor")
    compiled, executor = await twin.both("WorkOrderList", {"first": 5}, await gql.token("operator"))
    assert compiled.content == executor.content and "errors" not in orjson.loads(compiled.content)
    assert answered("WorkOrderList", "executor") == before + 1
    assert "compiled screen WorkOrderList failed; the executor answers it" in caplog.text
