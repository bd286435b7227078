"""All work order SQL: scoped reads (readable(actor)), eligibility, lists, timelines and statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.engine import Db
from domain.identity.actor import Actor
from domain.identity.enums import OrgUnitKind, UserStatus
from domain.identity.models import OrgUnit, Role, User, UserRole
from domain.workorders.enums import ScopeKind, TaskStatus
from domain.workorders.models import WorkOrder, WorkOrderTask

WO = WorkOrder.__table__.c
T = WorkOrderTask.__table__.c
U = OrgUnit.__table__.c
US = User.__table__.c
UR = UserRole.__table__.c
R = Role.__table__.c


def readable(actor: Actor) -> ColumnElement[bool]:
    """Management staff see every order; an access unit's people see their unit subtree's orders."""
    if actor.sees_all_units:
        return true()
    return WO.unit_id.in_(select(U.id).where(U.path.startswith(actor.unit_path, autoescape=True)).scalar_subquery())


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
