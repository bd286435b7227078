"""The work order list as an export (工单导出): the same filter as `workOrders`, Chinese headers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.clock import utcnow
from core.db.engine import Db
from domain.exports import params
from domain.exports.registry import Exporter, Rows, register
from domain.identity.actor import Actor
from domain.workorders import repository as repo
from domain.workorders.enums import WorkOrderStatus
from domain.workorders.flow import kind_label, step_label

STATUS_NAMES = {
    WorkOrderStatus.PROCESSING: "处理中", WorkOrderStatus.RETURNED: "已退回", WorkOrderStatus.DISPATCHING: "平台处理中",
    WorkOrderStatus.DISPATCH_FAILED: "派发失败", WorkOrderStatus.COMPLETED: "已完成", WorkOrderStatus.REJECTED: "已驳回",
    WorkOrderStatus.WITHDRAWN: "已撤回",
}  # fmt: skip
COLUMNS = [
    ("工单编号", 20), ("工单类型", 22), ("标题", 40), ("状态", 12), ("当前环节", 18), ("申请单位", 28), ("申请人", 12),
    ("提交时间", 20), ("时限", 20), ("是否超时", 10), ("完成时间", 20),
]  # fmt: skip


def to_params(f: repo.WorkOrderFilter) -> dict[str, Any]:
    """The filter as stored with the export (JSON), read back by `from_params` when the job runs."""
    return params.to_params(f)


def from_params(values: dict[str, Any]) -> repo.WorkOrderFilter:
    return params.from_params(repo.WorkOrderFilter, values)


def _row(r: Any, now: datetime) -> Sequence[Any]:
    _id, number, kind, title, status, step, unit, applicant, created, due, overdue, finished = r
    late = overdue or (due is not None and finished is None and due < now)
    return (number, kind_label(kind), title, STATUS_NAMES[status], step_label(kind, step) or "", unit, applicant or "系统", created, due,
            "是" if late else "否", finished)  # fmt: skip


async def _count(db: Db, actor: Actor, params: dict[str, Any]) -> int:
    return await repo.count_orders(db, actor, from_params(params), utcnow())


async def _rows(db: Db, actor: Actor, params: dict[str, Any]) -> Rows:
    now = utcnow()
    async for batch in repo.export_batches(db, actor, from_params(params), now):
        yield [_row(r, now) for r in batch]


EXPORTER = register(Exporter("work_orders", "工单", "workorders.view_work_orders", COLUMNS, _count, _rows))
