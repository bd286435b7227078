"""Faults the system opens: an alert of the configured severity or worse opens one (GOVOPS_FAULT_ALERT_SEVERITY),
unless a silence holds it, it resolved first, or it has one already. The order has no applicant (the system
reported it), belongs to the alert's unit (the Big Data Center for alerts of no unit), and its clocks start at the
alert's first occurrence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.ids import to_global_id
from domain.alerts.enums import AlertKind, AlertStatus
from domain.alerts.models import Alert
from domain.alerts.service import opens_fault
from domain.assets.models import Asset
from domain.catalog.enums import ServiceDomain
from domain.faults.enums import LEVEL_OF_SEVERITY, FaultCategory
from domain.faults.flows import KIND
from domain.faults.models import Fault
from domain.identity.enums import OrgUnitKind
from domain.identity.models import OrgUnit
from domain.secure_access.models import SecureAccessAccount
from domain.wireless.models import SimCard
from domain.workorders import engine
from domain.workorders.models import WorkOrder

DOMAIN_OF_TARGET = {"SimCard": ServiceDomain.WIRELESS, "SecureAccessAccount": ServiceDomain.SECURE_ACCESS}  # an asset: its own
DOMAIN_OF_KIND = {
    AlertKind.UPF: ServiceDomain.WIRELESS, AlertKind.TERMINAL_BEHAVIOUR: ServiceDomain.WIRELESS,
    AlertKind.SECURE_ACCESS_ZONE: ServiceDomain.SECURE_ACCESS, AlertKind.USER_BEHAVIOUR: ServiceDomain.SECURE_ACCESS,
}  # fmt: skip
DOMAIN_OF_SOURCE = {"carrier": ServiceDomain.WIRELESS, "wireless": ServiceDomain.WIRELESS,
                    "secure_access": ServiceDomain.SECURE_ACCESS}  # fmt: skip
CATEGORY_OF_KIND = {
    AlertKind.NETWORK_SECURITY: FaultCategory.SECURITY, AlertKind.UPF: FaultCategory.NETWORK,
    AlertKind.SECURE_ACCESS_ZONE: FaultCategory.ACCESS, AlertKind.TERMINAL_BEHAVIOUR: FaultCategory.SECURITY,
    AlertKind.BUSINESS: FaultCategory.PLATFORM, AlertKind.USER_BEHAVIOUR: FaultCategory.SECURITY,
    AlertKind.ASSET_LIFECYCLE: FaultCategory.OTHER,
}  # fmt: skip


def domain_of(alert: Alert) -> ServiceDomain:
    """The service the alert is about: by its record, its kind, then its source; else the fibre backbone."""
    if alert.target_type in DOMAIN_OF_TARGET:
        return DOMAIN_OF_TARGET[alert.target_type]
    if alert.kind in DOMAIN_OF_KIND:
        return DOMAIN_OF_KIND[alert.kind]
    source = alert.source.split(":", 1)[0]
    return next((d for prefix, d in DOMAIN_OF_SOURCE.items() if source.startswith(prefix)), ServiceDomain.FIBER)


async def wanted(session: Any, alert_id: int) -> bool:
    """Whether the alert should open a fault now (read before a number is spent on it)."""
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.status is not AlertStatus.FIRING or alert.silenced_by_id is not None:
        return False
    if not opens_fault(alert.severity):
        return False
    return (await session.execute(select(Fault.id).where(Fault.alert_id == alert_id))).first() is None


async def _unit_of(uow: UnitOfWork, alert: Alert) -> int:
    if alert.unit_id is not None and await uow.session.get(OrgUnit, alert.unit_id) is not None:
        return alert.unit_id
    stmt = select(OrgUnit.id).where(OrgUnit.kind == OrgUnitKind.MANAGEMENT).order_by(OrgUnit.path).limit(1)
    unit_id = (await uow.session.execute(stmt)).scalar_one_or_none()
    if unit_id is None:
        raise RuntimeError("no management unit to open the fault in: bootstrap the organisation first")
    return unit_id


async def open_for_alert(uow: UnitOfWork, alert_id: int, number: str, now: datetime | None = None) -> WorkOrder | None:
    """Open the fault of an alert (None when it should not have one, or has one already: a retried job does nothing)."""
    now = now or utcnow()
    stmt = select(Alert).where(Alert.id == alert_id).with_for_update()
    alert = (await uow.session.execute(stmt)).scalar_one_or_none()
    if alert is None or not await wanted(uow.session, alert_id):
        return None
    form: dict[str, Any] = {
        "domain": domain_of(alert).value, "category": CATEGORY_OF_KIND[alert.kind].value,
        "level": LEVEL_OF_SEVERITY[alert.severity].value, "title": alert.title[:200],
        "description": (alert.detail or alert.title)[:4000], "occurredAt": alert.first_seen_at.isoformat(),
        "alertId": to_global_id("Alert", alert.id),
    }  # fmt: skip
    unit_id = await _unit_of(uow, alert)
    # The record it is about, when it is the unit's: the fault names it (and the record's page lists the fault).
    if alert.target_type == "SimCard" and alert.target_id is not None:
        card = await uow.session.get(SimCard, alert.target_id)
        if card is not None and card.unit_id == unit_id:
            form["iccid"] = card.iccid
    elif alert.target_type == "SecureAccessAccount" and alert.target_id is not None:
        account = await uow.session.get(SecureAccessAccount, alert.target_id)
        if account is not None and account.unit_id == unit_id:
            form["accountName"] = account.account_name
    elif alert.target_type == "Asset" and alert.target_id is not None:
        asset = await uow.session.get(Asset, alert.target_id)
        if asset is not None:
            form["domain"] = asset.domain.value
            if asset.unit_id == unit_id:
                form["assetSerial"] = asset.serial
    return await engine.submit(uow, None, KIND, form, number=number, now=now, unit_id=unit_id, since=alert.first_seen_at)
