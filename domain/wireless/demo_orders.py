"""Demo work orders for the wireless kinds, in every state, made through the engine as the demo people would.

Each access unit with demo people gets one order per fate: waiting for its leader, waiting for the Big Data
Center's review, returned for changes, rejected, withdrawn, and approved. The approved ones are handed to the
platforms, so `make run` (whose simulators start with the server) completes them a moment after it starts,
and the first screen shows orders dispatching, then completed, with the cards they opened or changed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

import domain.flows  # noqa: F401  (every kind registered: the orders are submitted through the engine)
from core.clock import utcnow
from core.db.engine import create_session_factory
from core.db.uow import UnitOfWork
from domain.wireless.demo import APPLICATIONS
from domain.wireless.enums import SimCardStatus, TerminalAccountStatus
from domain.wireless.models import SimCard, SimPlan, TerminalAccount
from domain.workorders.demo import FATES, UNITS, demo_actor, walk
from domain.workorders.models import WorkOrder

KINDS = ("wireless.open", "wireless.plan_change", "wireless.access", "wireless.cancel", "wireless.replace")
NAMES = ["王伟", "李芳", "张敏", "刘静", "陈磊", "杨洋", "黄勇", "赵军"]


async def _cards(uow: UnitOfWork, unit_id: int) -> list[tuple[str, str, int]]:
    """The unit's active cards that have a terminal account: (ICCID, carrier, plan id), in a fixed order."""
    stmt = (
        select(SimCard.iccid, SimCard.carrier, SimCard.plan_id)
        .join(TerminalAccount, TerminalAccount.card_id == SimCard.id)
        .where(SimCard.unit_id == unit_id, SimCard.status == SimCardStatus.ACTIVE,
               TerminalAccount.status == TerminalAccountStatus.ACTIVE)
        .order_by(SimCard.id)
    )  # fmt: skip
    return [(iccid, carrier.value, plan) for iccid, carrier, plan in await uow.session.execute(stmt)]


def _form(kind: str, rng: random.Random, card: tuple[str, str, int] | None, plans: dict[str, list[tuple[int, str]]]) -> Any:
    apps = [code for code, _, _ in rng.sample(APPLICATIONS, 2)]
    if kind == "wireless.open" or card is None:
        carrier = rng.choice(sorted(plans))
        n = rng.randint(1, 3)
        return "wireless.open", {
            "carrier": carrier, "domain": rng.choice(["SINGLE", "DUAL"]), "planCode": rng.choice(plans[carrier])[1],
            "quantity": n, "holders": [{"name": rng.choice(NAMES), "phone": f"139{rng.randint(10**7, 10**8 - 1)}"} for _ in range(n)],
            "applications": apps, "reason": "新增移动执法终端 / new field terminals",
        }  # fmt: skip
    iccid, carrier, plan_id = card
    if kind == "wireless.plan_change":
        other = [code for pid, code in plans[carrier] if pid != plan_id]
        return kind, {"iccid": iccid, "planCode": rng.choice(other), "reason": "流量不足 / needs more data"}
    if kind == "wireless.access":
        return kind, {"iccid": iccid, "applications": apps, "reason": "岗位调整 / new duties"}
    return kind, {"iccid": iccid, "reason": "人员调离 / holder left" if kind == "wireless.cancel" else "卡损坏 / card damaged"}


async def seed_orders(engine: AsyncEngine, seed: int = 2026, now: datetime | None = None) -> int:
    """Make the demo orders once (none when any wireless order exists); returns how many were made."""
    factory = create_session_factory(engine)
    now, rng = now or utcnow(), random.Random(seed)
    async with factory() as s:
        if (await s.execute(select(func.count()).select_from(WorkOrder).where(WorkOrder.kind.like("wireless.%")))).scalar_one():
            return 0
        plans: dict[str, list[tuple[int, str]]] = {}
        for pid, carrier, code in await s.execute(select(SimPlan.id, SimPlan.carrier, SimPlan.code).order_by(SimPlan.id)):
            plans.setdefault(carrier.value, []).append((pid, code))
    made = 0
    for u, unit in enumerate(UNITS):
        async with UnitOfWork(factory) as uow:
            applicant, leader = await demo_actor(uow, f"{unit.lower()}_user"), await demo_actor(uow, f"{unit.lower()}_admin")
            reviewer = await demo_actor(uow, "operator")
            if applicant is None or leader is None or reviewer is None:
                continue
            cards = await _cards(uow, applicant.org_unit_id)
        for f, fate in enumerate(FATES):
            kind = KINDS[(u + f) % len(KINDS)]
            card = cards.pop(rng.randrange(len(cards))) if cards and kind != "wireless.open" else None
            kind, form = _form(kind, rng, card, plans)
            # Finished and approved orders from the last weeks; those still waiting from the last hours.
            at = now - (timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 8)) if fate in (
                "rejected", "withdrawn", "approved") else timedelta(minutes=rng.randint(20, 240)))  # fmt: skip
            made += await walk(factory, engine, kind, form, fate, applicant, leader, reviewer, at)
    return made
