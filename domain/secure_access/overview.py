"""The secure access overview (modules 2, 17, 18): accounts by status, units connected, systems accessed, users
online and expiring, abnormal-behaviour alerts, the top units, and applications (work orders) in a period; all
within the viewer's data scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from core.db.engine import Db
from domain.alerts.enums import AlertKind, AlertStatus
from domain.alerts.models import Alert
from domain.identity.actor import Actor
from domain.identity.models import OrgUnit
from domain.identity.repository import in_readable_units
from domain.secure_access.enums import LIVE, AccountStatus
from domain.secure_access.models import SecureAccessAccount, secure_access_system
from domain.secure_access.repository import SA, readable
from domain.workorders import repository as orders
from domain.workorders.models import WorkOrder

EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Overview:
    accounts: int
    by_status: list[tuple[str, int]]
    units_connected: int  # units with an active account
    systems_accessed: int  # distinct systems active accounts may reach
    online: int  # accounts with an open session (usage feed)
    expiring: int  # live accounts whose validity ends within EXPIRING_DAYS
    open_alerts: int  # firing abnormal-user-behaviour alerts
    top_units: list[tuple[int, str, int]]  # (unit id, name, active accounts)
    orders: list[tuple[str, str, int]]  # (kind, status, count) submitted in the period


async def overview(db: Db, actor: Actor, start: datetime, end: datetime, today: date, top: int = 10) -> Overview:
    """Everything on the secure access overview screen, in eight short statements."""
    scope = readable(actor)
    active = SA.status == AccountStatus.ACTIVE
    by_status = [(s.value, int(n)) for s, n in await db.execute(
        select(SA.status, func.count()).where(scope).group_by(SA.status).order_by(SA.status))]  # fmt: skip
    units_connected, online = (await db.execute(
        select(func.count(func.distinct(SA.unit_id)), func.count().filter(SA.online_sessions > 0)).where(scope, active)
    )).one()  # fmt: skip
    sys_t = secure_access_system.c
    systems = (await db.execute(
        select(func.count(func.distinct(sys_t.application_id)))
        .where(sys_t.account_id.in_(select(SA.id).where(scope, active)))
    )).scalar_one()  # fmt: skip
    expiring = (await db.execute(select(func.count()).select_from(SecureAccessAccount.__table__).where(
        scope, SA.status.in_(LIVE), SA.valid_to >= today, SA.valid_to <= today + timedelta(days=EXPIRING_DAYS)))).scalar_one()  # fmt: skip
    a = Alert.__table__.c
    open_alerts = (await db.execute(select(func.count()).where(
        a.status == AlertStatus.FIRING, a.kind == AlertKind.USER_BEHAVIOUR, in_readable_units(actor, a.unit_id)))).scalar_one()  # fmt: skip
    u = OrgUnit.__table__.c
    top_units = [(r[0], r[1], int(r[2])) for r in await db.execute(
        select(SA.unit_id, u.name, func.count()).join(OrgUnit.__table__, u.id == SA.unit_id).where(scope, active)
        .group_by(SA.unit_id, u.name).order_by(func.count().desc(), SA.unit_id).limit(top)
    )]  # fmt: skip
    wo = WorkOrder.__table__.c
    order_rows = await db.execute(
        select(wo.kind, wo.status, func.count())
        .where(orders.readable(actor), wo.kind.like("secure_access.%"), wo.created_at >= start, wo.created_at < end)
        .group_by(wo.kind, wo.status).order_by(wo.kind, wo.status)
    )  # fmt: skip
    return Overview(
        accounts=sum(n for _, n in by_status), by_status=by_status, units_connected=int(units_connected),
        systems_accessed=int(systems), online=int(online), expiring=int(expiring), open_alerts=int(open_alerts),
        top_units=top_units, orders=[(k, s.value, int(n)) for k, s, n in order_rows],
    )  # fmt: skip
