"""The reads behind the compiled screens (schema/compiled.py): one statement per request for the busiest lists.

Each fetcher does what its root resolver does (the same filter, page request, data scope and total) but reads the
page with every relation the screen's documents select in one joined statement, into the same records. The screen
documents themselves are in `operations/screens/`; tests/resolvers/test_compiled_screens.py proves each answer
byte-identical to the executor's for every role.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from strawberry.utils.str_converters import to_snake_case

from core.clock import utcnow
from core.db.pagination import PageRequest
from core.settings import ROOT
from domain.wireless import repository as cards
from domain.workorders import repository as orders
from resolvers.wireless import card_filter
from resolvers.workorders import order_filter
from schema.compiled import Fetcher
from schema.lookahead import Selection
from schema.pagination import ConnectionValue

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


_USER: dict[str, Any] = {}
_UNIT: dict[str, Any] = {}

FETCHERS = {
    "workOrders": Fetcher(
        work_orders,
        {
            "pageInfo": {},
            "edges": {"node": {"applicant": _USER, "unit": _UNIT, "openTasks": {"assignee": _USER, "delegate": _USER}}},
        },
    ),
    "simCards": Fetcher(
        sim_cards,
        {"pageInfo": {}, "edges": {"node": {"plan": {}, "nextPlan": {}, "unit": _UNIT, "terminalAccount": {}}}},
    ),
}
