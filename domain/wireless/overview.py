"""The wireless overview (modules 1, 4, 15, 16): cards by status, carrier, domain and unit, online users, open
alerts, applications (work orders) in a period, and traffic; all within the viewer's data scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select, tuple_

from core.db.engine import Db
from domain.alerts.enums import AlertKind, AlertStatus
from domain.alerts.models import Alert
from domain.identity.actor import Actor
from domain.identity.models import OrgUnit
from domain.identity.repository import in_readable_units
from domain.wireless.models import SimCard, SimPlan, TerminalAccount, UnitTraffic
from domain.wireless.repository import SC, readable
from domain.workorders import repository as orders
from domain.workorders.models import WorkOrder

WIRELESS_ALERTS = (AlertKind.TERMINAL_BEHAVIOUR, AlertKind.UPF)


@dataclass(frozen=True)
class Overview:
    cards: int
    by_status: list[tuple[str, int]]
    by_carrier: list[tuple[str, int]]
    by_domain: list[tuple[str, int]]
    by_plan: list[tuple[str, str, int]]  # (plan code, name, cards)
    top_units: list[tuple[int, str, int]]  # (unit id, name, cards)
    accounts: int
    online: int
    open_alerts: int
    orders: list[tuple[str, str, int]]  # (kind, status, count) submitted in the period
    traffic: list[tuple[date, int, int]]  # (day, uplink, downlink)


async def overview(db: Db, actor: Actor, start: datetime, end: datetime, top: int = 10) -> Overview:
    """Everything on the wireless overview screen, in five statements. The card figures (count, by status, carrier,
    domain, plan and unit) come from one scan grouped at the finest grain and summed here: at city scale the cards
    of a subtree lie all over the table, and five scans of them cost five times the one."""
    scope = readable(actor)
    u, p = OrgUnit.__table__.c, SimPlan.__table__.c
    columns = (SC.status, SC.carrier, SC.domain, p.code, p.name, SC.unit_id, u.name)
    # PostgreSQL groups each way in the one scan (GROUPING SETS: a row has only its own set's columns); SQLite, which
    # has no grouping sets, groups at the finest grain and the sums below do the rest.
    sets = (func.grouping_sets(tuple_(SC.status), tuple_(SC.carrier), tuple_(SC.domain), tuple_(p.code, p.name), tuple_(SC.unit_id, u.name))
            if db.dialect.name == "postgresql" else None)  # fmt: skip
    finest = (
        select(*columns, func.count())
        .select_from(SimCard.__table__.join(SimPlan.__table__, p.id == SC.plan_id).join(OrgUnit.__table__, u.id == SC.unit_id))
        .where(scope)
        .group_by(*((sets,) if sets is not None else columns))
    )
    statuses: Counter[str] = Counter()
    carriers: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    plans: Counter[tuple[str, str]] = Counter()
    units: Counter[tuple[int, str]] = Counter()
    for status, carrier, domain, code, plan_name, unit_id, unit_name, n in await db.execute(finest):
        if status is not None:
            statuses[getattr(status, "value", status)] += n
        if carrier is not None:
            carriers[getattr(carrier, "value", carrier)] += n
        if domain is not None:
            domains[getattr(domain, "value", domain)] += n
        if code is not None:
            plans[(code, plan_name)] += n
        if unit_id is not None:
            units[(unit_id, unit_name)] += n
    cards = sum(statuses.values())
    top_units = sorted(((i, name, n) for (i, name), n in units.items()), key=lambda t: (-t[2], t[0]))[:top]
    by_plan = sorted(((c, name, n) for (c, name), n in plans.items()), key=lambda t: (-t[2], t[0]))
    ta = TerminalAccount.__table__.c
    in_scope = ta.card_id.in_(select(SC.id).where(scope))
    accounts, online = (await db.execute(
        select(func.count(), func.coalesce(func.sum(case((ta.online.is_(True), 1), else_=0)), 0)).where(in_scope)
    )).one()  # fmt: skip
    a = Alert.__table__.c
    alerts_scope = a.unit_id.in_(select(SC.unit_id).where(scope)) if not actor.sees_all_units else a.id.is_not(None)
    open_alerts = int((await db.execute(
        select(func.count()).where(a.status == AlertStatus.FIRING, a.kind.in_(WIRELESS_ALERTS), alerts_scope)
    )).scalar_one())  # fmt: skip
    wo = WorkOrder.__table__.c
    order_rows = await db.execute(
        select(wo.kind, wo.status, func.count())
        .where(orders.readable(actor), wo.kind.like("wireless.%"), wo.created_at >= start, wo.created_at < end)
        .group_by(wo.kind, wo.status).order_by(wo.kind, wo.status)
    )  # fmt: skip
    t = UnitTraffic.__table__.c
    traffic = [
        (r[0], int(r[1]), int(r[2]))
        for r in await db.execute(
            select(t.day, func.sum(t.uplink_bytes), func.sum(t.downlink_bytes))
            .where(in_readable_units(actor, t.unit_id), t.day >= start.date(), t.day <= end.date())
            .group_by(t.day).order_by(t.day)
        )
    ]  # fmt: skip
    return Overview(
        cards=cards, by_status=sorted(statuses.items()), by_carrier=sorted(carriers.items()), by_domain=sorted(domains.items()),
        by_plan=by_plan, top_units=top_units, accounts=int(accounts), online=int(online), open_alerts=open_alerts,
        orders=[(k, s.value, int(n)) for k, s, n in order_rows], traffic=traffic,
    )  # fmt: skip
