"""Compiled screens (schema/compiled.py): every compiled document, for every demo role and a spread of variables,
answers byte for byte what the executor answers; the statements per request stay constant; anything the compiled
path does not handle reaches the executor."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


def expected_path(twin: Twin, name: str) -> str:
    """Which compiled path answers a screen: "shaped" (its page written as JSON by PostgreSQL) or "compiled"."""
    screen = next(s for s in twin.apps["compiled"].app.graphql._screens.values() if s.name == name)
    postgres = twin.apps["compiled"].app.graphql.services.engine.dialect.name == "postgresql"
    return "shaped" if postgres and screen.shaped is not None else "compiled"


def other_path(path: str) -> str:
    return "compiled" if path == "shaped" else "shaped"


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
            path = expected_path(twin, name)
            before = answered(name, path), answered(name, other_path(path))
            compiled, executor = await twin.both(name, v, token)
            assert compiled.status_code == executor.status_code, (name, v)
            assert compiled.content == executor.content, (name, v, compiled.text[:400], executor.text[:400])
            body = orjson.loads(compiled.content)
            # every answer without errors came from the compiled path it should (shaped by PostgreSQL where it can
            # be, else the records and the plan), and no error did
            after = answered(name, path), answered(name, other_path(path))
            assert after == (before[0] + ("errors" not in body), before[1]), (name, v, body)
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


def test_the_work_order_screen_is_shaped_by_postgresql_and_what_cannot_be_is_not(services):
    from schema.root import build_schema

    schema = build_schema(services.settings)
    screens = {s.name: s for s in compile_folder(schema, SCREENS_DIR, FETCHERS).values()}
    assert screens["WorkOrderList"].shaped is not None
    assert screens["SimCardList"].shaped is not None
    for text in [
        "query A { workOrders(first: 5) { edges { cursor node { id } } } }",  # the cursor is Python's
        "query B { workOrders(first: 5) { edges { node { form } } } }",  # sealed: only Python opens it
        "query C { workOrders(first: 5) { edges { node { applicant { phone } } } } }",
    ]:
        screen = compile_screen(schema, text, FETCHERS)
        assert screen.shaped is None and screen.plan is not None, text


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
    screens[screen.id] = replace(screen, fetch=broken, fetch_shaped=broken)
    before = answered("WorkOrderList", "executor")
    compiled, executor = await twin.both("WorkOrderList", {"first": 5}, await gql.token("operator"))
    assert compiled.content == executor.content and "errors" not in orjson.loads(compiled.content)
    assert answered("WorkOrderList", "executor") == before + 1
    assert "compiled screen WorkOrderList failed; the executor answers it" in caplog.text


SHAPED_SCREEN = """query ShapedEverything($first: Int!, $after: String, $filter: WorkOrderFilter, $sort: WorkOrderSort) {
  list: workOrders(filter: $filter, sort: $sort, first: $first, after: $after) {
    __typename count: totalCount totalCountIsEstimate
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename node {
      __typename id number kind kindLabel status step stepLabel title version overdue dueAt finishedAt createdAt updatedAt
      who: applicant { __typename id username displayName status lockedUntil lastLoginAt createdAt updatedAt }
      unit { id code name kind status createdAt updatedAt }
      openTasks { id step round roleCode status stepLabel delegateUntil actedAt comment createdAt
        assignee { id displayName } delegate { id displayName } }
      ... on WorkOrder { again: number }
    } }
  }
}"""


async def every_page(world: Any, text: str, key: str, sorts: tuple[str, ...], first: int, token: str) -> bytes:
    """Compile `text` as a screen (it must be shaped), then walk every page in every sort through both apps, asserting
    each answer byte-identical to the executor's and counted on the expected path; the bodies, joined."""
    from schema.root import build_schema

    twin = Twin(world)
    screen = compile_screen(build_schema(world.settings), text, FETCHERS)
    assert screen.shaped is not None
    twin.apps["compiled"].app.graphql._screens[screen.id] = screen
    TEXTS[screen.name] = text
    seen = b""
    try:
        for sort in sorts:
            pages = [{"first": first, "sort": sort}]
            while pages:
                v = pages.pop()
                path = expected_path(twin, screen.name)
                before = answered(screen.name, path)
                compiled, executor = await twin.both(screen.name, v, token)
                assert compiled.content == executor.content, (v, compiled.text[:600], executor.text[:600])
                assert answered(screen.name, path) == before + 1
                seen += compiled.content
                info = orjson.loads(compiled.content)["data"][key]["pageInfo"]
                if info["hasNextPage"]:
                    pages.append({**v, "after": info["endCursor"]})
    finally:
        del TEXTS[screen.name]
    return seen


SHAPED_CARDS = """query ShapedCards($first: Int!, $after: String, $filter: SimCardFilter, $sort: SimCardSort) {
  simCards(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node {
      id iccid msisdn imsi domain carrier holderName holderPhone status imei activatedAt cancelledAt nextPlanFrom createdAt
      updatedAt plan { id carrier code name monthlyFee dataGb status } next: nextPlan { id code name }
      unit { __typename id name } terminalAccount { id accountName holderName status online lastSeenAt createdAt closedAt }
    } }
  }
}"""
AWKWARD_TITLE = 'a "quoted" \\ back\nslash\t\x01\x1f 中文 \u2028 \U0001f600 \x7f'


@pytest.mark.parametrize("username", ["operator", "hp_admin", "pd_admin", "pd_user"])
async def test_every_shaped_field_alias_and_sort_answers_like_the_executor(world, gql, username):
    """Every field the shapes declare, under aliases and __typename, in every sort, pages followed, with awkward
    text (quotes, backslashes, control characters, emoji), times on a whole second and a delegated task."""
    from sqlalchemy import text

    async with world.engine.begin() as c:
        await c.execute(
            text("UPDATE work_order SET title = :t WHERE id = (SELECT min(id) FROM work_order)"), {"t": AWKWARD_TITLE}
        )
        await c.execute(text("UPDATE work_order SET created_at = :at WHERE id = (SELECT max(id) FROM work_order)"),
                        {"at": datetime(2026, 11, 1, 8, 0, tzinfo=UTC)})  # fmt: skip
        await c.execute(text("UPDATE work_order_task SET delegate_id = assignee_id, delegate_until = :until "
                             "WHERE id = (SELECT max(id) FROM work_order_task WHERE status = 'OPEN')"),
                        {"until": datetime(2027, 1, 1, 0, 0, 0, 1, tzinfo=UTC)})  # fmt: skip
    seen = await every_page(world, SHAPED_SCREEN, "list", ("CREATED_DESC", "CREATED_ASC", "UPDATED_DESC", "DUE_ASC"),
                            40, await gql.token(username))  # fmt: skip
    if username == "operator":  # the city-wide viewer met the awkward rows
        assert orjson.dumps(AWKWARD_TITLE)[1:-1] in seen and b'"createdAt":"2026-11-01T08:00:00+00:00"' in seen
        assert b'"delegateUntil":"2027-01-01T00:00:00.000001+00:00"' in seen


@pytest.mark.parametrize("username", ["operator", "pd_admin", "hp_user"])
async def test_every_shaped_card_field_answers_like_the_executor_with_sealed_values_opened(world, gql, username):
    """Every SimCard, SimPlan and TerminalAccount field the shapes declare, in every sort, pages followed: the sealed
    MSISDN and holder phone leave PostgreSQL as ciphertext and are opened into the text like the executor shows them."""
    from sqlalchemy import func, select, update

    from domain.wireless.models import SimCard

    cards = SimCard.__table__
    async with world.engine.begin() as c:  # a card with a plan change waiting and a holder's phone (sealed on write)
        newest = select(func.max(cards.c.id)).scalar_subquery()
        await c.execute(update(cards).where(cards.c.id == newest).values(
            next_plan_id=cards.c.plan_id, next_plan_from=date(2027, 1, 1), holder_phone="13912345678"))  # fmt: skip
    seen = await every_page(world, SHAPED_CARDS, "simCards", ("CREATED_DESC", "CREATED_ASC", "ICCID_ASC"), 70,
                            await gql.token(username))  # fmt: skip
    assert b'"msisdn":"1' in seen and b"\\u0001" not in seen and b"\x01" not in seen
    if username == "operator":
        assert b'"nextPlanFrom":"2027-01-01"' in seen, "nextPlanFrom"
        assert b'"holderPhone":"1' in seen, "holderPhone"
