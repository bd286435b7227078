"""The raw baseline of the two heaviest list screens: plain Starlette + asyncpg + orjson, one hand-written statement
per request, no GraphQL.

    BENCH_RAW_DSN=postgresql://... GOVOPS_MASTER_KEY=... uvicorn bench.raw_screens:app --workers 2

POST /workOrders and /simCardsByUnit take the body the GraphQL server gets (only its `variables` are read) and answer
with the same `data`, byte for byte once parsed: bench/load.py --closed --raw checks that before it measures both.
Like bench/raw_server.py it authenticates nobody and applies no data scope (it answers as a city-level viewer), so
the ratio it gives is conservative. It uses the deployment's key ring to open each MSISDN, as the API must: a raw
endpoint that skipped the decryption would not be returning the same screen.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.db.pagination import encode_cursor
from core.ids import from_global_id, to_global_id
from core.keyring import RING
from domain import flows as _flows  # noqa: F401  (the kinds' labels)
from domain.workorders.flow import kind_label, step_label

WORK_ORDERS = """
WITH page AS (
    SELECT o.id, o.number, o.kind, o.status, o.step, o.title, o.overdue, o.due_at, o.created_at, o.updated_at, o.version,
           a.id AS applicant_id, a.display_name AS applicant_name, u.id AS unit_id, u.name AS unit_name
    FROM work_order o
    JOIN org_unit u ON u.id = o.unit_id
    LEFT JOIN user_account a ON a.id = o.applicant_id
    WHERE o.status = ANY($1::text[])
    ORDER BY o.created_at DESC, o.id DESC
    LIMIT $2
)
SELECT p.*,
       (SELECT count(*) FROM work_order WHERE status = ANY($1::text[])) AS total,
       (SELECT coalesce(json_agg(json_build_array(t.id, t.step, t.role_code, d.display_name) ORDER BY t.id), '[]')
        FROM work_order_task t LEFT JOIN user_account d ON d.id = t.assignee_id
        WHERE t.order_id = p.id AND t.status = 'OPEN') AS tasks
FROM page p
ORDER BY p.created_at DESC, p.id DESC
"""

SIM_CARDS = """
SELECT c.id, c.iccid, c.msisdn, c.carrier, c.domain, c.status, c.holder_name, c.activated_at, c.next_plan_from,
       p.code AS plan_code, p.name AS plan_name, np.code AS next_code, np.name AS next_name, u.id AS unit_id, u.name AS unit_name,
       ta.account_name, ta.status AS account_status, ta.online,
       (SELECT count(*) FROM sim_card WHERE unit_id = $1) AS total
FROM sim_card c
JOIN sim_plan p ON p.id = c.plan_id
LEFT JOIN sim_plan np ON np.id = c.next_plan_id
JOIN org_unit u ON u.id = c.unit_id
LEFT JOIN terminal_account ta ON ta.card_id = c.id
WHERE c.unit_id = $1
ORDER BY c.id DESC
LIMIT $2
"""

pool: asyncpg.Pool | None = None


@contextlib.asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    global pool
    from core import keys
    from core.db.engine import create_engine

    keys.configure(os.environ["GOVOPS_MASTER_KEY"])
    dsn = os.environ["BENCH_RAW_DSN"]
    engine = create_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    await keys.load(engine)  # the data keys, to open the MSISDNs
    await engine.dispose()
    pool = await asyncpg.create_pool(dsn, min_size=5, max_size=20)
    yield
    await pool.close()


async def _variables(request: Request) -> dict[str, Any]:
    body = orjson.loads(await request.body() or b"{}")
    return body.get("variables") or {}


def _page(items: list[dict[str, Any]], keys: list[tuple[Any, ...]], first: int, total: int) -> dict[str, Any]:
    more = len(items) > first
    keys = keys[:first]
    return {"totalCount": total, "pageInfo": {"hasNextPage": more, "endCursor": encode_cursor(keys[-1]) if keys else None},
            "edges": [{"node": n} for n in items[:first]]}  # fmt: skip


async def work_orders(request: Request) -> Response:
    assert pool is not None
    v = await _variables(request)
    first = int(v.get("first") or 20)
    statuses = (v.get("filter") or {}).get("statuses") or ["PROCESSING", "RETURNED", "DISPATCHING", "DISPATCH_FAILED", "COMPLETED",
                                                           "REJECTED", "WITHDRAWN"]  # fmt: skip
    async with pool.acquire() as conn:
        rows = await conn.fetch(WORK_ORDERS, statuses, first + 1)
    total = int(rows[0]["total"]) if rows else 0
    items = [{
        "id": to_global_id("WorkOrder", r["id"]), "number": r["number"], "kind": r["kind"], "kindLabel": kind_label(r["kind"]),
        "status": r["status"], "step": r["step"], "stepLabel": step_label(r["kind"], r["step"]), "title": r["title"],
        "overdue": r["overdue"], "dueAt": r["due_at"], "createdAt": r["created_at"], "updatedAt": r["updated_at"],
        "version": r["version"],
        "applicant": {"id": to_global_id("User", r["applicant_id"]), "displayName": r["applicant_name"]} if r["applicant_id"] else None,
        "unit": {"id": to_global_id("OrgUnit", r["unit_id"]), "name": r["unit_name"]},
        "openTasks": [{"id": to_global_id("WorkOrderTask", tid), "stepLabel": step_label(r["kind"], step), "roleCode": role,
                       "assignee": {"displayName": who} if who else None} for tid, step, role, who in orjson.loads(r["tasks"])],
    } for r in rows]  # fmt: skip
    keys = [(r["created_at"].isoformat(), r["id"]) for r in rows]
    return Response(orjson.dumps({"data": {"workOrders": _page(items, keys, first, total)}}), media_type="application/json")


async def sim_cards(request: Request) -> Response:
    assert pool is not None
    v = await _variables(request)
    first = int(v.get("first") or 20)
    _type, unit_id = from_global_id(str((v.get("filter") or {}).get("unitId")))
    async with pool.acquire() as conn:
        rows = await conn.fetch(SIM_CARDS, unit_id, first + 1)
    total = int(rows[0]["total"]) if rows else 0
    aad = b"sim_card.msisdn"
    items = [{
        "id": to_global_id("SimCard", r["id"]), "iccid": r["iccid"], "msisdn": RING.open(bytes(r["msisdn"]), aad).decode(),
        "carrier": r["carrier"], "domain": r["domain"], "status": r["status"], "holderName": r["holder_name"],
        "activatedAt": r["activated_at"], "nextPlanFrom": r["next_plan_from"],
        "plan": {"code": r["plan_code"], "name": r["plan_name"]},
        "nextPlan": {"code": r["next_code"], "name": r["next_name"]} if r["next_code"] else None,
        "unit": {"id": to_global_id("OrgUnit", r["unit_id"]), "name": r["unit_name"]},
        "terminalAccount": {"accountName": r["account_name"], "status": r["account_status"], "online": r["online"]}
        if r["account_name"] else None,
    } for r in rows]  # fmt: skip
    keys = [(r["id"], r["id"]) for r in rows]
    return Response(orjson.dumps({"data": {"simCards": _page(items, keys, first, total)}}), media_type="application/json")


app = Starlette(
    routes=[Route("/workOrders", work_orders, methods=["POST"]), Route("/simCardsByUnit", sim_cards, methods=["POST"])],
    lifespan=lifespan,
)
