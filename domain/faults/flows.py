"""The fault rectification flow (故障整改, module 28) as the `faults.rectify` work order kind.

Report -> review (the Big Data Center confirms it: the response) -> rectification (an operator repairs it, or has the
carrier or platform repair it; a manager may give it to a named person with workOrderReassign) -> verification
(a rejected check sends it back to rectification) -> closed. A review that rejects it ends it (a duplicate, a user
error). The clocks run around the clock, with targets from the fault's level: the review step's clock is the
response time, the order's the resolution time. A fault the system opens for an alert starts both at the alert's
first occurrence.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.clock import utcnow
from core.ids import InvalidGlobalId, decode_id
from domain.alerts.models import Alert
from domain.assets.models import Asset
from domain.catalog.enums import ServiceDomain
from domain.faults.enums import LEVEL_TARGETS, FaultStage
from domain.faults.forms import FaultForm
from domain.faults.models import Fault
from domain.identity.enums import OrgUnitKind
from domain.identity.models import OrgUnit
from domain.secure_access.models import SecureAccessAccount
from domain.wireless import validation as wireless_validation
from domain.wireless.models import SimCard
from domain.workorders import clocks
from domain.workorders.enums import SlaScope
from domain.workorders.errors import Code, error
from domain.workorders.flow import MANAGEMENT_REVIEW, Approvers, Flow, Step, StepContext, in_order_unit, register
from domain.workorders.models import WorkOrderLink

KIND = "faults.rectify"
RECTIFIERS = Approvers(MANAGEMENT_REVIEW.role, MANAGEMENT_REVIEW.scope)  # the Big Data Center's operators repair
FUTURE_SLACK = timedelta(minutes=5)  # clocks of the reporter's device may run a little fast
OLDEST = timedelta(days=366)


def _respond_hours(form: FaultForm) -> float:
    return LEVEL_TARGETS[form.level][0]


def _resolve_hours(form: FaultForm) -> float:
    return LEVEL_TARGETS[form.level][1]


async def fault_of(ctx: StepContext) -> Fault | None:
    return (await ctx.uow.session.execute(select(Fault).where(Fault.order_id == ctx.order.id))).scalar_one_or_none()


async def _card(ctx: StepContext, form: FaultForm) -> SimCard | None:
    if not form.iccid:
        return None
    if form.domain is not ServiceDomain.WIRELESS:
        raise error(Code.INVALID_INPUT, "只有无线网故障可以指定号卡 / Only a wireless fault names a card", "form.iccid")
    iccid = wireless_validation.iccid(form.iccid)
    card = None
    if iccid is not None:
        card = (await ctx.uow.session.execute(select(SimCard).where(SimCard.iccid == iccid))).scalar_one_or_none()
    if card is None or not await in_order_unit(ctx, card.unit_id):
        raise error(Code.INVALID_INPUT, "本单位没有这张卡 / No such card in your unit", "form.iccid")
    return card


async def _account(ctx: StepContext, form: FaultForm) -> SecureAccessAccount | None:
    if not form.account_name:
        return None
    if form.domain is not ServiceDomain.SECURE_ACCESS:
        raise error(Code.INVALID_INPUT, "只有安全接入故障可以指定账号 / Only a secure access fault names an account",
                    "form.accountName")  # fmt: skip
    name = form.account_name.strip().upper()
    stmt = select(SecureAccessAccount).where(SecureAccessAccount.account_name == name)
    account = (await ctx.uow.session.execute(stmt)).scalar_one_or_none()
    if account is None or not await in_order_unit(ctx, account.unit_id):
        raise error(Code.INVALID_INPUT, "本单位没有这个账号 / No such account in your unit", "form.accountName")
    return account


async def _asset(ctx: StepContext, form: FaultForm) -> Asset | None:
    if not form.asset_serial:
        return None
    serial = form.asset_serial.strip().upper()
    asset = (await ctx.uow.session.execute(select(Asset).where(Asset.serial == serial))).scalar_one_or_none()
    if asset is None or not await in_order_unit(ctx, asset.unit_id):
        raise error(Code.INVALID_INPUT, "本单位没有这台设备 / No such asset in your unit", "form.assetSerial")
    return asset


async def _alert(ctx: StepContext, form: FaultForm) -> Alert | None:
    """The linked alert: one the order's unit may see (unit-less alerts are the Big Data Center's), with no fault yet."""
    if not form.alert_id:
        return None
    try:
        alert = await ctx.uow.session.get(Alert, decode_id(form.alert_id, "Alert"))
    except InvalidGlobalId:
        alert = None
    if alert is not None:
        unit = await ctx.uow.session.get(OrgUnit, ctx.order.unit_id)
        management = unit is not None and unit.kind is OrgUnitKind.MANAGEMENT
        if not (management if alert.unit_id is None else management or await in_order_unit(ctx, alert.unit_id)):
            alert = None
    if alert is None:
        raise error(Code.INVALID_INPUT, "告警不存在或不在本单位范围内 / No such alert in your unit", "form.alertId")
    stmt = select(Fault.order_id).where(Fault.alert_id == alert.id, Fault.order_id != ctx.order.id)
    if (await ctx.uow.session.execute(stmt)).first() is not None:
        raise error(Code.INVALID_INPUT, "该告警已有故障单 / This alert already has a fault", "form.alertId")
    return alert


def _link(ctx: StepContext, target_type: str, target_id: int, linked: set[tuple[str, int]]) -> None:
    if (target_type, target_id) not in linked:
        ctx.uow.session.add(WorkOrderLink(order_id=ctx.order.id, target_type=target_type, target_id=target_id))


async def _check(ctx: StepContext) -> None:
    """On submit and resubmit: the form's records must be the unit's; the fault row follows the form."""
    form: FaultForm = ctx.form
    now = utcnow()
    if form.occurred_at > now + FUTURE_SLACK or form.occurred_at < now - OLDEST:
        raise error(Code.INVALID_INPUT, "发生时间须在过去一年内且不晚于现在 / It must have begun within the last year, not "
                    "in the future", "form.occurredAt")  # fmt: skip
    card, account, asset = await _card(ctx, form), await _account(ctx, form), await _asset(ctx, form)
    alert = await _alert(ctx, form)
    fault = await fault_of(ctx)
    if fault is None:
        fault = Fault(order_id=ctx.order.id, unit_id=ctx.order.unit_id, reporter_id=ctx.order.applicant_id,
                      stage=FaultStage.REVIEWING, reported_at=ctx.order.created_at)  # fmt: skip
        ctx.uow.session.add(fault)
    fault.domain, fault.category, fault.level = form.domain, form.category, form.level
    fault.title, fault.description, fault.location = form.title.strip(), form.description.strip(), form.location
    fault.occurred_at = form.occurred_at
    fault.sim_card_id = card.id if card else None
    fault.account_id = account.id if account else None
    fault.asset_id = asset.id if asset else None
    fault.alert_id = alert.id if alert else None
    fault.updated_at = now
    link = WorkOrderLink.__table__.c
    linked = {(r.target_type, r.target_id) for r in await ctx.uow.session.execute(
        select(link.target_type, link.target_id).where(link.order_id == ctx.order.id))}  # fmt: skip
    for target_type, record in (("SimCard", card), ("SecureAccessAccount", account), ("Asset", asset), ("Alert", alert)):
        if record is not None:
            _link(ctx, target_type, record.id, linked)


def _stage(stage: FaultStage):  # type: ignore[no-untyped-def]
    async def effect(ctx: StepContext) -> None:
        fault = await fault_of(ctx)
        if fault is None:
            raise RuntimeError(f"work order {ctx.order.number} has no fault")
        now = utcnow()
        fault.stage, fault.updated_at = stage, now
        if stage is FaultStage.RECTIFYING and fault.responded_at is None:
            # The review confirmed it: the response, measured by the review step's clock (stopped just now).
            row = await clocks.clock_of(ctx.uow.session, ctx.order.id, SlaScope.STEP, "review")
            fault.responded_at = row.stopped_at if row is not None and row.stopped_at else now
            fault.response_seconds = clocks.elapsed(row, now) if row is not None else None
        elif stage is FaultStage.VERIFYING:
            fault.rectified_at = now
        elif stage not in (FaultStage.REVIEWING, FaultStage.RECTIFYING):  # it ended
            fault.closed_at = now
            row = await clocks.clock_of(ctx.uow.session, ctx.order.id, SlaScope.ORDER)
            if stage is FaultStage.CLOSED and row is not None:
                fault.resolution_seconds = clocks.elapsed(row, now)

    return effect


STEPS = (
    Step("review", "故障审核", MANAGEMENT_REVIEW, sla_hours=4, sla_by_form=_respond_hours, supervisor=MANAGEMENT_REVIEW,
         on_enter=_stage(FaultStage.REVIEWING)),
    Step("rectify", "故障整改", RECTIFIERS, supervisor=MANAGEMENT_REVIEW, returnable=False,
         on_enter=_stage(FaultStage.RECTIFYING)),
    Step("verify", "整改验证", MANAGEMENT_REVIEW, on_reject="rectify", returnable=False,
         on_enter=_stage(FaultStage.VERIFYING)),
)  # fmt: skip

RECTIFY = register(Flow(
    KIND, "故障整改", FaultForm, STEPS, sla_hours=16, sla_by_form=_resolve_hours, around_the_clock=True,
    title=lambda f: f"故障报修 {f.title}", validate=_check, on_complete=_stage(FaultStage.CLOSED),
    on_reject=_stage(FaultStage.REJECTED), on_withdraw=_stage(FaultStage.WITHDRAWN),
))  # fmt: skip
