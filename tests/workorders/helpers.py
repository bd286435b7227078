"""Helpers for the engine tests: people, actors built from the database, and running use cases as a user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.crypto import hash_password
from core.errors import DomainError, DomainErrors
from domain.identity import repository as identity
from domain.identity.actor import Actor
from domain.identity.enums import RoleUnitKind, UserStatus
from domain.identity.models import OrgUnit, Role, User
from domain.workorders import engine, numbering
from domain.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderTask
from tests.conftest import DEMO_PASSWORD


async def make_user(services: Any, username: str, unit_code: str, role_code: str | None) -> None:
    async with services.unit_of_work() as uow:
        s = uow.session
        unit = (await s.execute(select(OrgUnit).where(OrgUnit.code == unit_code))).scalar_one()
        now = utcnow()
        user = User(
            username=username, display_name=username, org_unit_id=unit.id, status=UserStatus.ACTIVE,
            password_hash=hash_password(DEMO_PASSWORD, 1000), password_changed_at=now, failed_logins=0, created_at=now, updated_at=now,
        )  # fmt: skip
        s.add(user)
        await s.flush()
        if role_code is not None:
            role = (await s.execute(select(Role).where(Role.code == role_code))).scalar_one_or_none()
            if role is None:
                role = Role(code=role_code, name=role_code, description="test", unit_kind=RoleUnitKind.MANAGEMENT,
                            built_in=False, created_at=now, updated_at=now)  # fmt: skip
                s.add(role)
                await s.flush()
            await identity.set_user_roles(s, user.id, {role.id}, None, now)


async def actor(services: Any, username: str) -> Actor:
    async with services.session_factory() as s:
        user = (await s.execute(select(User).where(User.username == username))).scalar_one()
        unit = await s.get(OrgUnit, user.org_unit_id)
        assert unit is not None
        roles = await identity.roles_by_user_ids(s, [user.id])
        perms = await identity.permissions_by_role_ids(s, [r.id for r in roles.get(user.id, [])])
    return Actor(
        user_id=user.id, username=user.username, display_name=user.display_name, org_unit_id=unit.id,
        unit_kind=unit.kind, unit_path=unit.path, permissions=frozenset(p for ps in perms.values() for p in ps),
    )  # fmt: skip


class Engine:
    """Run engine use cases as a named user, each in its own unit of work (as a request would)."""

    def __init__(self, services: Any) -> None:
        self.services = services

    async def submit(self, username: str, kind: str, form: dict[str, Any], now: datetime | None = None) -> int:
        number = await numbering.next_number(self.services.engine, now)
        who = await actor(self.services, username)
        async with self.services.unit_of_work() as uow:
            order = await engine.submit(uow, who, kind, form, number=number, now=now)
        return order.id

    async def act(self, username: str, action: str, order_id: int, *args: Any, **kwargs: Any) -> WorkOrder:
        who = await actor(self.services, username)
        async with self.services.unit_of_work() as uow:
            fn = getattr(engine, action)
            return await fn(uow, who, order_id, *args, **kwargs)


async def snapshot(services: Any, order_id: int) -> tuple[Any, ...]:
    """Everything an action may change: refused actions must leave it identical."""
    async with services.session_factory() as s:
        order = await s.get(WorkOrder, order_id)
        assert order is not None
        events = (await s.execute(select(func.count()).where(WorkOrderEvent.order_id == order_id))).scalar_one()
        tasks = (await s.execute(select(WorkOrderTask.id, WorkOrderTask.status, WorkOrderTask.assignee_id, WorkOrderTask.delegate_id)
                                 .where(WorkOrderTask.order_id == order_id).order_by(WorkOrderTask.id))).all()  # fmt: skip
        return order.status, order.step, order.version, order.round, dict(order.payload), events, tuple(tasks)


async def refused(wo: Any, code: str, username: str, action: str, order_id: int, *args: Any, **kwargs: Any) -> None:
    before = await snapshot(wo.services, order_id)
    with pytest.raises((DomainError, DomainErrors)) as caught:
        await wo.act(username, action, order_id, *args, **kwargs)
    exc = caught.value
    codes = [e.code.value for e in exc.errors] if isinstance(exc, DomainErrors) else [exc.code.value]
    assert codes[0] == code, (codes, str(exc))
    assert await snapshot(wo.services, order_id) == before


async def order(services: Any, order_id: int) -> WorkOrder:
    async with services.session_factory() as s:
        found = await s.get(WorkOrder, order_id)
        assert found is not None
        return found


async def timeline(services: Any, order_id: int) -> list[str]:
    async with services.session_factory() as s:
        stmt = select(WorkOrderEvent.kind).where(WorkOrderEvent.order_id == order_id).order_by(WorkOrderEvent.id)
        return [k.value for k in (await s.execute(stmt)).scalars()]


async def tasks(services: Any, order_id: int) -> list[tuple[str, str, str | None]]:
    async with services.session_factory() as s:
        stmt = (select(WorkOrderTask.step, WorkOrderTask.status, User.username)
                .outerjoin(User, User.id == WorkOrderTask.acted_by).where(WorkOrderTask.order_id == order_id)
                .order_by(WorkOrderTask.id))  # fmt: skip
        return [(r[0], r[1].value, r[2]) for r in await s.execute(stmt)]


async def user_id(wo: Any, username: str) -> int:
    async with wo.services.session_factory() as s:
        return (await s.execute(select(User.id).where(User.username == username))).scalar_one()
