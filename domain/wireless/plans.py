"""Plan changes on the registry. A carrier confirms a change with the day it takes effect (its rule: the first of
next month, or today when urgent); a change for a later day waits on the card (next_plan_*) until the daily
`wireless.plans_due` job brings it into force, so the registry shows the plan the carrier bills, and the one coming."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.clock import beijing_today, utcnow
from core.db.uow import UnitOfWork
from domain.wireless.enums import SimCardEventKind, SimCardStatus
from domain.wireless.models import SimCard, SimCardEvent, SimPlan

IN_SERVICE = (SimCardStatus.ACTIVE, SimCardStatus.SUSPENDED)
BATCH = 500


async def _code(uow: UnitOfWork, plan_id: int | None) -> str | None:
    plan = None if plan_id is None else await uow.session.get(SimPlan, plan_id)
    return None if plan is None else plan.code


def _event(uow: UnitOfWork, card: SimCard, kind: SimCardEventKind, order_id: int | None, now: datetime,
           detail: dict[str, object]) -> None:  # fmt: skip
    uow.session.add(SimCardEvent(card_id=card.id, kind=kind, order_id=order_id, actor_name="系统", at=now, detail=detail))


async def confirmed(uow: UnitOfWork, card: SimCard, plan: SimPlan, effective: date, *, order_id: int | None,
                    now: datetime | None = None) -> None:  # fmt: skip
    """A change the carrier confirmed: in force at once when `effective` is today (Beijing) or earlier, else waiting
    on the card. A later confirmation replaces a waiting one; a change back to the card's plan cancels it."""
    now = now or utcnow()
    old, waiting = await _code(uow, card.plan_id), await _code(uow, card.next_plan_id)
    card.updated_at = now
    if effective <= beijing_today(now):
        card.plan_id = plan.id
        card.next_plan_id = card.next_plan_from = card.next_plan_order_id = None
        detail: dict[str, object] = {"from": old, "to": plan.code, "effectiveFrom": effective.isoformat()}
        _event(uow, card, SimCardEventKind.PLAN_CHANGED, order_id, now, detail | ({"replaces": waiting} if waiting else {}))
        return
    if plan.id == card.plan_id:
        card.next_plan_id = card.next_plan_from = card.next_plan_order_id = None
    else:
        card.next_plan_id, card.next_plan_from, card.next_plan_order_id = plan.id, effective, order_id
    detail = {"from": old, "to": plan.code, "effectiveFrom": effective.isoformat()}
    _event(uow, card, SimCardEventKind.PLAN_SCHEDULED, order_id, now, detail | ({"replaces": waiting} if waiting else {}))


async def bring_into_force(uow: UnitOfWork, now: datetime | None = None) -> int:
    """Every waiting change whose day has come (Beijing), for cards still in service; a card cancelled or replaced
    meanwhile drops its waiting change. Returns how many cards changed plan."""
    now = now or utcnow()
    today, changed = beijing_today(now), 0
    while True:
        stmt = (
            select(SimCard).where(SimCard.next_plan_from <= today, SimCard.next_plan_id.is_not(None))
            .order_by(SimCard.id).limit(BATCH).with_for_update(skip_locked=True)
        )  # fmt: skip
        cards = list((await uow.session.execute(stmt)).scalars())
        if not cards:
            return changed
        for card in cards:
            if card.status in IN_SERVICE:
                old, new = await _code(uow, card.plan_id), await _code(uow, card.next_plan_id)
                assert card.next_plan_id is not None and card.next_plan_from is not None
                card.plan_id = card.next_plan_id
                _event(uow, card, SimCardEventKind.PLAN_CHANGED, card.next_plan_order_id, now,
                       {"from": old, "to": new, "effectiveFrom": card.next_plan_from.isoformat()})  # fmt: skip
                changed += 1
            card.next_plan_id = card.next_plan_from = card.next_plan_order_id = None
            card.updated_at = now
        await uow.session.flush()
