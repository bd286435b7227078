"""Wireless use cases on the registry: cards enter it only with carrier-issued numbers, and every status change
goes through the transition table and the card's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.errors import DomainErrors
from domain.catalog import repository as catalog
from domain.catalog.enums import CatalogStatus
from domain.identity.journal import record_change
from domain.wireless import repository as repo
from domain.wireless import validation
from domain.wireless.enums import (
    CARD_TRANSITIONS,
    Carrier,
    SimCardDomain,
    SimCardEventKind,
    SimCardStatus,
    TerminalAccountStatus,
)
from domain.wireless.errors import Code, error
from domain.wireless.models import SimCard, SimCardEvent, SimPlan, TerminalAccount


@dataclass(frozen=True)
class IssuedCard:
    """A card as a carrier issued it."""

    iccid: str
    msisdn: str
    imsi: str
    holder_name: str | None = None
    holder_phone: str | None = None


def _history(uow: UnitOfWork, card: SimCard, kind: SimCardEventKind, actor_name: str, now: datetime, *,
             before: SimCardStatus | None = None, order_id: int | None = None, detail: dict[str, Any] | None = None) -> None:  # fmt: skip
    uow.session.add(SimCardEvent(
        card_id=card.id, kind=kind, from_status=before, to_status=card.status if before is not None or kind in (
            SimCardEventKind.REGISTERED, SimCardEventKind.ACTIVATED) else None,
        order_id=order_id, actor_name=actor_name, at=now, detail=detail or {},
    ))  # fmt: skip


async def register(uow: UnitOfWork, issued: IssuedCard, *, carrier: Carrier, domain: SimCardDomain, plan_id: int, unit_id: int,
                   status: SimCardStatus = SimCardStatus.ACTIVE, order_id: int | None = None, actor_name: str = "系统",
                   now: datetime | None = None) -> SimCard:  # fmt: skip
    """Put a carrier-issued card in the registry (INVALID_INPUT, DUPLICATE_CARD, PLAN_OF_ANOTHER_CARRIER)."""
    now = now or utcnow()
    iccid, msisdn, imsi = validation.iccid(issued.iccid), validation.msisdn(issued.msisdn), validation.imsi(issued.imsi)
    problems = [
        error(Code.INVALID_INPUT, message, field)
        for value, field, message in (
            (iccid, "iccid", "ICCID须为19-20位且校验位正确 / ICCID must be 19-20 digits with a valid check digit"),
            (msisdn, "msisdn", "手机号码格式不正确 / Not a mainland mobile number"),
            (imsi, "imsi", "IMSI须为460开头的15位数字 / IMSI must be 15 digits starting 460"),
        )
        if value is None
    ]
    if problems:
        raise DomainErrors(problems)
    plan = await uow.session.get(SimPlan, plan_id)
    if plan is None or plan.carrier is not carrier:
        raise error(Code.PLAN_OF_ANOTHER_CARRIER, "套餐不属于该运营商 / The plan is not this carrier's", "planId")
    taken = (await uow.session.execute(select(SimCard.id).where((SimCard.iccid == iccid) | (SimCard.imsi == imsi)))).first()
    if taken is not None:
        raise error(Code.DUPLICATE_CARD, f"卡已登记 / A card with ICCID {iccid} or IMSI {imsi} is already registered", "iccid")
    card = SimCard(
        iccid=iccid, msisdn=msisdn, imsi=imsi, domain=domain, carrier=carrier, plan_id=plan_id, unit_id=unit_id,
        holder_name=issued.holder_name, holder_phone=issued.holder_phone, status=status,
        activated_at=now if status is SimCardStatus.ACTIVE else None, created_at=now, updated_at=now,
    )  # fmt: skip
    uow.session.add(card)
    await uow.session.flush()
    kind = SimCardEventKind.ACTIVATED if status is SimCardStatus.ACTIVE else SimCardEventKind.REGISTERED
    _history(uow, card, kind, actor_name, now, order_id=order_id, detail={"carrier": carrier.value, "plan": plan.code})
    return card


async def change_status(uow: UnitOfWork, card: SimCard, to: SimCardStatus, *, order_id: int | None = None,
                        actor_name: str = "系统", now: datetime | None = None, detail: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Move a card through the transition table (INVALID_TRANSITION otherwise) and record it."""
    now = now or utcnow()
    if (card.status, to) not in CARD_TRANSITIONS:
        raise error(
            Code.INVALID_TRANSITION,
            f"卡状态{card.status.value}不能变为{to.value} / A {card.status.value} card cannot become {to.value}",
        )
    before = card.status
    card.status, card.updated_at = to, now
    if to is SimCardStatus.CANCELLED:
        card.cancelled_at = now
    if to in (SimCardStatus.CANCELLED, SimCardStatus.REPLACED):
        card.next_plan_id = card.next_plan_from = card.next_plan_order_id = None  # a waiting plan change lapses
    if to is SimCardStatus.ACTIVE and card.activated_at is None:
        card.activated_at = now
    _history(uow, card, SimCardEventKind.STATUS_CHANGED, actor_name, now, before=before, order_id=order_id, detail=detail)


async def ensure_catalog(uow: UnitOfWork, plans: list[dict[str, Any]], applications: list[dict[str, Any]],
                         now: datetime | None = None) -> None:  # fmt: skip
    """Add the plans and applications that are missing (by code); existing entries keep what people edited."""
    now = now or utcnow()
    have_plans = set((await uow.session.execute(select(SimPlan.code))).scalars())
    for p in plans:
        if p["code"] not in have_plans:
            uow.session.add(SimPlan(
                carrier=Carrier(p["carrier"]), code=p["code"], name=p["name"], monthly_fee=int(p["monthly_fee"]),
                data_gb=int(p["data_gb"]), status=CatalogStatus.ACTIVE, created_at=now,
            ))  # fmt: skip
    await catalog.ensure(uow, applications, now)
    await uow.session.flush()


async def update_account(
    uow: UnitOfWork, actor: Any, account_id: int, holder_name: str, now: datetime | None = None
) -> TerminalAccount:
    """Correct a terminal account's holder (the management unit; audited). NOT_FOUND, INVALID_INPUT, INVALID_TRANSITION."""
    now = now or utcnow()
    name = (holder_name or "").strip()
    if not 1 <= len(name) <= 64:
        raise error(Code.INVALID_INPUT, "持卡人姓名须为1-64个字符 / The holder's name takes 1-64 characters", "holderName")
    visible = await repo.accounts_by_ids(uow.session, actor, [account_id])
    account = await uow.session.get(TerminalAccount, account_id) if visible else None
    if account is None:
        raise error(Code.NOT_FOUND, "终端账号不存在或不在您的数据范围内 / No such terminal account in your data scope", "id")
    if account.status is TerminalAccountStatus.CLOSED:
        raise error(Code.INVALID_TRANSITION, "已关闭的账号不能修改 / A closed account cannot be edited", "id")
    before = account.holder_name
    account.holder_name, account.updated_at = name, now
    record_change(uow, actor, "wireless.terminal_account_update", "TerminalAccount", account.id,
                  accountName=account.account_name, holderName={"before": before, "after": name})  # fmt: skip
    return account
