"""List totals: exact up to the limit, PostgreSQL's estimate beyond it (labelled), always exact on SQLite."""

from __future__ import annotations

from sqlalchemy import true

from core.db.pagination import Count, count_rows
from domain.identity.models import User


async def test_a_short_list_is_counted_and_a_long_one_estimated_on_postgresql(demo, backend):
    users = User.__table__
    async with demo.read() as db:
        assert await count_rows(db, users, [true()], limit=100) == Count(65)
        assert await count_rows(db, users, [users.c.username.like("%\\_admin", escape="\\")], limit=100) == Count(30)
        long = await count_rows(db, users, [true()], limit=10)
    if backend.name == "postgresql":
        assert long.estimated and long.value > 10  # the planner's figure, never below what was seen
    else:
        assert long == Count(65)


async def test_the_api_says_whether_a_total_is_an_estimate(demo, gql):
    answer = await gql("{ workOrders(first: 1) { totalCount totalCountIsEstimate } users(first: 1) { totalCountIsEstimate } }",
                       as_user="operator")  # fmt: skip
    assert answer["data"] == {"workOrders": {"totalCount": 0, "totalCountIsEstimate": False},
                              "users": {"totalCountIsEstimate": False}}  # fmt: skip
