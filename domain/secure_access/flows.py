"""The secure access work order kinds (modules 11-13), declared for the engine.

Each kind: the applicant unit's leader approves, the Big Data Center reviews, then the order goes to the secure
access support platform, and the registry changes only when it confirms. Refusals name the form field at fault
and change nothing: a malformed or repeated MAC, more MACs than the account may bind, a MAC another live account
holds, a system not in the catalogue, a validity that does not hold, an account not the unit's or not live.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from core.clock import beijing_today, utcnow
from domain.catalog import repository as catalog
from domain.catalog.models import Application
from domain.identity.models import OrgUnit
from domain.secure_access import service, validation
from domain.secure_access.enums import LIVE, REVOCABLE, AccountEventKind, AccountStatus
from domain.secure_access.forms import ChangeForm, OpenForm, RevokeForm
from domain.secure_access.models import SecureAccessAccount, secure_access_mac
from domain.workorders.errors import Code, error
from domain.workorders.flow import MANAGEMENT_REVIEW, UNIT_LEADER, Dispatch, Flow, Step, StepContext, in_order_unit, register
from domain.workorders.models import WorkOrderLink

PLATFORM = "secure_access_support"
ACCOUNT_NAME = re.compile(r"^JR\d{8}$")  # as the platform issues them
TARGET = "SecureAccessAccount"


def _macs(given: list[str], limit: int) -> list[str]:
    """The MACs in normal form (INVALID_INPUT on form.macs: malformed, repeated, or more than `limit`)."""
    normal = [validation.mac(m) for m in given]
    if bad := [m for m, n in zip(given, normal, strict=True) if n is None]:
        raise error(Code.INVALID_INPUT, f"MAC地址格式不正确 / Not a terminal's MAC address: {', '.join(bad)}", "form.macs")
    macs = [n for n in normal if n is not None]
    if len(set(macs)) != len(macs):
        raise error(Code.INVALID_INPUT, "MAC地址重复 / A MAC address is listed twice", "form.macs")
    if len(macs) > limit:
        raise error(Code.INVALID_INPUT, f"MAC地址最多{limit}个 / At most {limit} MAC addresses", "form.macs")
    return macs


async def _free(ctx: StepContext, macs: list[str], account_id: int | None = None) -> None:
    """INVALID_INPUT when another live account holds one of the MACs."""
    m = secure_access_mac.c
    stmt = select(m.mac).where(m.mac.in_(macs))
    if account_id is not None:
        stmt = stmt.where(m.account_id != account_id)
    if held := sorted((await ctx.uow.session.execute(stmt)).scalars()):
        raise error(Code.INVALID_INPUT, f"MAC地址已绑定其他账号 / Bound to another account: {', '.join(held)}", "form.macs")


async def _systems(ctx: StepContext, codes: list[str]) -> list[Application]:
    if len(set(codes)) != len(codes):
        raise error(Code.INVALID_INPUT, "系统重复 / A system is listed twice", "form.systems")
    found, unknown = await catalog.offered(ctx.uow.session, codes)
    if unknown:
        raise error(Code.INVALID_INPUT, f"系统不存在或已下线 / Unknown or retired systems: {', '.join(unknown)}",
                    "form.systems")  # fmt: skip
    return found


async def _granted(ctx: StepContext, codes: list[str]) -> list[Application]:
    """The systems an approved order grants, retired since or not (the platform has granted them already)."""
    found, _ = await catalog.offered(ctx.uow.session, codes)
    if len(found) != len(set(codes)):
        raise RuntimeError(f"systems gone from the catalogue: {sorted(set(codes) - {a.code for a in found})}")
    return found


async def account_of(ctx: StepContext, *, statuses: tuple[AccountStatus, ...] = LIVE) -> SecureAccessAccount:
    """The form's account: of the order's unit (or one below it), in an allowed status (INVALID_INPUT otherwise)."""
    name = (ctx.form.account_name or "").strip().upper()
    stmt = select(SecureAccessAccount).where(SecureAccessAccount.account_name == name)
    account = (await ctx.uow.session.execute(stmt)).scalar_one_or_none()
    if account is None or not await in_order_unit(ctx, account.unit_id):
        raise error(Code.INVALID_INPUT, "本单位没有这个账号 / No such account in your unit", "form.accountName")
    if account.status not in statuses:
        raise error(Code.INVALID_INPUT, f"账号状态为{account.status.value}，不能办理 / Not allowed for a "
                    f"{account.status.value} account", "form.accountName")  # fmt: skip
    return account


async def _link(ctx: StepContext, account: SecureAccessAccount) -> None:
    link = WorkOrderLink.__table__.c
    found = (await ctx.uow.session.execute(select(link.order_id).where(
        link.order_id == ctx.order.id, link.target_type == TARGET, link.target_id == account.id))).first()  # fmt: skip
    if found is None:
        ctx.uow.session.add(WorkOrderLink(order_id=ctx.order.id, target_type=TARGET, target_id=account.id))


def _steps(label: str, operation: str, build: Any, effect: Any) -> tuple[Step, ...]:
    return (
        Step("leader", "接入单位领导审批", UNIT_LEADER, sla_hours=7, supervisor=MANAGEMENT_REVIEW),
        Step("review", "管理单位审核", MANAGEMENT_REVIEW, sla_hours=7),
        Step("platform", label, dispatch=Dispatch(PLATFORM, operation, build=build, on_confirmed=effect), sla_hours=14),
    )


# --- open (开户) -------------------------------------------------------------------------------------------


async def _check_open(ctx: StepContext) -> None:
    form: OpenForm = ctx.form
    if validation.msisdn(form.holder.phone) is None:
        raise error(Code.INVALID_INPUT, "手机号码格式不正确 / Not a mainland mobile number", "form.holder.phone")
    if validation.id_number(form.holder.id_number) is None:
        raise error(Code.INVALID_INPUT, "身份证号码不正确 / Not a valid resident ID number", "form.holder.idNumber")
    await _free(ctx, _macs(form.macs, service.MAC_LIMIT))
    await _systems(ctx, form.systems)
    if form.valid_to < form.valid_from or form.valid_to < beijing_today():
        raise error(Code.INVALID_INPUT, "有效期结束日期须不早于开始日期和今天 / Valid to must be on or after valid from and today",
                    "form.validTo")  # fmt: skip
    if (form.valid_to - form.valid_from).days > service.MAX_VALIDITY_DAYS:
        raise error(Code.INVALID_INPUT, "有效期最长三年 / At most three years of validity", "form.validTo")


async def _open_request(ctx: StepContext) -> dict[str, Any]:
    form: OpenForm = ctx.form
    unit = await ctx.uow.session.get(OrgUnit, ctx.order.unit_id)
    assert unit is not None
    return {
        "holder": {"name": form.holder.name, "phone": validation.msisdn(form.holder.phone),
                   "idNumber": validation.id_number(form.holder.id_number)},
        "unitCode": unit.code, "macs": _macs(form.macs, service.MAC_LIMIT), "systems": list(form.systems),
        "validFrom": form.valid_from.isoformat(), "validTo": form.valid_to.isoformat(), "orderNumber": ctx.order.number,
    }  # fmt: skip


async def _opened(ctx: StepContext) -> None:
    """The platform opened the account: it enters the registry with the name issued, linked to the order."""
    form: OpenForm = ctx.form
    name = ctx.result.get("accountName")
    if not isinstance(name, str) or not ACCOUNT_NAME.match(name):  # a platform fault: dead letter, not a bad record
        raise ValueError(f"the platform issued no valid account name: {name!r}")
    apps = await _granted(ctx, form.systems)
    phone, id_number = validation.msisdn(form.holder.phone), validation.id_number(form.holder.id_number)
    assert phone is not None and id_number is not None
    account = await service.register(ctx.uow, service.NewAccount(
        account_name=name, holder_name=form.holder.name, holder_phone=phone,
        holder_id_number=id_number, unit_id=ctx.order.unit_id, macs=list(ctx.request["macs"]),
        application_ids=[a.id for a in apps], valid_from=form.valid_from, valid_to=form.valid_to,
    ), order_id=ctx.order.id)  # fmt: skip
    ctx.uow.session.add(WorkOrderLink(order_id=ctx.order.id, target_type=TARGET, target_id=account.id))


OPEN = register(Flow("secure_access.open", "互联网安全加密接入开户", OpenForm, _steps(
    "支撑平台开户", "account_open", _open_request, _opened,
), sla_hours=28, title=lambda f: f"安全接入开户 {f.holder.name}", validate=_check_open))  # fmt: skip


# --- change (业务变更) --------------------------------------------------------------------------------------


async def _check_change(ctx: StepContext) -> None:
    form: ChangeForm = ctx.form
    account = await account_of(ctx, statuses=(AccountStatus.ACTIVE,))
    changed = False
    if form.macs is not None:
        if not form.macs:
            raise error(Code.INVALID_INPUT, "至少一个MAC地址 / At least one MAC address", "form.macs")
        macs = _macs(form.macs, account.mac_limit)
        await _free(ctx, macs, account.id)
        changed |= set(macs) != set(await service.macs_of(ctx.uow, account.id))
    if form.systems is not None:
        if not form.systems:
            raise error(Code.INVALID_INPUT, "至少一个可访问系统 / At least one system", "form.systems")
        await _systems(ctx, form.systems)
        changed |= set(form.systems) != set(await service.system_codes_of(ctx.uow, account.id))
    if not changed:
        raise error(Code.INVALID_INPUT, "变更内容与现状相同 / Nothing would change", "form")
    await _link(ctx, account)


async def _change_request(ctx: StepContext) -> dict[str, Any]:
    form: ChangeForm = ctx.form
    account = await account_of(ctx, statuses=(AccountStatus.ACTIVE,))
    request: dict[str, Any] = {"accountName": account.account_name}
    if form.macs is not None:
        request["macs"] = _macs(form.macs, account.mac_limit)
    if form.systems is not None:
        request["systems"] = list(form.systems)
    return request


async def _changed(ctx: StepContext) -> None:
    account = await account_of(ctx, statuses=(AccountStatus.ACTIVE,))
    now = utcnow()
    if "macs" in ctx.request:
        before = await service.macs_of(ctx.uow, account.id)
        await service.set_macs(ctx.uow, account, list(ctx.request["macs"]))
        service.history(ctx.uow, account, AccountEventKind.MACS_CHANGED, now, order_id=ctx.order.id,
                        detail={"before": before, "after": sorted(ctx.request["macs"])})  # fmt: skip
    if "systems" in ctx.request:
        before = await service.system_codes_of(ctx.uow, account.id)
        apps = await _granted(ctx, list(ctx.request["systems"]))
        await service.set_systems(ctx.uow, account, [a.id for a in apps])
        service.history(ctx.uow, account, AccountEventKind.SYSTEMS_CHANGED, now, order_id=ctx.order.id,
                        detail={"before": before, "after": sorted(ctx.request["systems"])})  # fmt: skip
    account.updated_at = now


CHANGE = register(Flow("secure_access.change", "互联网安全加密接入业务变更", ChangeForm, _steps(
    "支撑平台变更", "account_change", _change_request, _changed,
), sla_hours=28, title=lambda f: f"安全接入业务变更 {f.account_name}", validate=_check_change))  # fmt: skip


# --- revoke (撤销) -----------------------------------------------------------------------------------------


async def _check_revoke(ctx: StepContext) -> None:
    await _link(ctx, await account_of(ctx, statuses=REVOCABLE))


async def _revoked(ctx: StepContext) -> None:
    account = await account_of(ctx, statuses=REVOCABLE)
    await service.change_status(ctx.uow, account, AccountStatus.REVOKED, order_id=ctx.order.id,
                                detail={"revokedAt": ctx.result.get("revokedAt")})  # fmt: skip


REVOKE = register(Flow("secure_access.revoke", "互联网安全加密接入撤销", RevokeForm, _steps(
    "支撑平台撤销", "account_revoke", lambda ctx: {"accountName": ctx.form.account_name.strip().upper()}, _revoked,
), sla_hours=28, title=lambda f: f"安全接入撤销 {f.account_name}", validate=_check_revoke))  # fmt: skip
