"""Register, edit and work on assets: the checks every entry path shares (by hand, by workbook), status changes by a
transition table, upgrade records and entry/exit inspections. Every change is in the asset's history and, when a
person made it, in the operation log."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.errors import DomainError, DomainErrors
from domain.assets.enums import AssetEventKind, AssetStatus, AssetType, InspectionKind, InspectionResult
from domain.assets.errors import Code, error
from domain.assets.models import Asset, AssetEvent, AssetInspection, AssetModel, AssetUpgrade
from domain.catalog.enums import ServiceDomain
from domain.identity.actor import Actor
from domain.identity.journal import record_change
from domain.identity.models import OrgUnit

SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{2,63}$")
VERSION = re.compile(r"^[\w.()+/-](?:[\w.()+/ -]{0,62}[\w.()+/-])?$")  # "VRP V800R021": inner spaces
TRANSITIONS = {
    AssetStatus.IN_STOCK: {AssetStatus.IN_SERVICE, AssetStatus.RETIRED},
    AssetStatus.IN_SERVICE: {AssetStatus.UNDER_REPAIR, AssetStatus.IN_STOCK, AssetStatus.RETIRED},
    AssetStatus.UNDER_REPAIR: {AssetStatus.IN_SERVICE, AssetStatus.IN_STOCK, AssetStatus.RETIRED},
    AssetStatus.RETIRED: set(),
}
MAX_LIFESPAN = 30


def normal_serial(value: str | None) -> str | None:
    """The serial as stored (trimmed, upper case), or None when it is not one."""
    text = (value or "").strip().upper()
    return text if SERIAL.match(text) else None


def end_of_life(model: AssetModel, commissioned_on: date | None) -> date | None:
    """The earlier of commissioning plus the model's service life and the vendor's end of support."""
    candidates = [model.end_of_support] if model.end_of_support else []
    if commissioned_on is not None:
        try:
            candidates.append(commissioned_on.replace(year=commissioned_on.year + model.lifespan_years))
        except ValueError:  # 29 February
            candidates.append(commissioned_on.replace(year=commissioned_on.year + model.lifespan_years, day=28))
    return min(candidates) if candidates else None


@dataclass
class AssetFields:
    """An asset's fields as a person or a workbook row gives them (references already resolved to ids)."""

    serial: str
    name: str
    model_id: int
    domain: ServiceDomain
    unit_id: int
    status: AssetStatus = AssetStatus.IN_SERVICE
    location: str | None = None
    commissioned_on: date | None = None
    warranty_until: date | None = None
    parent_id: int | None = None
    software_version: str | None = None
    management_ip: str | None = None
    notes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def problems(f: AssetFields, today: date) -> list[tuple[str, str]]:
    """Every format problem of the fields as (field, message): what a form and a workbook row both refuse."""
    out: list[tuple[str, str]] = []
    if normal_serial(f.serial) is None:
        out.append(("serial", "序列号须为3-64位字母、数字或 . _ / - / A serial takes 3-64 letters, digits or . _ / -"))
    if not 1 <= len((f.name or "").strip()) <= 100:
        out.append(("name", "资产名称须为1-100个字符 / The name takes 1-100 characters"))
    if f.location is not None and len(f.location) > 200:
        out.append(("location", "安装位置最多200个字符 / The location takes at most 200 characters"))
    if f.commissioned_on is not None and f.commissioned_on > today:
        out.append(("commissionedOn", "投运日期不能晚于今天 / It cannot have been commissioned in the future"))
    if f.commissioned_on and f.warranty_until and f.warranty_until < f.commissioned_on:
        out.append(("warrantyUntil", "保修截止不能早于投运日期 / The warranty cannot end before commissioning"))
    if f.status in (AssetStatus.IN_SERVICE, AssetStatus.UNDER_REPAIR) and f.commissioned_on is None:
        out.append(("commissionedOn", "在用资产须填写投运日期 / An asset in service needs its commissioning date"))
    if f.software_version is not None and not VERSION.match(f.software_version):
        out.append(("softwareVersion", "软件版本格式不正确 / Not a software version"))
    if f.management_ip is not None:
        try:
            ipaddress.ip_address(f.management_ip)
            fits = len(f.management_ip) <= 45
        except ValueError:
            fits = False
        if not fits:
            out.append(("managementIp", "管理地址须为IPv4或IPv6地址 / Not an IPv4 or IPv6 address"))
    if f.notes is not None and len(f.notes) > 2000:
        out.append(("notes", "备注最多2000个字符 / Notes take at most 2000 characters"))
    return out


def history(uow: UnitOfWork, asset: Asset, kind: AssetEventKind, now: datetime, actor: Actor | None = None,
            **detail: Any) -> None:  # fmt: skip
    uow.session.add(AssetEvent(asset_id=asset.id, kind=kind, actor_id=actor.user_id if actor else None,
                               actor_name=actor.display_name if actor else "系统", at=now, detail=detail))  # fmt: skip


def _raise(found: list[tuple[str, str]]) -> None:
    if found:
        raise DomainErrors([error(Code.INVALID_INPUT, message, name) for name, message in found])


async def _references(uow: UnitOfWork, actor: Actor, f: AssetFields, asset_id: int | None) -> AssetModel:
    """The model, the unit (in the actor's scope) and the parent must exist; a parent cannot be the asset itself or
    one installed in it."""
    model = await uow.session.get(AssetModel, f.model_id)
    if model is None:
        raise error(Code.INVALID_INPUT, "设备型号不存在 / No such model", "modelId")
    unit = await uow.session.get(OrgUnit, f.unit_id)
    if unit is None or not (actor.sees_all_units or unit.path.startswith(actor.unit_path)):
        raise error(Code.INVALID_INPUT, "单位不存在或不在您的数据范围内 / No such unit in your data scope", "unitId")
    parent_id = f.parent_id
    seen: set[int] = set()
    while parent_id is not None:
        if parent_id == asset_id or parent_id in seen:
            raise error(Code.INVALID_INPUT, "不能安装在自身或其下级资产中 / An asset cannot be installed in itself", "parentId")
        seen.add(parent_id)
        parent = await uow.session.get(Asset, parent_id)
        owner = await uow.session.get(OrgUnit, parent.unit_id) if parent is not None else None
        if parent is None or owner is None or not (actor.sees_all_units or owner.path.startswith(actor.unit_path)):
            raise error(Code.INVALID_INPUT, "上级资产不存在或不在您的数据范围内 / No such parent asset in your data scope",
                        "parentId")  # fmt: skip
        parent_id = parent.parent_id
    return model


async def create(uow: UnitOfWork, actor: Actor, f: AssetFields, now: datetime | None = None) -> Asset:
    """Register one asset (INVALID_INPUT, DUPLICATE_SERIAL)."""
    now = now or utcnow()
    _raise(problems(f, now.date()))
    model = await _references(uow, actor, f, None)
    serial = normal_serial(f.serial)
    if (await uow.session.execute(select(Asset.id).where(Asset.serial == serial))).first() is not None:
        raise error(Code.DUPLICATE_SERIAL, f"序列号已登记 / Serial {serial} is registered already", "serial")
    asset = Asset(
        serial=serial, name=f.name.strip(), model_id=model.id, domain=f.domain, unit_id=f.unit_id, status=f.status,
        location=f.location, commissioned_on=f.commissioned_on, warranty_until=f.warranty_until,
        end_of_life=end_of_life(model, f.commissioned_on), parent_id=f.parent_id,
        software_version=f.software_version or _default_version(model), management_ip=f.management_ip, notes=f.notes,
        created_at=now, updated_at=now,
    )  # fmt: skip
    uow.session.add(asset)
    await uow.session.flush()
    history(uow, asset, AssetEventKind.CREATED, now, actor, serial=serial)
    record_change(uow, actor, "assets.asset_create", "Asset", asset.id, serial=serial)
    return asset


def _default_version(model: AssetModel) -> str | None:
    """The model's software as the new asset's version, when it reads as one (a long description does not)."""
    return model.software if model.software and VERSION.match(model.software) else None


EDITABLE = ("name", "model_id", "domain", "unit_id", "location", "commissioned_on", "warranty_until", "parent_id",
            "management_ip", "notes")  # fmt: skip


async def apply(uow: UnitOfWork, actor: Actor, asset: Asset, f: AssetFields, now: datetime) -> dict[str, Any]:
    """Bring an asset to the fields (status through its transition table); returns what changed, before and after.
    Moving its dates resets its reminders; the caller records the history."""
    _raise(problems(f, now.date()))
    model = await _references(uow, actor, f, asset.id)
    changes: dict[str, Any] = {}
    for name in EDITABLE:
        value = getattr(f, name)
        value = value.strip() if isinstance(value, str) and name == "name" else value
        if getattr(asset, name) != value:
            before = getattr(asset, name)
            changes[name] = {"before": getattr(before, "value", before), "after": getattr(value, "value", value)}
            setattr(asset, name, value)
    if f.software_version and f.software_version != asset.software_version:
        changes["software_version"] = {"before": asset.software_version, "after": f.software_version}
        asset.software_version = f.software_version
    if f.status is not asset.status:
        _check_transition(asset.status, f.status)
        changes["status"] = {"before": asset.status.value, "after": f.status.value}
        asset.status = f.status
    eol = end_of_life(model, asset.commissioned_on)
    moved = eol != asset.end_of_life or "warranty_until" in changes
    if eol != asset.end_of_life:
        asset.end_of_life, asset.eol_notice_days, asset.eol_noticed_on = eol, None, None
    if "warranty_until" in changes:
        asset.warranty_notice_days = asset.warranty_noticed_on = None
    if moved:
        await _dates_moved(uow, asset, now)
    if changes:
        asset.updated_at = now
    return changes


async def _dates_moved(uow: UnitOfWork, asset: Asset, now: datetime) -> None:
    """Its end of life or warranty end moved: the reminders of the old dates resolve, and the new dates start afresh."""
    from domain.assets import lifecycle  # lifecycle builds on this module

    await lifecycle.settle(uow, asset, "日期已变更 / the dates changed", now)


def _check_transition(before: AssetStatus, after: AssetStatus) -> None:
    if after not in TRANSITIONS[before]:
        raise error(Code.INVALID_TRANSITION, f"资产状态不能从{before.value}变为{after.value} / Not allowed: {before.value} to "
                    f"{after.value}", "status")  # fmt: skip


async def load(uow: UnitOfWork, actor: Actor, asset_id: int, expected_version: int | None = None) -> Asset:
    """The asset, locked, when in the actor's data scope (NOT_FOUND, STALE_STATE)."""
    asset = await uow.session.get(Asset, asset_id, with_for_update=True)
    unit = await uow.session.get(OrgUnit, asset.unit_id) if asset is not None else None
    if asset is None or unit is None or not (actor.sees_all_units or unit.path.startswith(actor.unit_path)):
        raise error(Code.NOT_FOUND, "资产不存在或不在您的数据范围内 / No such asset in your data scope", "id")
    if expected_version is not None and expected_version != asset.version:
        raise error(Code.STALE_STATE, "资产已被他人修改，请刷新后重试 / The asset changed since you read it; reload", "id")
    return asset


async def update(uow: UnitOfWork, actor: Actor, asset_id: int, f: AssetFields, *, expected_version: int | None = None,
                 now: datetime | None = None) -> Asset:  # fmt: skip
    """Edit an asset (NOT_FOUND, STALE_STATE, INVALID_INPUT, INVALID_TRANSITION); the serial does not change."""
    now = now or utcnow()
    asset = await load(uow, actor, asset_id, expected_version)
    f.serial = asset.serial
    changes = await apply(uow, actor, asset, f, now)
    if changes:
        history(uow, asset, AssetEventKind.EDITED, now, actor, changes=changes)
        record_change(uow, actor, "assets.asset_update", "Asset", asset.id, serial=asset.serial, changes=changes)
        if asset.status is AssetStatus.RETIRED:
            from domain.assets import lifecycle

            await lifecycle.settle(uow, asset, "资产已退役 / retired", now)
    return asset


async def change_status(uow: UnitOfWork, actor: Actor, asset_id: int, status: AssetStatus, reason: str | None, *,
                        expected_version: int | None = None, now: datetime | None = None) -> Asset:  # fmt: skip
    """Move an asset along its lifecycle (INVALID_TRANSITION); retiring it ends its reminders."""
    now = now or utcnow()
    asset = await load(uow, actor, asset_id, expected_version)
    _check_transition(asset.status, status)
    if status is AssetStatus.IN_SERVICE and asset.commissioned_on is None:
        asset.commissioned_on = now.date()
        model = await uow.session.get(AssetModel, asset.model_id)
        asset.end_of_life = end_of_life(model, asset.commissioned_on) if model else None
    before, asset.status, asset.updated_at = asset.status, status, now
    detail = {"before": before.value, "after": status.value, "reason": (reason or "").strip() or None}
    history(uow, asset, AssetEventKind.STATUS_CHANGED, now, actor, **detail)
    record_change(uow, actor, "assets.asset_status", "Asset", asset.id, serial=asset.serial, **detail)
    if status is AssetStatus.RETIRED:
        from domain.assets import lifecycle

        await lifecycle.settle(uow, asset, "资产已退役 / retired", now)
    return asset


async def record_upgrade(uow: UnitOfWork, actor: Actor, asset_id: int, to_version: str, *, from_version: str | None = None,
                         order_id: int | None = None, note: str | None = None, now: datetime | None = None) -> AssetUpgrade:  # fmt: skip
    """升级记录: the asset now runs `to_version`. `from_version`, when given, must be what it ran (a stale record is refused)."""
    now = now or utcnow()
    version = (to_version or "").strip()
    if not VERSION.match(version):
        raise error(Code.INVALID_INPUT, "软件版本格式不正确 / Not a software version", "toVersion")
    asset = await load(uow, actor, asset_id)
    if asset.status is AssetStatus.RETIRED:
        raise error(Code.INVALID_TRANSITION, "已退役的资产不能升级 / A retired asset cannot be upgraded", "id")
    if from_version is not None and from_version.strip() != (asset.software_version or ""):
        raise error(Code.STALE_STATE, f"资产当前版本为{asset.software_version or '未知'} / It runs "
                    f"{asset.software_version or 'an unknown version'}, not {from_version}", "fromVersion")  # fmt: skip
    if version == asset.software_version:
        raise error(Code.INVALID_INPUT, "已是该版本 / It runs that version already", "toVersion")
    if order_id is not None:
        from domain.workorders import repository as orders

        if not await orders.orders_by_ids(uow.session, actor, [order_id]):
            raise error(
                Code.INVALID_INPUT, "工单不存在或不在您的数据范围内 / No such work order in your data scope", "workOrderId"
            )
    upgrade = AssetUpgrade(asset_id=asset.id, from_version=asset.software_version, to_version=version, order_id=order_id,
                           note=(note or "").strip() or None, actor_id=actor.user_id, actor_name=actor.display_name, at=now)  # fmt: skip
    uow.session.add(upgrade)
    detail = {"from": asset.software_version, "to": version, "orderId": order_id}
    asset.software_version, asset.updated_at = version, now
    history(uow, asset, AssetEventKind.UPGRADED, now, actor, **detail)
    record_change(uow, actor, "assets.asset_upgrade", "Asset", asset.id, serial=asset.serial, **detail)
    await uow.session.flush()
    return upgrade


@dataclass
class CheckItem:
    item: str
    passed: bool
    note: str | None = None


async def record_inspection(uow: UnitOfWork, actor: Actor, asset_id: int, kind: InspectionKind, checklist: list[CheckItem],
                            *, note: str | None = None, photos: list[Any] | None = None,
                            now: datetime | None = None) -> AssetInspection:  # fmt: skip
    """进出场核查: the result is PASSED when every item passed. `photos` are stored uploads (see attachments)."""
    now = now or utcnow()
    if not 1 <= len(checklist) <= 100:
        raise error(Code.INVALID_INPUT, "核查项须为1-100项 / A checklist takes 1-100 items", "checklist")
    for i, c in enumerate(checklist):
        if not 1 <= len(c.item.strip()) <= 200:
            raise error(Code.INVALID_INPUT, "核查项名称须为1-200个字符 / An item takes 1-200 characters", f"checklist.{i}.item")
    asset = await load(uow, actor, asset_id)
    result = InspectionResult.PASSED if all(c.passed for c in checklist) else InspectionResult.FAILED
    files = [{"key": p.key, "filename": p.filename, "size": p.size, "contentType": p.content_type} for p in photos or []]
    inspection = AssetInspection(
        asset_id=asset.id, kind=kind, result=result, checklist=[{"item": c.item.strip(), "passed": c.passed,
        "note": (c.note or "").strip() or None} for c in checklist], photos=files, note=(note or "").strip() or None,
        inspector_id=actor.user_id, inspector_name=actor.display_name, at=now,
    )  # fmt: skip
    uow.session.add(inspection)
    asset.updated_at = now
    history(uow, asset, AssetEventKind.INSPECTED, now, actor, inspection=kind.value, result=result.value)
    record_change(uow, actor, "assets.asset_inspect", "Asset", asset.id, serial=asset.serial, kind=kind.value,
                  result=result.value)  # fmt: skip
    await uow.session.flush()
    return inspection


# --- the catalogue -------------------------------------------------------------------------------------------------


@dataclass
class ModelFields:
    vendor: str
    model: str
    type: AssetType
    lifespan_years: int
    hardware: str | None = None
    software: str | None = None
    end_of_support: date | None = None


def _model_problems(f: ModelFields) -> list[DomainError]:
    out = []
    if not 1 <= len(f.vendor.strip()) <= 64:
        out.append(error(Code.INVALID_INPUT, "厂商须为1-64个字符 / The vendor takes 1-64 characters", "vendor"))
    if not 1 <= len(f.model.strip()) <= 64:
        out.append(error(Code.INVALID_INPUT, "型号须为1-64个字符 / The model takes 1-64 characters", "model"))
    if not 1 <= f.lifespan_years <= MAX_LIFESPAN:
        out.append(error(Code.INVALID_INPUT, f"使用年限须为1-{MAX_LIFESPAN}年 / A service life of 1-{MAX_LIFESPAN} years",
                         "lifespanYears"))  # fmt: skip
    if f.hardware is not None and len(f.hardware) > 500:
        out.append(error(Code.INVALID_INPUT, "硬件配置最多500个字符 / Hardware takes at most 500 characters", "hardware"))
    if f.software is not None and len(f.software) > 200:
        out.append(error(Code.INVALID_INPUT, "软件最多200个字符 / Software takes at most 200 characters", "software"))
    return out


async def save_model(uow: UnitOfWork, actor: Actor, f: ModelFields, model_id: int | None = None,
                     now: datetime | None = None) -> AssetModel:  # fmt: skip
    """Add a model to the catalogue, or correct one; a new end of life flows to its assets (their reminders restart)."""
    now = now or utcnow()
    if found := _model_problems(f):
        raise DomainErrors(found)
    vendor, name = f.vendor.strip(), f.model.strip()
    clash = select(AssetModel.id).where(AssetModel.vendor == vendor, AssetModel.model == name)
    if model_id is not None:
        clash = clash.where(AssetModel.id != model_id)
    if (await uow.session.execute(clash)).first() is not None:
        raise error(Code.DUPLICATE_MODEL, f"型号已在目录中 / {vendor} {name} is in the catalogue already", "model")
    if model_id is None:
        model = AssetModel(created_at=now)
        uow.session.add(model)
    else:
        model = await uow.session.get(AssetModel, model_id, with_for_update=True)
        if model is None:
            raise error(Code.NOT_FOUND, "设备型号不存在 / No such model", "id")
    model.vendor, model.model, model.type, model.lifespan_years = vendor, name, f.type, f.lifespan_years
    model.hardware, model.software, model.end_of_support, model.updated_at = f.hardware, f.software, f.end_of_support, now
    await uow.session.flush()
    if model_id is not None:
        for asset in (await uow.session.execute(select(Asset).where(Asset.model_id == model.id))).scalars():
            eol = end_of_life(model, asset.commissioned_on)
            if eol != asset.end_of_life:
                asset.end_of_life, asset.eol_notice_days, asset.eol_noticed_on = eol, None, None
                await _dates_moved(uow, asset, now)
    record_change(uow, actor, "assets.model_save", "AssetModel", model.id, vendor=vendor, model=name)
    return model
