"""The wireless kinds that change a card already in service (modules 6-10): plan change, cancel, device-card
unbind, replacement, application access. Each names its card by ICCID; the card must be the applicant unit's
and in a status the change allows; the registry changes only when the platforms confirm."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, insert, select

from core.clock import beijing_today, utcnow
from domain.wireless import plans, service, validation
from domain.wireless.enums import SimCardEventKind, SimCardStatus, TerminalAccountStatus
from domain.wireless.flows import LEADER, REVIEW, SUPPORT, _applications, _plan
from domain.wireless.forms import CAMEL
from domain.wireless.models import SimCard, SimCardEvent, TerminalAccount, terminal_account_application
from domain.workorders.errors import Code, error
from domain.workorders.flow import Dispatch, Flow, Step, StepContext, in_order_unit, register
from domain.workorders.models import WorkOrderLink

IN_SERVICE = (SimCardStatus.ACTIVE, SimCardStatus.SUSPENDED)


class CardForm(BaseModel):
    model_config = CAMEL

    iccid: str = Field(min_length=19, max_length=20, description="The card's ICCID.")
    reason: str = Field(min_length=1, max_length=500, description="Why.")


class PlanChangeForm(CardForm):
    plan_code: str = Field(min_length=1, max_length=40, description="The new plan (the card's carrier's).")
    urgent: bool = Field(default=False, description="Effective at once instead of next month (the carrier's rule).")


class UnbindForm(CardForm):
    imei: str = Field(min_length=15, max_length=16, description="The device the card is bound to now.")


class AccessForm(CardForm):
    applications: list[str] = Field(min_length=1, max_length=50, description="The applications the card may reach from now on.")


async def card_of(ctx: StepContext, *, statuses: tuple[SimCardStatus, ...] = IN_SERVICE) -> SimCard:
    """The form's card: of the order's unit (or a unit below it), in an allowed status (INVALID_INPUT otherwise)."""
    iccid = validation.iccid(ctx.form.iccid)
    card = None
    if iccid is not None:
        card = (await ctx.uow.session.execute(select(SimCard).where(SimCard.iccid == iccid))).scalar_one_or_none()
    if card is not None and not await in_order_unit(ctx, card.unit_id):
        card = None  # another unit's card does not exist for this applicant
    if card is None:
        raise error(Code.INVALID_INPUT, "本单位没有这张卡 / No such card in your unit", "form.iccid")
    if card.status not in statuses:
        raise error(
            Code.INVALID_INPUT,
            f"卡状态为{card.status.value}，不能办理 / Not allowed for a {card.status.value} card",
            "form.iccid",
        )
    return card


async def _link(ctx: StepContext, card: SimCard) -> None:
    link = WorkOrderLink.__table__.c
    found = (await ctx.uow.session.execute(select(link.order_id).where(
        link.order_id == ctx.order.id, link.target_type == "SimCard", link.target_id == card.id))).first()  # fmt: skip
    if found is None:
        ctx.uow.session.add(WorkOrderLink(order_id=ctx.order.id, target_type="SimCard", target_id=card.id))


def _event(ctx: StepContext, card: SimCard, kind: SimCardEventKind, detail: dict[str, Any], now: datetime) -> None:
    ctx.uow.session.add(SimCardEvent(card_id=card.id, kind=kind, order_id=ctx.order.id, actor_name="系统", at=now, detail=detail))


async def _account(ctx: StepContext, card: SimCard) -> TerminalAccount | None:
    stmt = select(TerminalAccount).where(
        TerminalAccount.card_id == card.id, TerminalAccount.status == TerminalAccountStatus.ACTIVE
    )
    return (await ctx.uow.session.execute(stmt)).scalar_one_or_none()


async def _carrier_platform(ctx: StepContext) -> str:
    return (await card_of(ctx, statuses=tuple(SimCardStatus))).carrier.platform


def _steps(label: str, operation: str, build: Any, effect: Any, *extra: Step) -> tuple[Step, ...]:
    return (
        Step("leader", "接入单位领导审批", LEADER, sla_hours=7, supervisor=REVIEW),
        Step("review", "管理单位审核", REVIEW, sla_hours=7),
        Step("carrier", label, dispatch=Dispatch(_carrier_platform, operation, build=build, on_confirmed=effect), sla_hours=14),
        *extra,
    )


# --- cancel (销户) ---------------------------------------------------------------------------------------


async def _check_cancel(ctx: StepContext) -> None:
    await _link(ctx, await card_of(ctx))


async def _cancelled(ctx: StepContext) -> None:
    card = await card_of(ctx)
    await service.change_status(ctx.uow, card, SimCardStatus.CANCELLED, order_id=ctx.order.id, detail=dict(ctx.result))


async def _close_requests(ctx: StepContext) -> list[dict[str, Any]]:
    card = await card_of(ctx, statuses=(SimCardStatus.CANCELLED,))
    account = await _account(ctx, card)
    return [] if account is None else [{"accountName": account.account_name}]


async def _closed(ctx: StepContext) -> None:
    account = (await ctx.uow.session.execute(
        select(TerminalAccount).where(TerminalAccount.account_name == ctx.request["accountName"]))).scalar_one()  # fmt: skip
    account.status, account.closed_at, account.updated_at = TerminalAccountStatus.CLOSED, utcnow(), utcnow()


CANCEL = register(Flow("wireless.cancel", "专网卡销户", CardForm, _steps(
    "运营商销户", "cancel", lambda ctx: {"iccid": ctx.form.iccid}, _cancelled,
    Step("close", "关闭终端账号与权限", dispatch=Dispatch(SUPPORT, "account_close", build=_close_requests, on_confirmed=_closed)),
), sla_hours=35, title=lambda f: f"专网卡销户 {f.iccid}", validate=_check_cancel))  # fmt: skip


# --- plan change (套餐变更) ------------------------------------------------------------------------------


async def _check_plan(ctx: StepContext) -> None:
    card = await card_of(ctx)
    plan = await _plan(ctx, card.carrier, ctx.form.plan_code)
    # The carrier's rule: no change to the plan the card is heading for anyway, unless an urgent order brings a
    # waiting change forward.
    if plan.id == (card.next_plan_id or card.plan_id) and not (ctx.form.urgent and card.next_plan_id):
        raise error(Code.INVALID_INPUT, "新套餐与当前套餐相同 / The card already has this plan", "form.planCode")
    await _link(ctx, card)


async def _plan_changed(ctx: StepContext) -> None:
    card = await card_of(ctx)
    new = await _plan(ctx, card.carrier, ctx.form.plan_code)
    given = ctx.result.get("effectiveFrom")
    effective = date.fromisoformat(given) if isinstance(given, str) else beijing_today()
    await plans.confirmed(ctx.uow, card, new, effective, order_id=ctx.order.id)


PLAN_CHANGE = register(Flow("wireless.plan_change", "专网卡套餐变更", PlanChangeForm, _steps(
    "运营商变更套餐", "plan_change", lambda ctx: {"iccid": ctx.form.iccid, "toPlan": ctx.form.plan_code, "urgent": ctx.form.urgent},
    _plan_changed,
), sla_hours=35, title=lambda f: f"专网卡套餐变更 {f.iccid} → {f.plan_code}", validate=_check_plan))  # fmt: skip


# --- device-card unbind (机卡解绑) -----------------------------------------------------------------------


async def _check_unbind(ctx: StepContext) -> None:
    card = await card_of(ctx)
    if validation.imei(ctx.form.imei) is None:
        raise error(Code.INVALID_INPUT, "IMEI格式不正确 / Not a valid IMEI", "form.imei")
    if card.imei != ctx.form.imei:
        raise error(Code.INVALID_INPUT, "该卡未绑定这台设备 / The card is not bound to this device", "form.imei")
    await _link(ctx, card)


async def _released(ctx: StepContext) -> None:
    card = await card_of(ctx)
    released, card.imei, card.updated_at = card.imei, None, utcnow()
    _event(ctx, card, SimCardEventKind.IMEI_RELEASED, {"imei": released}, utcnow())


UNBIND = register(Flow("wireless.unbind", "机卡解绑", UnbindForm, _steps(
    "运营商解绑", "unbind", lambda ctx: {"iccid": ctx.form.iccid, "imei": ctx.form.imei}, _released,
), sla_hours=35, title=lambda f: f"机卡解绑 {f.iccid}", validate=_check_unbind))  # fmt: skip


# --- replacement (换卡) ----------------------------------------------------------------------------------


async def _check_replace(ctx: StepContext) -> None:
    await _link(ctx, await card_of(ctx))


async def _replaced(ctx: StepContext) -> None:
    """The new card takes the old one's number, plan, unit, holder and terminal account; the old one is REPLACED."""
    old = await card_of(ctx)
    issued = ctx.result["card"]
    new = await service.register(
        ctx.uow, service.IssuedCard(issued["iccid"], issued["msisdn"], issued["imsi"], old.holder_name, old.holder_phone),
        carrier=old.carrier, domain=old.domain, plan_id=old.plan_id, unit_id=old.unit_id, order_id=ctx.order.id,
    )  # fmt: skip
    await service.change_status(ctx.uow, old, SimCardStatus.REPLACED, order_id=ctx.order.id, detail={"by": new.iccid})
    old.replaced_by_id = new.id
    ctx.uow.session.add(WorkOrderLink(order_id=ctx.order.id, target_type="SimCard", target_id=new.id))


async def _rebind_requests(ctx: StepContext) -> list[dict[str, Any]]:
    """The old card's terminal account moves to the new card on the support platform (none: the step passes)."""
    old = await card_of(ctx, statuses=(SimCardStatus.REPLACED,))
    account = await _account(ctx, old)
    new = None if old.replaced_by_id is None else await ctx.uow.session.get(SimCard, old.replaced_by_id)
    if account is None or new is None:
        return []
    return [{"accountName": account.account_name, "iccid": new.iccid, "msisdn": new.msisdn}]


async def _rebound(ctx: StepContext) -> None:
    """The support platform moved the account: so does the registry, with the applications it had."""
    account = (await ctx.uow.session.execute(
        select(TerminalAccount).where(TerminalAccount.account_name == ctx.request["accountName"]))).scalar_one()  # fmt: skip
    new = (await ctx.uow.session.execute(select(SimCard).where(SimCard.iccid == ctx.request["iccid"]))).scalar_one()
    account.card_id, account.updated_at = new.id, utcnow()
    _event(ctx, new, SimCardEventKind.EDITED, {"terminalAccount": account.account_name, "from": ctx.form.iccid}, utcnow())


REPLACE = register(Flow("wireless.replace", "专网卡换卡", CardForm, _steps(
    "运营商换卡", "replace", lambda ctx: {"iccid": ctx.form.iccid}, _replaced,
    Step("rebind", "终端账号迁移到新卡", dispatch=Dispatch(SUPPORT, "account_rebind", build=_rebind_requests, on_confirmed=_rebound)),
), sla_hours=35, title=lambda f: f"专网卡换卡 {f.iccid}", validate=_check_replace))  # fmt: skip


# --- application access (访问应用权限) -------------------------------------------------------------------


async def _check_access(ctx: StepContext) -> None:
    card = await card_of(ctx, statuses=(SimCardStatus.ACTIVE,))
    if await _account(ctx, card) is None:
        raise error(Code.INVALID_INPUT, "该卡没有终端账号 / The card has no terminal account", "form.iccid")
    await _applications(ctx, ctx.form.applications)
    await _link(ctx, card)


async def _access_request(ctx: StepContext) -> dict[str, Any]:
    account = await _account(ctx, await card_of(ctx, statuses=(SimCardStatus.ACTIVE,)))
    assert account is not None
    return {"accountName": account.account_name, "applications": list(ctx.form.applications)}


async def _access_set(ctx: StepContext) -> None:
    card = await card_of(ctx, statuses=(SimCardStatus.ACTIVE,))
    account = await _account(ctx, card)
    assert account is not None
    apps = await _applications(ctx, ctx.form.applications)
    await ctx.uow.session.execute(
        delete(terminal_account_application).where(terminal_account_application.c.account_id == account.id)
    )
    await ctx.uow.session.execute(
        insert(terminal_account_application), [{"account_id": account.id, "application_id": a.id} for a in apps]
    )
    _event(ctx, card, SimCardEventKind.APPLICATIONS_CHANGED, {"applications": list(ctx.form.applications)}, utcnow())


ACCESS = register(Flow("wireless.access", "访问应用权限申请与变更", AccessForm, (
    Step("leader", "接入单位领导审批", LEADER, sla_hours=7, supervisor=REVIEW),
    Step("review", "管理单位审核", REVIEW, sla_hours=7),
    Step("support", "开通应用权限", dispatch=Dispatch(SUPPORT, "permissions_set", build=_access_request, on_confirmed=_access_set)),
), sla_hours=21, title=lambda f: f"访问应用权限 {f.iccid}", validate=_check_access))  # fmt: skip
