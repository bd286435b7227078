"""Two approvers at the same instant: exactly one transition, the other gets STALE_STATE (100 runs, both backends)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from core.errors import DomainError
from domain.workorders import engine
from domain.workorders.enums import EventKind, WorkOrderStatus
from domain.workorders.models import WorkOrder, WorkOrderEvent
from tests.workorders.helpers import actor
from tests.workorders.test_engine import FORM

RUNS = 100


async def test_two_concurrent_approvals_make_one_transition(wo):
    services = wo.services
    leaders = [await actor(services, "pd_admin"), await actor(services, "pd_admin2")]
    orders = [await wo.submit("pd_user", "test.single", FORM) for _ in range(RUNS)]

    async def approve(who: object, order_id: int) -> str:
        try:
            async with services.unit_of_work() as uow:
                await engine.approve(uow, who, order_id)  # type: ignore[arg-type]
            return "ok"
        except DomainError as exc:
            return exc.code.value

    outcomes = []
    for order_id in orders:
        outcomes.append(sorted(await asyncio.gather(*(approve(who, order_id) for who in leaders))))
    assert outcomes == [["STALE_STATE", "ok"]] * RUNS
    async with services.session_factory() as s:
        approvals = (await s.execute(
            select(WorkOrderEvent.order_id, func.count()).where(WorkOrderEvent.kind == EventKind.APPROVED)
            .group_by(WorkOrderEvent.order_id)
        )).all()  # fmt: skip
        statuses = set((await s.execute(select(WorkOrder.status))).scalars())
    assert sorted(n for _, n in approvals) == [1] * RUNS
    assert statuses == {WorkOrderStatus.COMPLETED}
