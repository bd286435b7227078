"""All work order SQL: scoped reads (readable(actor)), eligibility, lists, timelines and statistics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, false, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import UTCDateTime
from core.db.encrypted import columns_of
from core.db.engine import Db, dialect_name
from core.db.functions import bound
from core.db.pagination import (
    Count,
    InvalidCursor,
    Page,
    PageRequest,
    count_expression,
    count_rows,
    decode_cursor,
    finish_count,
    to_page,
)
from domain.identity.actor import Actor
from domain.identity.enums import OrgUnitKind, UserStatus
from domain.identity.models import OrgUnit, Role, User, UserRole
from domain.identity.records import OrgUnitRecord, UserRecord, unread
from domain.identity.repository import UNIT_COLS, USER_COLS, in_readable_units, scope_like, scoped_units, scoped_users
from domain.workorders.enums import ScopeKind, TaskStatus, WorkOrderSort, WorkOrderStatus
from domain.workorders.models import (
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderDispatch,
    WorkOrderEvent,
    WorkOrderLink,
    WorkOrderSla,
    WorkOrderTask,
)
from domain.workorders.records import AttachmentRecord, DispatchRecord, EventRecord, SlaRecord, TaskRecord, WorkOrderRecord

WO = WorkOrder.__table__.c
T = WorkOrderTask.__table__.c
U = OrgUnit.__table__.c
US = User.__table__.c
UR = UserRole.__table__.c
R = Role.__table__.c


def readable(actor: Actor) -> ColumnElement[bool]:
    """Management staff see every order; an access unit's people see their unit subtree's orders."""
    return in_readable_units(actor, WO.unit_id)


async def role_codes(session: Db, user_id: int) -> set[str]:
    stmt = select(R.code).select_from(UserRole.__table__.join(Role.__table__, R.id == UR.role_id)).where(UR.user_id == user_id)
    return set((await session.execute(stmt)).scalars())


def _covers(kind: ScopeKind, scope_path: str, users_unit: Any) -> ColumnElement[bool]:
    """A user's unit reaches a task's scope: a management unit for MANAGEMENT, the order's unit or an ancestor otherwise."""
    if kind is ScopeKind.MANAGEMENT:
        return users_unit.kind == OrgUnitKind.MANAGEMENT
    return or_(users_unit.kind == OrgUnitKind.MANAGEMENT, literal(scope_path).startswith(users_unit.path, autoescape=False))


async def holders(session: AsyncSession, role: str, kind: ScopeKind, scope_path: str) -> list[tuple[int, str]]:
    """Active users holding `role` whose data scope covers the scope: (id, display name), by id."""
    u = OrgUnit.__table__.alias("holder_unit")
    stmt = (
        select(US.id, US.display_name)
        .select_from(
            User.__table__.join(UserRole.__table__, UR.user_id == US.id)
            .join(Role.__table__, R.id == UR.role_id)
            .join(u, u.c.id == US.org_unit_id)
        )
        .where(R.code == role, US.status == UserStatus.ACTIVE, _covers(kind, scope_path, u.c))
        .order_by(US.id)
    )
    return [(r[0], r[1]) for r in await session.execute(stmt)]


async def user_in_scope(session: AsyncSession, user_id: int, kind: ScopeKind, scope_path: str) -> tuple[int, str] | None:
    """An active user whose data scope covers the scope (for delegation and reassignment), or None."""
    u = OrgUnit.__table__.alias("user_unit")
    stmt = (
        select(US.id, US.display_name)
        .select_from(User.__table__.join(u, u.c.id == US.org_unit_id))
        .where(US.id == user_id, US.status == UserStatus.ACTIVE, _covers(kind, scope_path, u.c))
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


def may_act(actor: Actor, roles: set[str], now: datetime) -> ColumnElement[bool]:
    """Open tasks `actor` may decide now: assigned to them, delegated to them (still valid), or open to a role they hold."""
    if actor.sees_all_units:
        scope: ColumnElement[bool] = true()
    else:
        scope = and_(T.scope_kind == ScopeKind.ORDER_UNIT, T.scope_path.startswith(actor.unit_path, autoescape=True))
    by_role = and_(T.assignee_id.is_(None), T.role_code.in_(sorted(roles)), scope) if roles else false()
    return or_(
        T.assignee_id == actor.user_id,
        and_(T.delegate_id == actor.user_id, T.delegate_until > now),
        by_role,
    )


def task_actionable(task: WorkOrderTask, actor: Actor, roles: set[str], now: datetime) -> bool:
    """The same rule as `may_act`, for a task already loaded."""
    if task.delegate_id == actor.user_id and task.delegate_until is not None and task.delegate_until > now:
        return True
    if task.assignee_id is not None:
        return task.assignee_id == actor.user_id
    if task.role_code not in roles:
        return False
    if actor.unit_kind is OrgUnitKind.MANAGEMENT:
        return True
    return task.scope_kind is ScopeKind.ORDER_UNIT and task.scope_path.startswith(actor.unit_path)


async def lock_order(session: AsyncSession, order_id: int, actor: Actor | None) -> WorkOrder | None:
    """The order under a row lock (PostgreSQL; SQLite's writer lock already serialises), within the actor's scope."""
    stmt: Select[Any] = select(WorkOrder).where(WorkOrder.id == order_id)
    if actor is not None:
        stmt = stmt.where(readable(actor))
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()


async def step_tasks(session: AsyncSession, order: WorkOrder, step: str) -> list[WorkOrderTask]:
    stmt = (
        select(WorkOrderTask)
        .where(WorkOrderTask.order_id == order.id, WorkOrderTask.step == step, WorkOrderTask.round == order.round)
        .order_by(WorkOrderTask.id)
    )
    return list((await session.execute(stmt)).scalars())


async def approvals_this_round(session: AsyncSession, order: WorkOrder) -> int:
    stmt = select(func.count()).where(T.order_id == order.id, T.round == order.round, T.status == TaskStatus.APPROVED)
    return int((await session.execute(stmt)).scalar_one())


# --- lists and details (the read path: Core rows into records) -------------------------------------

ORDER_COLS = [
    WO.id, WO.number, WO.kind, WO.status, WO.step, WO.title, WO.payload, WO.applicant_id, WO.unit_id, WO.round,
    WO.version, WO.overdue, WO.due_at, WO.created_at, WO.updated_at, WO.finished_at,
]  # fmt: skip
TASK_COLS = [
    T.id, T.order_id, T.step, T.round, T.role_code, T.scope_kind, T.assignee_id, T.delegate_id, T.delegate_until,
    T.status, T.acted_by, T.acted_at, T.comment, T.created_at,
]  # fmt: skip
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class WorkOrderFilter:
    kinds: tuple[str, ...] = ()
    statuses: tuple[WorkOrderStatus, ...] = ()
    unit_id: int | None = None
    applicant_id: int | None = None
    assignee_id: int | None = None  # has (or had) a task of this order: assigned, delegated or decided
    created_from: datetime | None = None
    created_to: datetime | None = None
    finished_from: datetime | None = None
    finished_to: datetime | None = None
    overdue: bool | None = None
    keyword: str | None = None  # number prefix or words of the title


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filter_params(actor: Actor, f: WorkOrderFilter, now: datetime) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Which conditions a filter sets (the shape _where builds) and the values of their parameters."""
    keyword = _escape_like(f.keyword.strip()) if f.keyword and f.keyword.strip() else None
    values: dict[str, Any] = {
        **scope_like(actor), "f_kinds": list(f.kinds), "f_statuses": list(f.statuses), "f_unit": f.unit_id,
        "f_applicant": f.applicant_id, "f_assignee": f.assignee_id, "f_created_from": f.created_from,
        "f_created_to": f.created_to, "f_finished_from": f.finished_from, "f_finished_to": f.finished_to,
        "f_now": now if f.overdue is not None else None,
        "f_number": f"{keyword.upper()}%" if keyword else None, "f_title": f"%{keyword}%" if keyword else None,
    }  # fmt: skip
    shape = (
        actor.sees_all_units, bool(f.kinds), bool(f.statuses), f.unit_id is not None, f.applicant_id is not None,
        f.assignee_id is not None, f.created_from is not None, f.created_to is not None, f.finished_from is not None,
        f.finished_to is not None, f.overdue, keyword is not None,
    )  # fmt: skip
    return shape, {k: v for k, v in values.items() if v is not None and v != []}


@lru_cache(maxsize=512)
def _where(sees_all_units: bool, kinds: bool, statuses: bool, unit: bool, applicant: bool, assignee: bool,
           created_from: bool, created_to: bool, finished_from: bool, finished_to: bool, overdue: bool | None,
           keyword: bool) -> tuple[ColumnElement[bool], ...]:  # fmt: skip
    """The conditions of one filter shape, with their values as parameters (_filter_params): built once per shape."""
    where = [
        true() if sees_all_units else WO.unit_id.in_(select(U.id).where(U.path.like(bindparam("scope_like"))).scalar_subquery())
    ]
    if kinds:
        where.append(WO.kind.in_(bindparam("f_kinds", expanding=True, type_=WO.kind.type)))
    if statuses:
        where.append(WO.status.in_(bindparam("f_statuses", expanding=True, type_=WO.status.type)))
    if unit:
        where.append(WO.unit_id == bindparam("f_unit", type_=WO.unit_id.type))
    if applicant:
        where.append(WO.applicant_id == bindparam("f_applicant", type_=WO.applicant_id.type))
    if assignee:
        someone = bindparam("f_assignee", type_=T.assignee_id.type)
        where.append(
            WO.id.in_(select(T.order_id).where(or_(T.assignee_id == someone, T.delegate_id == someone, T.acted_by == someone)))
        )
    for column, low, high, name in ((WO.created_at, created_from, created_to, "created"), (WO.finished_at, finished_from, finished_to, "finished")):  # fmt: skip
        if low:
            where.append(column >= bindparam(f"f_{name}_from", type_=column.type))
        if high:
            where.append(column < bindparam(f"f_{name}_to", type_=column.type))
    if overdue is not None:
        late = or_(WO.overdue.is_(True), and_(WO.due_at < bindparam("f_now", type_=WO.due_at.type), WO.finished_at.is_(None)))
        where.append(late if overdue else ~late)
    if keyword:
        where.append(or_(WO.number.like(bindparam("f_number"), escape="\\"), WO.title.like(bindparam("f_title"), escape="\\")))
    return tuple(where)


def order_conditions(actor: Actor, f: WorkOrderFilter, now: datetime) -> list[ColumnElement[bool]]:
    """The filter's conditions under the actor's scope, values bound (for statements built per call)."""
    shape, params = _filter_params(actor, f, now)
    return bound(_where(*shape), params)


def _sort_key(sort: WorkOrderSort) -> tuple[ColumnElement[Any], bool]:
    """The column ordered on (then id), and whether descending."""
    if sort is WorkOrderSort.CREATED_ASC:
        return WO.created_at, False
    if sort is WorkOrderSort.UPDATED_DESC:
        return WO.updated_at, True
    if sort is WorkOrderSort.DUE_ASC:
        return func.coalesce(WO.due_at, literal(FAR_FUTURE, UTCDateTime())), False
    return WO.created_at, True


def _after_bound(column: ColumnElement[Any], desc: bool) -> ColumnElement[bool]:
    """After the cursor's (sort value, id), given as the parameters `after_at` and `after_id` (_after_values)."""
    at, last = bindparam("after_at", type_=UTCDateTime()), bindparam("after_id", type_=Integer())
    if desc:
        return or_(column < at, and_(column == at, WO.id < last))
    return or_(column > at, and_(column == at, WO.id > last))


def _after_values(cursor: str) -> dict[str, Any]:
    value, last_id = decode_cursor(cursor, 2)
    try:
        return {"after_at": datetime.fromisoformat(str(value)), "after_id": int(last_id)}
    except (TypeError, ValueError) as exc:
        raise InvalidCursor(cursor) from exc


def _after(column: ColumnElement[Any], desc: bool, cursor: str) -> ColumnElement[bool]:
    return bound([_after_bound(column, desc)], _after_values(cursor))[0]  # type: ignore[no-any-return]


async def _page(session: Db, stmt: Select[Any], sort: WorkOrderSort, page: PageRequest) -> Page[WorkOrderRecord]:
    column, desc = _sort_key(sort)
    if page.after is not None:
        stmt = stmt.where(_after(column, desc, page.after))
    stmt = stmt.add_columns(column.label("sort_key")).order_by(column.desc() if desc else column, WO.id.desc() if desc else WO.id)
    rows = list(await session.execute(stmt.limit(page.first + 1)))
    items = [WorkOrderRecord(*r[: len(ORDER_COLS)]) for r in rows]
    key = _sort_value
    return to_page(rows, items, lambda r: (key(r[-1]), r[0]), page)


def _sort_value(value: Any) -> str:
    if isinstance(value, str):  # SQLite hands back coalesce() of a datetime as text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).isoformat())


async def list_orders(session: Db, actor: Actor, f: WorkOrderFilter, sort: WorkOrderSort, page: PageRequest,
                      now: datetime) -> Page[WorkOrderRecord]:  # fmt: skip
    """A page of the orders the actor may see, filtered and keyset-sorted."""
    return await _page(session, select(*ORDER_COLS).where(*order_conditions(actor, f, now)), sort, page)


def _page_subquery(shape: tuple[Any, ...], sort: WorkOrderSort, after: bool, cols: list[Any]) -> tuple[Any, bool]:
    """The page of one filter shape as a subquery `page` (its `cols` and `sort_key`; the values as parameters:
    _filter_params, _after_values and `page_limit`), and whether it is sorted descending."""
    column, desc = _sort_key(sort)
    inner = select(*cols, column.label("sort_key")).where(*_where(*shape))
    if after:
        inner = inner.where(_after_bound(column, desc))
    inner = inner.order_by(column.desc() if desc else column, WO.id.desc() if desc else WO.id)
    return inner.limit(bindparam("page_limit", type_=Integer(), literal_execute=True)).subquery("page"), desc


# Built once: an alias computes its column collection on first use, which costs more than the query it joins.
_JOINED = (
    User.__table__.alias("applicant"), OrgUnit.__table__.alias("order_unit"), WorkOrderTask.__table__.alias("open_task"),
    User.__table__.alias("assignee"), User.__table__.alias("delegate"),
)  # fmt: skip


@lru_cache(maxsize=512)
def _joined_statement(
    shape: tuple[Any, ...], sort: WorkOrderSort, after: bool, total: bool, dialect: str, shown: frozenset[str] | None
) -> tuple[Select[Any], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """list_orders_joined's statement for one filter shape, sort, page kind and the columns a selection shows: built once,
    run with parameters. Also the names left unread: the order's, the people's and the unit's."""
    conditions = _where(*shape)
    order_cols, order_unread = columns_of(WorkOrder.__table__, ORDER_COLS, shown)
    p, desc = _page_subquery(shape, sort, after, order_cols)
    applicant, unit, task, assignee, delegate = _JOINED
    sees_all = shape[0]
    applicant_cols, applicant_in, people_unread = scoped_users(sees_all, applicant, shown)
    unit_cols, unit_in, unit_unread = scoped_units(sees_all, unit, shown)
    assignee_cols, assignee_in, _ = scoped_users(sees_all, assignee, shown)
    delegate_cols, delegate_in, _ = scoped_users(sees_all, delegate, shown)
    cols = [*(p.c[c.name] for c in ORDER_COLS), p.c.sort_key, *applicant_cols, *unit_cols,
            *(task.c[c.name] for c in TASK_COLS), *assignee_cols, *delegate_cols]  # fmt: skip
    if total:
        cols.append(count_expression(dialect, WorkOrder.__table__, conditions).label("total"))
    joined = (
        p.outerjoin(applicant, and_(applicant.c.id == p.c.applicant_id, applicant_in))
        .outerjoin(unit, and_(unit.c.id == p.c.unit_id, unit_in))
        .outerjoin(task, and_(task.c.order_id == p.c.id, task.c.status == TaskStatus.OPEN))
        .outerjoin(assignee, and_(assignee.c.id == task.c.assignee_id, assignee_in))
        .outerjoin(delegate, and_(delegate.c.id == task.c.delegate_id, delegate_in))
    )
    order = [p.c.sort_key.desc() if desc else p.c.sort_key, p.c.id.desc() if desc else p.c.id, task.c.id]
    return select(*cols).select_from(joined).order_by(*order), order_unread, people_unread, unit_unread


_N_USER, _N_UNIT = len(USER_COLS), len(UNIT_COLS)


async def list_orders_joined(
    session: Db, actor: Actor, f: WorkOrderFilter, sort: WorkOrderSort, page: PageRequest, now: datetime, *, total: bool,
    shown: frozenset[str] | None = None,
) -> tuple[Page[WorkOrderRecord], Count | None]:  # fmt: skip
    """list_orders with, in the same statement, each order's applicant and unit and its open tasks with their assignee
    and delegate (each person and unit only when in the actor's scope, as users_by_ids and units_by_ids give them),
    and the list's total when asked (as total_orders gives it). The compiled list screens read through this. With
    `shown` (the column names the selection shows), sealed columns and the people's and units' columns it does not
    show are not read, and are NOT_LOADED on the records (core.db.encrypted.columns_of)."""
    shape, params = _filter_params(actor, f, now)
    if page.after is not None:
        params |= _after_values(page.after)
    stmt, order_unread, people_unread, unit_unread = _joined_statement(
        shape, sort, page.after is not None, total, dialect_name(session), shown
    )
    rows = list(await session.execute(stmt, params | {"page_limit": page.first + 1}))
    n_order, n_task = len(ORDER_COLS), len(TASK_COLS)
    at_user, at_unit = n_order + 1, n_order + 1 + _N_USER
    at_task = at_unit + _N_UNIT
    at_assignee = at_task + n_task
    at_delegate = at_assignee + _N_USER

    def person(values: Any) -> UserRecord | None:
        return unread(UserRecord(*values), people_unread) if values[0] is not None else None

    orders: dict[int, WorkOrderRecord] = {}
    firsts: list[Any] = []
    for r in rows:
        o = orders.get(r[0])
        if o is None:
            o = orders[r[0]] = unread(WorkOrderRecord(*r[:n_order]), order_unread)
            o.applicant = person(r[at_user:at_unit])
            o.unit = unread(OrgUnitRecord(*r[at_unit:at_task]), unit_unread) if r[at_unit] is not None else None
            o.open_tasks = []
            firsts.append(r)
        if r[at_task] is not None:
            t = TaskRecord(*r[at_task:at_assignee], o.kind)
            t.assignee, t.delegate = person(r[at_assignee:at_delegate]), person(r[at_delegate : at_delegate + _N_USER])
            o.open_tasks.append(t)
    result = to_page(firsts, list(orders.values()), lambda r: (_sort_value(r[n_order]), r[0]), page)
    if not total:
        return result, None
    if not rows:  # past the end: the total still counts
        return result, await total_orders(session, actor, f, now)
    return result, await finish_count(session, WorkOrder.__table__, lambda: order_conditions(actor, f, now), int(rows[0][-1]))


@lru_cache(maxsize=512)
def _shaped_statement(
    shape: tuple[Any, ...], sort: WorkOrderSort, after: bool, total: bool, edge: Callable[[Any, bool], Any]
) -> Select[Any]:
    """list_orders_shaped's statement: per row of the page, `edge(page, sees_all)` (its JSON text), the sort key, the
    id and, when asked, the capped total; built once per filter shape, sort, page kind and edge."""
    p, desc = _page_subquery(shape, sort, after, [c for c in ORDER_COLS if c is not WO.payload])  # the form is never shaped
    cols = [edge(p, shape[0]).label("edge"), p.c.sort_key, p.c.id]
    if total:
        cols.append(count_expression("postgresql", WorkOrder.__table__, _where(*shape)).label("total"))
    return select(*cols).order_by(p.c.sort_key.desc() if desc else p.c.sort_key, p.c.id.desc() if desc else p.c.id)


async def list_orders_shaped(
    session: Db, actor: Actor, f: WorkOrderFilter, sort: WorkOrderSort, page: PageRequest, now: datetime, *, total: bool,
    edge: Callable[[Any, bool], Any],
) -> tuple[Page[str], Count | None]:  # fmt: skip
    """list_orders_joined for PostgreSQL with the page written as JSON by the statement itself: `edge(page, sees_all)`
    gives one row's JSON text from the page subquery's columns (the order's plain columns, by name) under the
    actor's scope (schema/shaped.py builds it); the page holds those texts, in order."""
    shape, params = _filter_params(actor, f, now)
    if page.after is not None:
        params |= _after_values(page.after)
    stmt = _shaped_statement(shape, sort, page.after is not None, total, edge)
    rows = list(await session.execute(stmt, params | {"page_limit": page.first + 1}))
    result = to_page(rows, [r[0] for r in rows], lambda r: (_sort_value(r[1]), r[2]), page)
    if not total:
        return result, None
    if not rows:
        return result, await total_orders(session, actor, f, now)
    return result, await finish_count(session, WorkOrder.__table__, lambda: order_conditions(actor, f, now), int(rows[0][-1]))


async def count_orders(session: Db, actor: Actor, f: WorkOrderFilter, now: datetime) -> int:
    stmt = select(func.count()).select_from(WorkOrder.__table__).where(*order_conditions(actor, f, now))
    return int((await session.execute(stmt)).scalar_one())


async def total_orders(session: Db, actor: Actor, f: WorkOrderFilter, now: datetime) -> Count:
    """The list's totalCount: exact up to 10,000 orders, estimated beyond (core.db.pagination.count_rows)."""
    return await count_rows(session, WorkOrder.__table__, order_conditions(actor, f, now))


def _actionable(actor: Actor, roles: set[str], now: datetime) -> ColumnElement[bool]:
    open_task = select(T.order_id).where(T.status == TaskStatus.OPEN, T.order_id == WO.id, may_act(actor, roles, now))
    return and_(WO.status == WorkOrderStatus.PROCESSING, readable(actor), open_task.exists())


async def list_my_tasks(session: Db, actor: Actor, page: PageRequest, now: datetime) -> Page[WorkOrderRecord]:
    """Orders waiting on a decision the actor may take now (their own, delegated to them, or their role's), oldest first."""
    roles = await role_codes(session, actor.user_id)
    stmt = select(*ORDER_COLS).where(_actionable(actor, roles, now))
    return await _page(session, stmt, WorkOrderSort.CREATED_ASC, page)


async def count_my_tasks(session: Db, actor: Actor, now: datetime) -> int:
    roles = await role_codes(session, actor.user_id)
    stmt = select(func.count()).select_from(WorkOrder.__table__).where(_actionable(actor, roles, now))
    return int((await session.execute(stmt)).scalar_one())


async def orders_by_ids(session: Db, actor: Actor, order_ids: Iterable[int]) -> dict[int, WorkOrderRecord]:
    wanted = sorted(set(order_ids))
    if not wanted:
        return {}
    rows = await session.execute(select(*ORDER_COLS).where(WO.id.in_(wanted), readable(actor)))
    return {r[0]: WorkOrderRecord(*r) for r in rows}


async def tasks_by_orders(session: Db, order_ids: Iterable[int], *, open_only: bool) -> dict[int, list[TaskRecord]]:
    wanted = sorted(set(order_ids))
    out: dict[int, list[TaskRecord]] = {i: [] for i in wanted}
    if wanted:
        stmt = select(*TASK_COLS, WO.kind).join_from(WorkOrderTask.__table__, WorkOrder.__table__, WO.id == T.order_id)
        stmt = stmt.where(T.order_id.in_(wanted))
        if open_only:
            stmt = stmt.where(T.status == TaskStatus.OPEN)
        for r in await session.execute(stmt.order_by(T.order_id, T.id)):
            out[r[1]].append(TaskRecord(*r))
    return out


async def _children(session: Db, table: Any, cols: list[Any], record: Any, order_ids: Iterable[int]) -> dict[int, list[Any]]:
    wanted = sorted(set(order_ids))
    out: dict[int, list[Any]] = {i: [] for i in wanted}
    if wanted:
        c = table.c
        for r in await session.execute(select(*cols).where(c.order_id.in_(wanted)).order_by(c.order_id, c.id)):
            out[r[1]].append(record(*r))
    return out


async def events_by_orders(session: Db, order_ids: Iterable[int]) -> dict[int, list[EventRecord]]:
    e = WorkOrderEvent.__table__.c
    cols = [e.id, e.order_id, e.kind, e.actor_id, e.actor_name, e.at, e.step, e.from_status, e.to_status, e.from_step,
            e.to_step, e.comment, e.detail]  # fmt: skip
    return await _children(session, WorkOrderEvent.__table__, cols, EventRecord, order_ids)


async def clocks_by_orders(session: Db, order_ids: Iterable[int]) -> dict[int, list[SlaRecord]]:
    c = WorkOrderSla.__table__.c
    cols = [c.id, c.order_id, c.scope, c.step, c.target_seconds, c.intervals, c.state, c.warn_at, c.due_at, c.warned_at,
            c.breached_at, c.escalated_at, c.stopped_at, c.around_the_clock]  # fmt: skip
    return await _children(session, WorkOrderSla.__table__, cols, SlaRecord, order_ids)


async def dispatches_by_orders(session: Db, order_ids: Iterable[int]) -> dict[int, list[DispatchRecord]]:
    d = WorkOrderDispatch.__table__.c
    cols = [d.id, d.order_id, d.step, d.round, d.platform, d.operation, d.idempotency_key, d.status, d.reference,
            d.attempts, d.last_error, d.created_at, d.updated_at, d.confirmed_at]  # fmt: skip
    return await _children(session, WorkOrderDispatch.__table__, cols, DispatchRecord, order_ids)


async def attachments_by_orders(session: Db, order_ids: Iterable[int]) -> dict[int, list[AttachmentRecord]]:
    a = WorkOrderAttachment.__table__.c
    cols = [a.id, a.order_id, a.storage_key, a.filename, a.content_type, a.size, a.sm3, a.uploaded_by, a.uploaded_at]
    return await _children(session, WorkOrderAttachment.__table__, cols, AttachmentRecord, order_ids)


async def links_by_orders(session: Db, order_ids: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    wanted = sorted(set(order_ids))
    out: dict[int, list[tuple[str, int]]] = {i: [] for i in wanted}
    if wanted:
        link = WorkOrderLink.__table__.c
        stmt = select(link.order_id, link.target_type, link.target_id).where(link.order_id.in_(wanted))
        for r in await session.execute(stmt.order_by(link.order_id, link.target_type, link.target_id)):
            out[r[0]].append((r[1], r[2]))
    return out


async def export_batches(db: Db, actor: Actor, f: WorkOrderFilter, now: datetime, batch: int = 1000) -> AsyncIterator[list[Any]]:
    """The filtered orders with their unit's and applicant's names, oldest first, `batch` rows per statement
    (keyset on id: each batch is a short indexed read, and nothing holds more than one batch)."""
    unit = OrgUnit.__table__.alias("export_unit")
    person = User.__table__.alias("export_applicant")
    cols = [WO.id, WO.number, WO.kind, WO.title, WO.status, WO.step, unit.c.name, person.c.display_name, WO.created_at,
            WO.due_at, WO.overdue, WO.finished_at]  # fmt: skip
    base = (
        select(*cols)
        .select_from(WorkOrder.__table__.join(unit, unit.c.id == WO.unit_id).outerjoin(person, person.c.id == WO.applicant_id))
        .where(*order_conditions(actor, f, now))
        .order_by(WO.id)
        .limit(batch)
    )
    last = 0
    while True:
        rows = list(await db.execute(base.where(WO.id > last)))
        if not rows:
            return
        yield rows
        last = rows[-1][0]


async def orders_by_targets(
    db: Db, actor: Actor, target_type: str, target_ids: Iterable[int]
) -> dict[int, list[WorkOrderRecord]]:
    """Every order the actor may see that touched each record (a card's full history), newest first."""
    wanted = sorted(set(target_ids))
    out: dict[int, list[WorkOrderRecord]] = {i: [] for i in wanted}
    if not wanted:
        return out
    link = WorkOrderLink.__table__.c
    stmt = (
        select(link.target_id, *ORDER_COLS)
        .join_from(WorkOrderLink.__table__, WorkOrder.__table__, WO.id == link.order_id)
        .where(link.target_type == target_type, link.target_id.in_(wanted), readable(actor))
        .order_by(link.target_id, WO.id.desc())
    )
    for r in await db.execute(stmt):
        out[r[0]].append(WorkOrderRecord(*r[1:]))
    return out
