"""The raw baseline: plain Starlette + asyncpg + orjson, one hand-written SQL statement, no GraphQL.

It returns byte-for-byte the `data` of the smoke query, so the GraphQL server's overhead is a ratio.
It does no authentication (the GraphQL server does), which makes the ratio conservative.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SQL = """
SELECT u.username, ou.name AS unit_name, p.name AS parent_name,
       COALESCE((SELECT json_agg(r.name ORDER BY r.id) FROM user_role ur JOIN role r ON r.id = ur.role_id
                 WHERE ur.user_id = u.id), '[]') AS roles
FROM user_account u
JOIN org_unit ou ON ou.id = u.org_unit_id
LEFT JOIN org_unit p ON p.id = ou.parent_id
ORDER BY u.id
LIMIT 50
"""

pool: asyncpg.Pool | None = None


@contextlib.asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(os.environ["BENCH_RAW_DSN"], min_size=5, max_size=10)
    yield
    await pool.close()


async def users(_: Request) -> Response:
    assert pool is not None
    async with pool.acquire() as conn:
        rows = await conn.fetch(SQL)
    edges = [
        {"node": {
            "username": r["username"],
            "orgUnit": {"name": r["unit_name"], "parent": {"name": r["parent_name"]} if r["parent_name"] is not None else None},
            "roles": [{"name": n} for n in orjson.loads(r["roles"])],
        }}
        for r in rows
    ]  # fmt: skip
    return Response(orjson.dumps({"data": {"users": {"edges": edges}}}), media_type="application/json")


app = Starlette(routes=[Route("/users", users, methods=["GET", "POST"])], lifespan=lifespan)
