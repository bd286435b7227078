"""Many work orders at once, straight into the table (for export tests and the export memory benchmark)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from core.clock import utcnow
from domain.identity.models import OrgUnit, User
from domain.workorders.enums import WorkOrderStatus
from domain.workorders.models import WorkOrder


async def bulk_orders(services: Any, n: int, *, username: str = "pd_user", kind: str = "test.single", batch: int = 5000) -> None:
    """`n` completed orders of `username`'s unit, numbered GD20260101xxxxxx onwards, one minute apart."""
    async with services.session_factory() as s:
        user_id, unit_id = (await s.execute(select(User.id, User.org_unit_id).where(User.username == username))).one()
        assert (await s.get(OrgUnit, unit_id)) is not None
    start = utcnow() - timedelta(days=30)
    rows = []
    for i in range(n):
        at = start + timedelta(minutes=i)
        rows.append({
            "number": f"GD2026{i // 1_000_000 + 1:04d}{i % 1_000_000:06d}"[:16],  # never a real day: no clash
            "kind": kind, "status": WorkOrderStatus.COMPLETED, "step": None, "title": f"批量工单 {i}",
            "payload": {"quantity": 1 + i % 9, "reason": "批量"}, "applicant_id": user_id, "unit_id": unit_id, "round": 1,
            "version": 3, "overdue": i % 10 == 0, "due_at": None, "created_at": at, "updated_at": at,
            "finished_at": at + timedelta(hours=2),
        })  # fmt: skip
        if len(rows) == batch:
            await _flush(services, rows)
            rows = []
    if rows:
        await _flush(services, rows)


async def _flush(services: Any, rows: list[dict[str, Any]]) -> None:
    async with services.engine.begin() as conn:
        await conn.execute(insert(WorkOrder.__table__), rows)
