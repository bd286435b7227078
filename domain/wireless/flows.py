"""The wireless work order kinds (modules 5-10), declared for the engine.

Every kind: the access unit's leader approves, the Big Data Center reviews, then the order goes to the
platforms, and the registry changes only when they confirm. Open (开户) is here; the kinds that change a card in
service are in changes.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from core.clock import utcnow
from domain.catalog import repository as catalog
from domain.catalog.enums import CatalogStatus
from domain.catalog.models import Application
from domain.wireless import service
from domain.wireless.enums import Carrier, SimCardStatus, TerminalAccountStatus
from domain.wireless.forms import OpenForm
from domain.wireless.models import SimCard, SimPlan, TerminalAccount, terminal_account_application
from domain.workorders.errors import Code, error
from domain.workorders.flow import MANAGEMENT_REVIEW, UNIT_LEADER, Dispatch, Flow, Step, StepContext, register
from domain.workorders.models import WorkOrderLink

SUPPORT = "wireless_support"
LEADER, REVIEW = UNIT_LEADER, MANAGEMENT_REVIEW
CARRIER_NAMES = {Carrier.CBN: "广电", Carrier.TELECOM: "电信", Carrier.MOBILE: "移动", Carrier.UNICOM: "联通"}


async def _plan(ctx: StepContext, carrier: Carrier, code: str) -> SimPlan:
    plan = (await ctx.uow.session.execute(select(SimPlan).where(SimPlan.code == code))).scalar_one_or_none()
    if plan is None or plan.carrier is not carrier:
        raise error(
            Code.INVALID_INPUT,
            f"套餐{code}不是{CARRIER_NAMES[carrier]}的 / Plan {code} is not {carrier.value}'s",
            "form.planCode",
        )
    if plan.status is not CatalogStatus.ACTIVE:
        raise error(Code.INVALID_INPUT, f"套餐{code}已停售 / Plan {code} is retired", "form.planCode")
    return plan


async def _applications(ctx: StepContext, codes: list[str]) -> list[Application]:
    found, unknown = await catalog.offered(ctx.uow.session, codes)
    if unknown:
        raise error(
            Code.INVALID_INPUT,
            f"应用不存在或已下线 / Unknown or retired applications: {', '.join(unknown)}",
            "form.applications",
        )
    return found


async def _check_open(ctx: StepContext) -> None:
    form: OpenForm = ctx.form
    await _plan(ctx, form.carrier, form.plan_code)
    await _applications(ctx, form.applications)


def _open_request(ctx: StepContext) -> dict[str, Any]:
    form: OpenForm = ctx.form
    return {
        "orderNumber": ctx.order.number, "domain": form.domain.value, "planCode": form.plan_code, "quantity": form.quantity,
        "holders": [{"name": h.name, "phone": h.phone} for h in form.holders],
    }  # fmt: skip


async def _register_cards(ctx: StepContext) -> None:
    """The carrier's confirmation: its cards enter the registry, linked to the order (once: a dispatch settles once)."""
    form: OpenForm = ctx.form
    cards = ctx.result.get("cards") or []
    if len(cards) != form.quantity:  # a platform answering the wrong count is a fault to fix, not to guess around
        raise RuntimeError(f"{form.carrier.value} returned {len(cards)} cards for {form.quantity}")
    plan = await _plan(ctx, form.carrier, form.plan_code)
    now = utcnow()
    for holder, issued in zip(form.holders, cards, strict=True):
        card = await service.register(
            ctx.uow, service.IssuedCard(issued["iccid"], issued["msisdn"], issued["imsi"], holder.name, holder.phone),
            carrier=form.carrier, domain=form.domain, plan_id=plan.id, unit_id=ctx.order.unit_id, order_id=ctx.order.id,
            now=now,
        )  # fmt: skip
        ctx.uow.session.add(WorkOrderLink(order_id=ctx.order.id, target_type="SimCard", target_id=card.id))
    await ctx.uow.session.flush()


async def _cards_of(ctx: StepContext) -> list[SimCard]:
    link = WorkOrderLink.__table__.c
    ids = select(link.target_id).where(link.order_id == ctx.order.id, link.target_type == "SimCard")
    stmt = select(SimCard).where(SimCard.id.in_(ids), SimCard.status == SimCardStatus.ACTIVE).order_by(SimCard.id)
    return list((await ctx.uow.session.execute(stmt)).scalars())


async def _account_requests(ctx: StepContext) -> list[dict[str, Any]]:
    form: OpenForm = ctx.form
    return [
        {"iccid": c.iccid, "msisdn": c.msisdn, "holder": {"name": c.holder_name, "phone": c.holder_phone},
         "applications": list(form.applications)}
        for c in await _cards_of(ctx)
    ]  # fmt: skip


async def _open_account(ctx: StepContext) -> None:
    """The support platform opened a card's terminal account: record it with the applications it may reach."""
    form: OpenForm = ctx.form
    card = (await ctx.uow.session.execute(select(SimCard).where(SimCard.iccid == ctx.request["iccid"]))).scalar_one()
    now = utcnow()
    account = TerminalAccount(
        card_id=card.id, account_name=ctx.result["accountName"], holder_name=card.holder_name or "", online=False,
        status=TerminalAccountStatus.ACTIVE, created_at=now, updated_at=now,
    )  # fmt: skip
    ctx.uow.session.add(account)
    await ctx.uow.session.flush()
    apps = await _applications(ctx, form.applications)
    await ctx.uow.session.execute(
        insert(terminal_account_application), [{"account_id": account.id, "application_id": a.id} for a in apps]
    )


def _open_title(form: OpenForm) -> str:
    domain = "双域" if form.domain.value == "DUAL" else "单域"
    return f"{CARRIER_NAMES[form.carrier]}{domain}专网卡开户 {form.quantity}张"


OPEN = register(Flow(
    "wireless.open", "专网卡开户", OpenForm, (
        Step("leader", "接入单位领导审批", LEADER, sla_hours=7, supervisor=REVIEW),
        Step("review", "管理单位审核", REVIEW, sla_hours=7),
        Step("activate", "运营商开卡", dispatch=Dispatch(
            lambda ctx: ctx.form.carrier.platform, "open", build=_open_request, on_confirmed=_register_cards), sla_hours=14),
        Step("accounts", "开通终端账号与应用权限", dispatch=Dispatch(
            SUPPORT, "account_open", build=_account_requests, on_confirmed=_open_account), sla_hours=7),
    ),
    sla_hours=35, title=_open_title, validate=_check_open,
))  # fmt: skip
