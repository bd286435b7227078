"""The fault list as an export (故障报修台账): the same filter as `faults`, Chinese headers, the times the SLA clocks
measured; no reporter contact details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.clock import utcnow
from core.db.engine import Db
from core.db.pagination import MAX_PAGE, PageRequest, encode_cursor
from domain.catalog.enums import DOMAIN_NAMES
from domain.exports import params
from domain.exports.registry import Exporter, Rows, register
from domain.faults import repository as repo
from domain.faults.enums import CATEGORY_NAMES, LEVEL_NAMES, STAGE_NAMES, FaultSort
from domain.faults.records import FaultRecord
from domain.identity import repository as identity
from domain.identity.actor import Actor

COLUMNS = [
    ("工单编号", 20), ("标题", 36), ("业务", 14), ("类别", 14), ("级别", 6), ("状态", 8), ("单位", 28), ("报修人", 12),
    ("来源告警", 10), ("发生时间", 20), ("报修时间", 20), ("响应时间", 20), ("响应用时(分钟)", 12), ("响应超时", 8),
    ("整改完成", 20), ("关闭时间", 20), ("处置用时(分钟)", 12), ("处置超时", 8),
]  # fmt: skip
BATCH = MAX_PAGE


def to_params(f: repo.FaultFilter) -> dict[str, Any]:
    """The filter as stored with the export and its audit record (JSON)."""
    return params.to_params(f)


def from_params(values: dict[str, Any]) -> repo.FaultFilter:
    return params.from_params(repo.FaultFilter, values)


def _minutes(seconds: int | None) -> int | None:
    return None if seconds is None else round(seconds / 60)


def _row(f: FaultRecord, unit: str, reporter: str) -> Sequence[Any]:
    return (
        f.number, f.title, DOMAIN_NAMES[f.domain], CATEGORY_NAMES[f.category], LEVEL_NAMES[f.level], STAGE_NAMES[f.stage],
        unit, reporter, "是" if f.alert_id is not None else "否", f.occurred_at, f.reported_at, f.responded_at,
        _minutes(f.response_seconds), "是" if f.response_overdue else "否", f.rectified_at, f.closed_at,
        _minutes(f.resolution_seconds), "是" if f.resolution_overdue else "否",
    )  # fmt: skip


async def _count(db: Db, actor: Actor, params: dict[str, Any]) -> int:
    return await repo.count_faults(db, actor, from_params(params), utcnow())


async def _rows(db: Db, actor: Actor, params: dict[str, Any]) -> Rows:
    """Keyset batches of the list (oldest first), with new units and reporters in one statement apiece."""
    f, after, now = from_params(params), None, utcnow()
    units: dict[int, str] = {}
    people: dict[int, str] = {}
    while True:
        page = await repo.list_faults(db, actor, f, FaultSort.REPORTED_ASC, PageRequest(BATCH, after), now)
        if not page.items:
            return
        if missing := {x.unit_id for x in page.items} - units.keys():
            units |= {i: u.name for i, u in (await identity.units_by_ids(db, actor, missing)).items()}
        if missing := {x.reporter_id for x in page.items if x.reporter_id is not None} - people.keys():
            people |= {i: u.display_name for i, u in (await identity.users_by_ids(db, actor, missing)).items()}
        yield [
            _row(x, units.get(x.unit_id, ""), "系统（告警）" if x.reporter_id is None else people.get(x.reporter_id, ""))
            for x in page.items
        ]
        if not page.has_next_page:
            return
        after = encode_cursor(page.keys[-1])


EXPORTER = register(Exporter("faults", "故障报修台账", "faults.view_faults", COLUMNS, _count, _rows))
