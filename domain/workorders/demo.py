"""Demo work orders, made through the engine as the demo people would: an area's demo module builds the forms, this
walks each order to its fate (waiting for the leader or the review, returned, rejected, withdrawn, approved)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.uow import UnitOfWork
from domain.identity.actor import Actor
from domain.identity.auth import actor_of
from domain.identity.models import User
from domain.workorders import engine as wo
from domain.workorders import numbering

UNITS = ("PD", "HP", "GA", "XH", "JA", "MH")  # access units whose demo people apply (code_user) and approve (code_admin)
# One order per fate and unit; the approved ones are dispatched when the platforms run (make run starts them).
FATES = ("leader", "review", "returned", "rejected", "withdrawn", "approved", "approved")


async def demo_actor(uow: UnitOfWork, username: str) -> Actor | None:
    """A demo person as they act now (roles, unit), or None when seed-demo did not make them."""
    user_id = (await uow.session.execute(select(User.id).where(User.username == username))).scalar_one_or_none()
    return None if user_id is None else await actor_of(uow.session, user_id)


async def walk(factory: Callable[[], Any], engine: AsyncEngine, kind: str, form: dict[str, Any], fate: str,
               applicant: Actor, leader: Actor, reviewer: Actor, at: datetime) -> int:  # fmt: skip
    """Submit the order at `at` as `applicant`, then take it to `fate` with the leader and the reviewer; returns 1."""
    number = await numbering.next_number(engine, at)
    async with UnitOfWork(factory) as uow:
        order = await wo.submit(uow, applicant, kind, form, number=number, now=at)
        oid = order.id
    steps: list[Callable[[UnitOfWork], Any]] = {
        "leader": [],
        "review": [lambda uow: wo.approve(uow, leader, oid, comment="同意", now=at + timedelta(minutes=15))],
        "returned": [lambda uow: wo.return_for_changes(
            uow, leader, oid, "请补充使用人联系方式 / add the holders' phone numbers", now=at + timedelta(minutes=10))],
        "rejected": [
            lambda uow: wo.approve(uow, leader, oid, comment="同意", now=at + timedelta(hours=1)),
            lambda uow: wo.reject(uow, reviewer, oid, "用途与申请单位职能不符 / not within the unit's duties",
                                  now=at + timedelta(hours=3)),
        ],
        "withdrawn": [lambda uow: wo.withdraw(uow, applicant, oid, "需求取消 / no longer needed", now=at + timedelta(minutes=30))],
        "approved": [
            lambda uow: wo.approve(uow, leader, oid, comment="同意", now=at + timedelta(hours=1)),
            lambda uow: wo.approve(uow, reviewer, oid, comment="审核通过", now=at + timedelta(hours=2)),
        ],
    }[fate]  # fmt: skip
    for act in steps:
        async with UnitOfWork(factory) as uow:
            await act(uow)
    return 1
