"""The reads behind the compiled screens (schema/compiled.py): one statement per request for the busiest lists.

Each fetcher does what its root resolver does (the same filter, page request, data scope and total) but reads the
page with every relation the screen's documents select in one joined statement, into the same records. The screen
documents themselves are in `operations/screens/`; tests/resolvers/test_compiled_screens.py proves each answer
byte-identical to the executor's for every role.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from strawberry.utils.str_converters import to_snake_case

from core.clock import utcnow
from core.db import jsontext
from core.db.pagination import Count, Page, PageRequest
from core.settings import ROOT
from domain.catalog.enums import CatalogStatus
from domain.identity.enums import OrgUnitKind, OrgUnitStatus, UserStatus
from domain.identity.models import OrgUnit, User
from domain.identity.repository import scoped_units, scoped_users
from domain.wireless import repository as cards
from domain.wireless.enums import Carrier, SimCardDomain, SimCardStatus, TerminalAccountStatus
from domain.wireless.models import SimPlan, TerminalAccount
from domain.workorders import repository as orders
from domain.workorders.enums import TaskStatus, WorkOrderStatus
from domain.workorders.flow import FLOWS
from domain.workorders.models import WorkOrderTask
from resolvers.wireless import card_filter
from resolvers.workorders import order_filter
from schema.compiled import Fetcher
from schema.lookahead import Selection
from schema.pagination import ConnectionValue
from schema.shaped import Leaf, Related, Row, Shapes

SCREENS_DIR: Path = ROOT / "operations" / "screens"


# Fields that show a column under another name (of the columns columns_of may leave unread: the others are plain
# fields named after their column, or the id).
_SHOWN_BY = {"form": "payload"}


@lru_cache(maxsize=64)
def shown(sel: Selection) -> frozenset[str]:
    """The columns a screen's selection may show, so that the read decrypts and transfers only those: every field name
    selected anywhere below, as a column name. Reading more than needed costs time; reading less is impossible (the
    reads mark the others NOT_LOADED, and a plan that meets one gives up)."""
    names: set[str] = set()
    todo = [sel]
    while todo:
        for name, child in todo.pop().children.items():
            names.add(_SHOWN_BY.get(name, to_snake_case(name)))
            todo.append(child)
    return frozenset(names)


async def work_orders(ctx: Any, sel: Selection, *, filter: Any, sort: Any, first: int, after: str | None) -> ConnectionValue:
    actor = ctx.require_actor()
    rf, page_req, now = order_filter(filter), PageRequest(first, after), utcnow()
    async with ctx.read_session() as s:
        page, total = await orders.list_orders_joined(
            s, actor, rf, sort, page_req, now, total="totalCount" in sel, shown=shown(sel)
        )
    return ConnectionValue(page, total)


async def sim_cards(ctx: Any, sel: Selection, *, filter: Any, sort: Any, first: int, after: str | None) -> ConnectionValue:
    actor = ctx.require_actor()
    rf, page_req = card_filter(filter), PageRequest(first, after)
    async with ctx.read_session() as s:
        page, total = await cards.list_cards_joined(s, actor, rf, sort, page_req, total="totalCount" in sel, shown=shown(sel))
    return ConnectionValue(page, total)


async def work_orders_shaped(
    ctx: Any, edge: Any, sel: Selection, *, filter: Any, sort: Any, first: int, after: str | None
) -> tuple[Page[str], Count | None]:
    actor = ctx.require_actor()
    rf, page_req, now = order_filter(filter), PageRequest(first, after), utcnow()
    async with ctx.read_session() as s:
        return await orders.list_orders_shaped(s, actor, rf, sort, page_req, now, total="totalCount" in sel, edge=edge)


async def sim_cards_shaped(
    ctx: Any, edge: Any, sel: Selection, *, filter: Any, sort: Any, first: int, after: str | None
) -> tuple[Page[str], Count | None]:
    actor = ctx.require_actor()
    rf, page_req = card_filter(filter), PageRequest(first, after)
    async with ctx.read_session() as s:
        return await cards.list_cards_shaped(s, actor, rf, sort, page_req, total="totalCount" in sel, edge=edge)


# --- how the types of the compiled screens read as JSON text in PostgreSQL (schema/shaped.py) ---------------------


def _col(name: str, write: Callable[[Any], Any] = jsontext.string) -> Leaf:
    return lambda row: write(row.table.c[name])


def _id(type_name: str) -> Leaf:
    return lambda row: jsontext.global_id(type_name, row.table.c.id)


def _enum(name: str, cls: type[enum.Enum]) -> Leaf:
    """An enum column (stored as the member's value) as the member's name, which is what GraphQL shows."""
    names = {m.value: m.name for m in cls if m.value != m.name}
    return lambda row: jsontext.renamed(row.table.c[name], names)


def _kinds() -> dict[str, str]:  # read when a statement is built, after every area has declared its kinds
    return {kind: flow.label for kind, flow in FLOWS.items()}


def _steps() -> dict[str, dict[str, str]]:
    return {kind: {step.name: step.label for step in flow.steps} for kind, flow in FLOWS.items()}


def _step_label(kind: Callable[[Row], Any]) -> Leaf:
    """flow.step_label: null without a step, the step's code when the kind or the step is no longer declared."""
    return lambda row: jsontext.label(_steps(), kind(row), row.table.c.step, blank_is_null=True)


def _sealed(name: str) -> Leaf:
    """A sealed column: PostgreSQL passes the ciphertext through and the answer opens it (jsontext.sealed)."""
    return lambda row: jsontext.sealed(row.table.c[name], row.table.c[name].type.context)


def _people(sees_all: bool, alias: Any) -> list[Any]:
    return [scoped_users(sees_all, alias)[1]]


def _units(sees_all: bool, alias: Any) -> list[Any]:
    return [scoped_units(sees_all, alias)[1]]


def _anyone(_sees_all: bool, _alias: Any) -> list[Any]:  # plans and a card's account: seen with the card
    return []


_TIMES = {name: _col(to_snake_case(name), jsontext.time) for name in ("createdAt", "updatedAt")}
SHAPES: Shapes = {
    "User": {
        "id": _id("User"), "username": _col("username"), "displayName": _col("display_name"),
        "status": _enum("status", UserStatus), "lockedUntil": _col("locked_until", jsontext.time),
        "lastLoginAt": _col("last_login_at", jsontext.time), **_TIMES,
    },
    "OrgUnit": {
        "id": _id("OrgUnit"), "code": _col("code"), "name": _col("name"), "kind": _enum("kind", OrgUnitKind),
        "status": _enum("status", OrgUnitStatus), **_TIMES,
    },
    "WorkOrder": {
        "id": _id("WorkOrder"), "number": _col("number"), "kind": _col("kind"), "status": _enum("status", WorkOrderStatus),
        "step": _col("step"), "title": _col("title"), "version": _col("version", jsontext.integer),
        "overdue": _col("overdue", jsontext.boolean), "dueAt": _col("due_at", jsontext.time),
        "finishedAt": _col("finished_at", jsontext.time), **_TIMES,
        "kindLabel": lambda row: jsontext.label(_kinds(), row.table.c.kind),  # flow.kind_label
        "stepLabel": _step_label(lambda row: row.table.c.kind),
        "applicant": Related(User.__table__, lambda row: row.table.c.applicant_id, _people),
        "unit": Related(OrgUnit.__table__, lambda row: row.table.c.unit_id, _units),
        "openTasks": Related(
            WorkOrderTask.__table__, lambda row: row.table.c.id, lambda _s, t: [t.c.status == TaskStatus.OPEN],
            many=True, fk="order_id",
        ),
    },
    "WorkOrderTask": {
        "id": _id("WorkOrderTask"), "step": _col("step"), "round": _col("round", jsontext.integer),
        "roleCode": _col("role_code"), "status": _enum("status", TaskStatus),
        "stepLabel": _step_label(lambda row: row.parent.table.c.kind),  # type: ignore[union-attr]
        "delegateUntil": _col("delegate_until", jsontext.time), "actedAt": _col("acted_at", jsontext.time),
        "comment": _col("comment"), "createdAt": _col("created_at", jsontext.time),
        "assignee": Related(User.__table__, lambda row: row.table.c.assignee_id, _people),
        "delegate": Related(User.__table__, lambda row: row.table.c.delegate_id, _people),
    },
    "SimCard": {
        "id": _id("SimCard"), "iccid": _col("iccid"), "msisdn": _sealed("msisdn"), "imsi": _col("imsi"),
        "domain": _enum("domain", SimCardDomain), "carrier": _enum("carrier", Carrier), "holderName": _col("holder_name"),
        "holderPhone": _sealed("holder_phone"), "status": _enum("status", SimCardStatus), "imei": _col("imei"),
        "activatedAt": _col("activated_at", jsontext.time), "cancelledAt": _col("cancelled_at", jsontext.time),
        "nextPlanFrom": _col("next_plan_from", jsontext.day), **_TIMES,
        "plan": Related(SimPlan.__table__, lambda row: row.table.c.plan_id, _anyone),
        "nextPlan": Related(SimPlan.__table__, lambda row: row.table.c.next_plan_id, _anyone),
        "unit": Related(OrgUnit.__table__, lambda row: row.table.c.unit_id, _units),
        "terminalAccount": Related(TerminalAccount.__table__, lambda row: row.table.c.id, _anyone, fk="card_id"),
    },
    "SimPlan": {
        "id": _id("SimPlan"), "carrier": _enum("carrier", Carrier), "code": _col("code"), "name": _col("name"),
        "monthlyFee": _col("monthly_fee", jsontext.integer), "dataGb": _col("data_gb", jsontext.integer),
        "status": _enum("status", CatalogStatus),
    },
    "TerminalAccount": {
        "id": _id("TerminalAccount"), "accountName": _col("account_name"), "holderName": _col("holder_name"),
        "status": _enum("status", TerminalAccountStatus), "online": _col("online", jsontext.boolean),
        "lastSeenAt": _col("last_seen_at", jsontext.time), "createdAt": _col("created_at", jsontext.time),
        "closedAt": _col("closed_at", jsontext.time),
    },
}  # fmt: skip


_USER: dict[str, Any] = {}
_UNIT: dict[str, Any] = {}

FETCHERS = {
    "workOrders": Fetcher(
        work_orders,
        {
            "pageInfo": {},
            "edges": {"node": {"applicant": _USER, "unit": _UNIT, "openTasks": {"assignee": _USER, "delegate": _USER}}},
        },
        shaped=work_orders_shaped,
        shapes=SHAPES,
    ),
    "simCards": Fetcher(
        sim_cards,
        {"pageInfo": {}, "edges": {"node": {"plan": {}, "nextPlan": {}, "unit": _UNIT, "terminalAccount": {}}}},
        shaped=sim_cards_shaped,
        shapes=SHAPES,
    ),
}
