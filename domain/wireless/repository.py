"""All wireless SQL: scoped card reads (readable(actor)), the catalogues, terminal accounts, card history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from core.db.encrypted import blind_index, normalize_phone
from core.db.engine import Db
from core.db.pagination import Count, InvalidCursor, Page, PageRequest, count_rows, decode_cursor, to_page
from domain.catalog.models import Application
from domain.catalog.repository import APP_COLS, A, ApplicationRecord
from domain.identity.actor import Actor
from domain.identity.models import OrgUnit
from domain.identity.repository import in_readable_units
from domain.wireless.enums import Carrier, SimCardDomain, SimCardSort, SimCardStatus
from domain.wireless.models import (
    SimCard,
    SimCardEvent,
    SimPlan,
    TerminalAccount,
    terminal_account_application,
)
from domain.wireless.records import (
    PlanRecord,
    SimCardEventRecord,
    SimCardRecord,
    TerminalAccountRecord,
)

SC = SimCard.__table__.c
P = SimPlan.__table__.c
TA = TerminalAccount.__table__.c
TAA = terminal_account_application.c
E = SimCardEvent.__table__.c
U = OrgUnit.__table__.c

CARD_COLS = [
    SC.id, SC.iccid, SC.msisdn, SC.imsi, SC.domain, SC.carrier, SC.plan_id, SC.unit_id, SC.holder_name, SC.holder_phone,
    SC.status, SC.imei, SC.activated_at, SC.cancelled_at, SC.replaced_by_id, SC.next_plan_id, SC.next_plan_from,
    SC.created_at, SC.updated_at,
]  # fmt: skip
PLAN_COLS = [P.id, P.carrier, P.code, P.name, P.monthly_fee, P.data_gb, P.status]
ACCOUNT_COLS = [
    TA.id,
    TA.card_id,
    TA.account_name,
    TA.holder_name,
    TA.status,
    TA.online,
    TA.last_seen_at,
    TA.created_at,
    TA.closed_at,
]
EVENT_COLS = [E.id, E.card_id, E.kind, E.from_status, E.to_status, E.order_id, E.actor_name, E.at, E.detail]


def readable(actor: Actor) -> ColumnElement[bool]:
    """Management staff see every card; an access unit's people see their unit subtree's cards."""
    return in_readable_units(actor, SC.unit_id)


@dataclass(frozen=True, slots=True)
class CardFilter:
    unit_id: int | None = None
    carriers: tuple[Carrier, ...] = ()
    domains: tuple[SimCardDomain, ...] = ()
    plan_id: int | None = None
    statuses: tuple[SimCardStatus, ...] = ()
    iccid: str | None = None  # exact
    msisdn: str | None = None  # exact, through the blind index
    msisdn_bidx: str | None = None  # the blind index itself (a stored export filter keeps no number in clear)
    activated_from: datetime | None = None
    activated_to: datetime | None = None
    holder_name: str | None = None  # exact


def _conditions(actor: Actor, f: CardFilter) -> list[ColumnElement[bool]]:
    where = [readable(actor)]
    if f.unit_id is not None:
        where.append(SC.unit_id == f.unit_id)
    if f.carriers:
        where.append(SC.carrier.in_(f.carriers))
    if f.domains:
        where.append(SC.domain.in_(f.domains))
    if f.plan_id is not None:
        where.append(SC.plan_id == f.plan_id)
    if f.statuses:
        where.append(SC.status.in_(f.statuses))
    if f.iccid:
        where.append(SC.iccid == f.iccid.strip())
    if f.msisdn:
        where.append(SC.msisdn_bidx == blind_index("sim_card.msisdn", f.msisdn, normalize_phone))
    if f.msisdn_bidx:
        where.append(SC.msisdn_bidx == f.msisdn_bidx)
    if f.activated_from is not None:
        where.append(SC.activated_at >= f.activated_from)
    if f.activated_to is not None:
        where.append(SC.activated_at < f.activated_to)
    if f.holder_name:
        where.append(SC.holder_name == f.holder_name.strip())
    return where


def _order(sort: SimCardSort) -> tuple[Any, bool]:
    if sort is SimCardSort.ICCID_ASC:
        return SC.iccid, False
    return SC.id, sort is SimCardSort.CREATED_DESC


async def list_cards(db: Db, actor: Actor, f: CardFilter, sort: SimCardSort, page: PageRequest) -> Page[SimCardRecord]:
    """A page of the cards the actor may see, filtered, keyset-sorted (id, or ICCID then id)."""
    column, desc = _order(sort)
    stmt: Select[Any] = select(*CARD_COLS).where(*_conditions(actor, f))
    if page.after is not None:
        try:
            value, last_id = decode_cursor(page.after, 2)
            last_id = int(last_id)
        except (TypeError, ValueError) as exc:
            raise InvalidCursor(page.after) from exc
        if column is SC.id:
            stmt = stmt.where(SC.id < last_id if desc else SC.id > last_id)
        else:
            stmt = stmt.where(or_(column > value, and_(column == value, SC.id > last_id)))
    order = [SC.id.desc()] if desc else ([SC.id] if column is SC.id else [column, SC.id])
    rows = list(await db.execute(stmt.order_by(*order).limit(page.first + 1)))
    items = [SimCardRecord(*r) for r in rows]
    return to_page(rows, items, lambda r: (r.iccid if column is SC.iccid else r.id, r.id), page)


async def count_cards(db: Db, actor: Actor, f: CardFilter) -> int:
    stmt = select(func.count()).select_from(SimCard.__table__).where(*_conditions(actor, f))
    return int((await db.execute(stmt)).scalar_one())


async def total_cards(db: Db, actor: Actor, f: CardFilter) -> Count:
    """The list's totalCount: exact up to 10,000 cards, estimated beyond (core.db.pagination.count_rows)."""
    return await count_rows(db, SimCard.__table__, _conditions(actor, f))


async def cards_by_ids(db: Db, actor: Actor, ids: Iterable[int]) -> dict[int, SimCardRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await db.execute(select(*CARD_COLS).where(SC.id.in_(wanted), readable(actor)))
    return {r.id: SimCardRecord(*r) for r in rows}


async def plans_by_ids(db: Db, ids: Iterable[int]) -> dict[int, PlanRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {r.id: PlanRecord(*r) for r in await db.execute(select(*PLAN_COLS).where(P.id.in_(wanted)))}


async def plans(db: Db, carrier: Carrier | None = None) -> list[PlanRecord]:
    stmt = select(*PLAN_COLS).order_by(P.carrier, P.data_gb, P.id)
    if carrier is not None:
        stmt = stmt.where(P.carrier == carrier)
    return [PlanRecord(*r) for r in await db.execute(stmt)]


async def accounts_by_cards(db: Db, card_ids: Iterable[int]) -> dict[int, TerminalAccountRecord]:
    """Each card's terminal account with the applications it may reach (two statements, whatever the count)."""
    wanted = sorted(set(card_ids))
    if not wanted:
        return {}
    accounts = {
        r.card_id: TerminalAccountRecord(*r) for r in await db.execute(select(*ACCOUNT_COLS).where(TA.card_id.in_(wanted)))
    }
    await _account_applications(db, list(accounts.values()))
    return accounts


async def _account_applications(db: Db, accounts: list[TerminalAccountRecord]) -> None:
    by_id = {a.id: a for a in accounts}
    for account in accounts:
        account.applications = []
    if not by_id:
        return
    stmt = (
        select(TAA.account_id, *APP_COLS)
        .join_from(terminal_account_application, Application.__table__, A.id == TAA.application_id)
        .where(TAA.account_id.in_(sorted(by_id)))
        .order_by(TAA.account_id, A.code)
    )
    for r in await db.execute(stmt):
        by_id[r[0]].applications.append(ApplicationRecord(*r[1:]))


async def events_by_cards(db: Db, card_ids: Iterable[int]) -> dict[int, list[SimCardEventRecord]]:
    wanted = sorted(set(card_ids))
    out: dict[int, list[SimCardEventRecord]] = {i: [] for i in wanted}
    if wanted:
        for r in await db.execute(select(*EVENT_COLS).where(E.card_id.in_(wanted)).order_by(E.card_id, E.id)):
            out[r.card_id].append(SimCardEventRecord(*r))
    return out


async def export_batches(db: Db, actor: Actor, f: CardFilter, batch: int = 1000) -> Any:
    """The filtered cards with their plan's and unit's names, by id, `batch` rows per statement (keyset on id)."""
    unit = OrgUnit.__table__.alias("export_unit")
    cols = [SC.id, SC.iccid, SC.msisdn, SC.imsi, SC.carrier, SC.domain, P.name, unit.c.name, SC.holder_name, SC.status,
            SC.imei, SC.activated_at, SC.cancelled_at]  # fmt: skip
    base = (
        select(*cols)
        .select_from(SimCard.__table__.join(SimPlan.__table__, P.id == SC.plan_id).join(unit, unit.c.id == SC.unit_id))
        .where(*_conditions(actor, f))
        .order_by(SC.id)
        .limit(batch)
    )
    last = 0
    while True:
        rows = list(await db.execute(base.where(SC.id > last)))
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@dataclass(frozen=True, slots=True)
class AccountFilter:
    unit_id: int | None = None
    statuses: tuple[Any, ...] = ()
    account_name: str | None = None  # exact
    holder_name: str | None = None  # exact
    online: bool | None = None


def _account_conditions(actor: Actor, f: AccountFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [TA.card_id.in_(select(SC.id).where(readable(actor)))] if not actor.sees_all_units else []
    if f.unit_id is not None:
        where.append(TA.card_id.in_(select(SC.id).where(SC.unit_id == f.unit_id)))
    if f.statuses:
        where.append(TA.status.in_(f.statuses))
    if f.account_name:
        where.append(TA.account_name == f.account_name.strip())
    if f.holder_name:
        where.append(TA.holder_name == f.holder_name.strip())
    if f.online is not None:
        where.append(TA.online.is_(f.online))
    return where


async def list_accounts(db: Db, actor: Actor, f: AccountFilter, page: PageRequest) -> Page[TerminalAccountRecord]:
    """Terminal accounts of the cards the actor may see, newest first, with the applications each may reach."""
    stmt = select(*ACCOUNT_COLS).where(*_account_conditions(actor, f))
    if page.after is not None:
        stmt = stmt.where(TA.id < int(decode_cursor(page.after, 1)[0]))
    rows = list(await db.execute(stmt.order_by(TA.id.desc()).limit(page.first + 1)))
    items = [TerminalAccountRecord(*r) for r in rows]
    await _account_applications(db, items[: page.first])
    return to_page(rows, items, lambda r: (r.id,), page)


async def count_accounts(db: Db, actor: Actor, f: AccountFilter) -> int:
    stmt = select(func.count()).select_from(TerminalAccount.__table__).where(*_account_conditions(actor, f))
    return int((await db.execute(stmt)).scalar_one())


async def accounts_by_ids(db: Db, actor: Actor, ids: Iterable[int]) -> dict[int, TerminalAccountRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = select(*ACCOUNT_COLS).where(TA.id.in_(wanted), *_account_conditions(actor, AccountFilter()))
    found = {r.id: TerminalAccountRecord(*r) for r in await db.execute(stmt)}
    await _account_applications(db, list(found.values()))
    return found
