"""Reads of faults: the ones a viewer may see (their unit subtree's; every one for the management unit), filtered and
keyset-paged with their order's SLA standing, each relation in one statement, and the statistics of modules 16, 18
and 29-30 (repairs by carrier, units ranked by faults, monthly faults, response and resolution times)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from core.clock import utcnow
from core.db.engine import Db
from core.db.pagination import InvalidCursor, Page, PageRequest, decode_cursor, to_page
from domain.catalog.enums import ServiceDomain
from domain.faults.enums import OPEN_STAGES, FaultCategory, FaultLevel, FaultSort, FaultStage
from domain.faults.models import Fault
from domain.faults.records import FaultRecord
from domain.identity.actor import Actor
from domain.identity.models import OrgUnit
from domain.identity.repository import in_readable_units
from domain.wireless.models import SimCard
from domain.workorders.enums import SlaScope
from domain.workorders.models import WorkOrder, WorkOrderSla
from domain.workorders.periods import Grain, bucket

F = Fault.__table__.c
WO = WorkOrder.__table__.c
REVIEW = WorkOrderSla.__table__.alias("review_clock")
R = REVIEW.c
CARD = SimCard.__table__.c


def _response_overdue(now: datetime) -> ColumnElement[bool]:
    return or_(R.breached_at.is_not(None), and_(R.stopped_at.is_(None), R.due_at < now))


def _resolution_overdue(now: datetime) -> ColumnElement[bool]:
    return or_(WO.overdue.is_(True), and_(WO.finished_at.is_(None), WO.due_at < now))


def _columns(now: datetime) -> list[Any]:
    return [
        F.id, F.order_id, F.domain, F.category, F.level, F.stage, F.title, F.description, F.location, F.unit_id,
        F.reporter_id, F.sim_card_id, F.account_id, F.asset_id, F.alert_id, F.occurred_at, F.reported_at, F.responded_at,
        F.rectified_at, F.closed_at, F.response_seconds, F.resolution_seconds, F.updated_at, WO.number,
        WO.due_at, func.coalesce(_resolution_overdue(now), False), R.due_at, func.coalesce(_response_overdue(now), False),
    ]  # fmt: skip


def _from() -> Any:
    review = and_(R.order_id == F.order_id, R.scope == SlaScope.STEP, R.step == "review")
    return Fault.__table__.join(WorkOrder.__table__, WO.id == F.order_id).outerjoin(REVIEW, review)


def readable(actor: Actor) -> ColumnElement[bool]:
    """Management staff see every fault; an access unit's people see their unit subtree's."""
    return in_readable_units(actor, F.unit_id)


@dataclass(frozen=True, slots=True)
class FaultFilter:
    domains: tuple[ServiceDomain, ...] = ()
    categories: tuple[FaultCategory, ...] = ()
    levels: tuple[FaultLevel, ...] = ()
    stages: tuple[FaultStage, ...] = ()
    open_only: bool = False
    unit_id: int | None = None
    sim_card_id: int | None = None
    account_id: int | None = None
    asset_id: int | None = None
    alert_id: int | None = None
    carrier: str | None = None  # the affected card's carrier (运营商报修)
    overdue: bool | None = None  # past its response or resolution target (True), or within both (False)
    from_alert: bool | None = None  # opened by an alert (True) or reported by a person (False)
    reported_from: datetime | None = None
    reported_to: datetime | None = None
    keyword: str | None = None  # in the title or the order number


def conditions(actor: Actor, f: FaultFilter, now: datetime) -> list[ColumnElement[bool]]:
    where = [readable(actor)]
    for column, values in ((F.domain, f.domains), (F.category, f.categories), (F.level, f.levels), (F.stage, f.stages)):
        if values:
            where.append(column.in_(values))
    if f.open_only:
        where.append(F.stage.in_(OPEN_STAGES))
    for column, value in ((F.unit_id, f.unit_id), (F.sim_card_id, f.sim_card_id), (F.account_id, f.account_id),
                          (F.asset_id, f.asset_id), (F.alert_id, f.alert_id)):  # fmt: skip
        if value is not None:
            where.append(column == value)
    if f.carrier:
        where.append(F.sim_card_id.in_(select(CARD.id).where(CARD.carrier == f.carrier).scalar_subquery()))
    if f.overdue is not None:
        late = func.coalesce(or_(_response_overdue(now), _resolution_overdue(now)), False)
        where.append(late if f.overdue else ~late)
    if f.from_alert is not None:
        where.append(F.alert_id.is_not(None) & F.reporter_id.is_(None) if f.from_alert else F.reporter_id.is_not(None))
    if f.reported_from is not None:
        where.append(F.reported_at >= f.reported_from)
    if f.reported_to is not None:
        where.append(F.reported_at < f.reported_to)
    if f.keyword:
        text = f.keyword.strip()
        where.append(or_(F.title.contains(text, autoescape=True), WO.number == text))
    return where


async def list_faults(
    db: Db, actor: Actor, f: FaultFilter, sort: FaultSort, page: PageRequest, now: datetime
) -> Page[FaultRecord]:
    """A page of the faults the actor may see, newest (or oldest) report first, keyset on (reported_at, id)."""
    stmt: Select[Any] = select(*_columns(now)).select_from(_from()).where(*conditions(actor, f, now))
    desc = sort is FaultSort.REPORTED_DESC
    if page.after is not None:
        try:
            value, last_id = decode_cursor(page.after, 2)
            at, last_id = datetime.fromisoformat(value), int(last_id)
        except (TypeError, ValueError) as exc:
            raise InvalidCursor(page.after) from exc
        if desc:
            stmt = stmt.where(or_(F.reported_at < at, and_(F.reported_at == at, F.id < last_id)))
        else:
            stmt = stmt.where(or_(F.reported_at > at, and_(F.reported_at == at, F.id > last_id)))
    order = [F.reported_at.desc(), F.id.desc()] if desc else [F.reported_at, F.id]
    rows = list(await db.execute(stmt.order_by(*order).limit(page.first + 1)))
    items = [FaultRecord(*r) for r in rows]
    return to_page(rows, items, lambda r: (r.reported_at.isoformat(), r.id), page)


async def count_faults(db: Db, actor: Actor, f: FaultFilter, now: datetime) -> int:
    stmt = select(func.count()).select_from(_from()).where(*conditions(actor, f, now))
    return int((await db.execute(stmt)).scalar_one())


async def faults_by_ids(db: Db, actor: Actor, ids: Iterable[int], now: datetime | None = None) -> dict[int, FaultRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    at = now or utcnow()
    rows = await db.execute(select(*_columns(at)).select_from(_from()).where(F.id.in_(wanted), readable(actor)))
    return {r.id: FaultRecord(*r) for r in rows}


async def faults_by_targets(db: Db, actor: Actor, column: str, ids: Iterable[int], now: datetime) -> dict[int, list[FaultRecord]]:
    """The faults on each card, account, asset or alert (`column`: sim_card_id, account_id, asset_id, alert_id), newest
    first."""
    wanted = sorted(set(ids))
    out: dict[int, list[FaultRecord]] = {i: [] for i in wanted}
    if wanted:
        key = F[column]
        stmt = select(*_columns(now)).select_from(_from()).where(key.in_(wanted), readable(actor))
        for r in await db.execute(stmt.order_by(F.reported_at.desc(), F.id.desc())):
            record = FaultRecord(*r)
            out[getattr(record, column)].append(record)
    return out


# --- statistics -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistics:
    total: int
    open: int
    overdue_open: int  # open and past a target
    by_stage: list[tuple[str, int]]
    by_level: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_domain: list[tuple[str, int]]
    by_carrier: list[tuple[str, int]]  # 运营商报修统计: faults on each carrier's cards
    top_units: list[tuple[int, str, int]]  # 故障排行: (unit id, name, faults)
    by_period: list[tuple[str, int]]  # 月度故障: reported per day, week or month (Beijing)
    mean_response_seconds: float | None
    mean_resolution_seconds: float | None
    resolved: int  # closed (verified) in the set
    resolved_in_time: int  # closed within the resolution target


async def statistics(db: Db, actor: Actor, f: FaultFilter, grain: Grain, now: datetime, top: int = 10) -> Statistics:
    """The fault statistics of a filtered set (a period, a domain) in a handful of grouped statements."""
    where = conditions(actor, f, now)
    base = select().select_from(_from()).where(*where)

    async def grouped(column: Any) -> list[tuple[str, int]]:
        rows = await db.execute(base.add_columns(column, func.count()).group_by(column).order_by(func.count().desc(), column))
        return [(getattr(k, "value", k), int(n)) for k, n in rows]

    late = func.coalesce(or_(_response_overdue(now), _resolution_overdue(now)), False)
    opened = F.stage.in_(OPEN_STAGES)
    closed = F.stage == FaultStage.CLOSED
    total, open_, overdue_open, mean_response, mean_resolution, resolved, in_time = (await db.execute(base.add_columns(
        func.count(), func.count().filter(opened), func.count().filter(opened & late), func.avg(F.response_seconds),
        func.avg(F.resolution_seconds).filter(closed), func.count().filter(closed),
        func.count().filter(closed & WO.overdue.is_(False)),
    ))).one()  # fmt: skip
    carriers = await db.execute(
        base.add_columns(CARD.carrier, func.count()).join_from(Fault.__table__, SimCard.__table__, CARD.id == F.sim_card_id)
        .group_by(CARD.carrier).order_by(func.count().desc(), CARD.carrier)
    )  # fmt: skip
    u = OrgUnit.__table__.c
    units = await db.execute(
        base.add_columns(F.unit_id, u.name, func.count()).join_from(Fault.__table__, OrgUnit.__table__, u.id == F.unit_id)
        .group_by(F.unit_id, u.name).order_by(func.count().desc(), F.unit_id).limit(top)
    )  # fmt: skip
    periods: dict[str, int] = {}
    for (at,) in await db.execute(base.add_columns(F.reported_at)):
        key = bucket(at, grain)
        periods[key] = periods.get(key, 0) + 1
    return Statistics(
        total=int(total), open=int(open_), overdue_open=int(overdue_open), by_stage=await grouped(F.stage),
        by_level=await grouped(F.level), by_category=await grouped(F.category), by_domain=await grouped(F.domain),
        by_carrier=[(getattr(c, "value", c), int(n)) for c, n in carriers], top_units=[(i, name, int(n)) for i, name, n in units],
        by_period=sorted(periods.items()), mean_response_seconds=float(mean_response) if mean_response is not None else None,
        mean_resolution_seconds=float(mean_resolution) if mean_resolution is not None else None, resolved=int(resolved),
        resolved_in_time=int(in_time),
    )  # fmt: skip


async def overview_counts(db: Db, actor: Actor, domain: ServiceDomain, start: datetime, end: datetime) -> tuple[int, int]:
    """(open now, reported in [start, end)) of one service's faults in the actor's scope: the overviews' figures."""
    stmt = select(func.count().filter(F.stage.in_(OPEN_STAGES)),
                  func.count().filter(F.reported_at >= start, F.reported_at < end)).where(readable(actor), F.domain == domain)  # fmt: skip
    open_, reported = (await db.execute(stmt)).one()
    return int(open_), int(reported)
