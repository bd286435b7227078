"""All wireless SQL: scoped card reads (readable(actor)), the catalogues, terminal accounts, card history."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, or_, select, true

from core.db.encrypted import blind_index, columns_of, normalize_phone
from core.db.engine import Db, dialect_name
from core.db.functions import bound
from core.db.pagination import (
    Count,
    InvalidCursor,
    Page,
    PageRequest,
    count_expression,
    count_rows,
    decode_cursor,
    finish_count,
    to_page,
)
from domain.catalog.models import Application
from domain.catalog.repository import APP_COLS, A, ApplicationRecord
from domain.identity.actor import Actor
from domain.identity.models import OrgUnit
from domain.identity.records import OrgUnitRecord, unread
from domain.identity.repository import UNIT_COLS, in_readable_units, scope_like, scoped_units
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


def _filter_params(actor: Actor, f: CardFilter) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Which conditions a filter sets (the shape _where builds) and the values of their parameters."""
    values: dict[str, Any] = {
        **scope_like(actor), "f_unit": f.unit_id, "f_carriers": list(f.carriers), "f_domains": list(f.domains),
        "f_plan": f.plan_id, "f_statuses": list(f.statuses), "f_iccid": f.iccid.strip() if f.iccid else None,
        "f_msisdn_bidx": blind_index("sim_card.msisdn", f.msisdn, normalize_phone) if f.msisdn else None,
        "f_bidx": f.msisdn_bidx or None, "f_activated_from": f.activated_from, "f_activated_to": f.activated_to,
        "f_holder": f.holder_name.strip() if f.holder_name else None,
    }  # fmt: skip
    values = {k: v for k, v in values.items() if v is not None and v != []}
    names = ("f_unit", "f_carriers", "f_domains", "f_plan", "f_statuses", "f_iccid", "f_msisdn_bidx", "f_bidx",
             "f_activated_from", "f_activated_to", "f_holder")  # fmt: skip
    return (actor.sees_all_units, *(n in values for n in names)), values


@lru_cache(maxsize=512)
def _where(sees_all_units: bool, unit: bool, carriers: bool, domains: bool, plan: bool, statuses: bool, iccid: bool,
           msisdn: bool, bidx: bool, activated_from: bool, activated_to: bool, holder: bool) -> tuple[ColumnElement[bool], ...]:  # fmt: skip
    """The conditions of one filter shape, with their values as parameters (_filter_params): built once per shape."""
    where = [
        true() if sees_all_units else SC.unit_id.in_(select(U.id).where(U.path.like(bindparam("scope_like"))).scalar_subquery())
    ]
    for flag, column, name in ((carriers, SC.carrier, "f_carriers"), (domains, SC.domain, "f_domains"), (statuses, SC.status, "f_statuses")):  # fmt: skip
        if flag:
            where.append(column.in_(bindparam(name, expanding=True, type_=column.type)))
    for flag, column, name in (
        (unit, SC.unit_id, "f_unit"), (plan, SC.plan_id, "f_plan"), (iccid, SC.iccid, "f_iccid"),
        (msisdn, SC.msisdn_bidx, "f_msisdn_bidx"), (bidx, SC.msisdn_bidx, "f_bidx"), (holder, SC.holder_name, "f_holder"),
    ):  # fmt: skip
        if flag:
            where.append(column == bindparam(name, type_=column.type))
    if activated_from:
        where.append(SC.activated_at >= bindparam("f_activated_from", type_=SC.activated_at.type))
    if activated_to:
        where.append(SC.activated_at < bindparam("f_activated_to", type_=SC.activated_at.type))
    return tuple(where)


def _conditions(actor: Actor, f: CardFilter) -> list[ColumnElement[bool]]:
    """The filter's conditions under the actor's scope, values bound (for statements built per call)."""
    shape, params = _filter_params(actor, f)
    return bound(_where(*shape), params)


def _order(sort: SimCardSort) -> tuple[Any, bool]:
    if sort is SimCardSort.ICCID_ASC:
        return SC.iccid, False
    return SC.id, sort is SimCardSort.CREATED_DESC


def _page_statement(
    shape: tuple[Any, ...], sort: SimCardSort, after: bool, shown: frozenset[str] | None
) -> tuple[Select[Any], tuple[str, ...]]:
    """A page of cards for one filter shape, sort and page kind, keyset-sorted (id, or ICCID then id), with the filter,
    the cursor (_after_values) and `page_limit` as parameters; and the card columns left unread (columns_of)."""
    column, desc = _order(sort)
    card_cols, card_unread = columns_of(SimCard.__table__, CARD_COLS, shown)
    stmt: Select[Any] = select(*card_cols).where(*_where(*shape))
    if after:
        last_id = bindparam("after_id", type_=SC.id.type)
        if column is SC.id:
            stmt = stmt.where(SC.id < last_id if desc else SC.id > last_id)
        else:
            value = bindparam("after_value", type_=column.type)
            stmt = stmt.where(or_(column > value, and_(column == value, SC.id > last_id)))
    order = [SC.id.desc()] if desc else ([SC.id] if column is SC.id else [column, SC.id])
    return stmt.order_by(*order).limit(bindparam("page_limit", type_=Integer(), literal_execute=True)), card_unread


@lru_cache(maxsize=512)
def _list_statement(shape: tuple[Any, ...], sort: SimCardSort, after: bool) -> Select[Any]:
    return _page_statement(shape, sort, after, None)[0]


def _after_values(cursor: str) -> dict[str, Any]:
    try:
        value, last_id = decode_cursor(cursor, 2)
        return {"after_value": value, "after_id": int(last_id)}
    except (TypeError, ValueError) as exc:
        raise InvalidCursor(cursor) from exc


def _params(actor: Actor, f: CardFilter, page: PageRequest) -> tuple[tuple[Any, ...], dict[str, Any]]:
    shape, params = _filter_params(actor, f)
    if page.after is not None:
        params |= _after_values(page.after)
    return shape, params | {"page_limit": page.first + 1}


async def list_cards(db: Db, actor: Actor, f: CardFilter, sort: SimCardSort, page: PageRequest) -> Page[SimCardRecord]:
    """A page of the cards the actor may see, filtered, keyset-sorted (id, or ICCID then id)."""
    shape, params = _params(actor, f, page)
    rows = list(await db.execute(_list_statement(shape, sort, page.after is not None), params))
    items = [SimCardRecord(*r) for r in rows]
    column, _desc = _order(sort)
    return to_page(rows, items, lambda r: (r.iccid if column is SC.iccid else r.id, r.id), page)


# Built once: an alias computes its column collection on first use, which costs more than the query it joins.
_JOINED = (
    SimPlan.__table__.alias("plan"), SimPlan.__table__.alias("next_plan"), OrgUnit.__table__.alias("card_unit"),
    TerminalAccount.__table__.alias("account"),
)  # fmt: skip


@lru_cache(maxsize=512)
def _joined_statement(
    shape: tuple[Any, ...], sort: SimCardSort, after: bool, total: bool, dialect: str, shown: frozenset[str] | None
) -> tuple[Select[Any], tuple[tuple[str, ...], ...]]:
    """list_cards_joined's statement for one filter shape, sort, page kind and the columns a selection shows: built once,
    run with parameters. Also the names left unread: the card's, the plans', the unit's and the account's."""
    column, desc = _order(sort)
    page, card_unread = _page_statement(shape, sort, after, shown)
    p = page.subquery("page")
    plan, next_plan, unit, account = _JOINED
    unit_cols, unit_in, unit_unread = scoped_units(shape[0], unit, shown)
    plan_cols, plan_unread = columns_of(plan, PLAN_COLS, shown, plain=True)
    next_cols, _ = columns_of(next_plan, PLAN_COLS, shown, plain=True)
    account_cols, account_unread = columns_of(account, ACCOUNT_COLS, shown, plain=True)
    cols = [*(p.c[c.name] for c in CARD_COLS), *plan_cols, *next_cols, *unit_cols, *account_cols]
    if total:
        cols.append(count_expression(dialect, SimCard.__table__, _where(*shape)).label("total"))
    joined = (
        p.outerjoin(plan, plan.c.id == p.c.plan_id)
        .outerjoin(next_plan, next_plan.c.id == p.c.next_plan_id)
        .outerjoin(unit, and_(unit.c.id == p.c.unit_id, unit_in))
        .outerjoin(account, account.c.card_id == p.c.id)
    )
    outer = [p.c.id.desc() if desc else p.c.id] if column is SC.id else [p.c[column.name], p.c.id]
    return select(*cols).select_from(joined).order_by(*outer), (card_unread, plan_unread, unit_unread, account_unread)


async def list_cards_joined(
    db: Db,
    actor: Actor,
    f: CardFilter,
    sort: SimCardSort,
    page: PageRequest,
    *,
    total: bool,
    shown: frozenset[str] | None = None,
) -> tuple[Page[SimCardRecord], Count | None]:
    """list_cards with, in the same statement, each card's plan and next plan, its unit (when in the actor's scope,
    as units_by_ids gives it) and its terminal account (without the applications it reaches), and the list's total
    when asked (as total_cards gives it). The compiled list screens read through this. With `shown` (the column names
    the selection shows), sealed columns and the plans', unit's and account's columns it does not show are not read,
    and are NOT_LOADED on the records (core.db.encrypted.columns_of)."""
    shape, params = _params(actor, f, page)
    column, _desc = _order(sort)
    stmt, (card_unread, plan_unread, unit_unread, account_unread) = _joined_statement(
        shape, sort, page.after is not None, total, dialect_name(db), shown
    )
    rows = list(await db.execute(stmt, params))
    n_card, n_plan, n_unit = len(CARD_COLS), len(PLAN_COLS), len(UNIT_COLS)
    at_next, at_unit = n_card + n_plan, n_card + 2 * n_plan
    at_account = at_unit + n_unit
    at_end = at_account + len(ACCOUNT_COLS)
    items = []

    def some(make: Any, values: Any, names: tuple[str, ...]) -> Any:
        return unread(make(*values), names) if values[0] is not None else None  # the id is always read

    for r in rows:
        card = some(SimCardRecord, r[:n_card], card_unread)
        card.plan, card.next_plan = (
            some(PlanRecord, r[n_card:at_next], plan_unread),
            some(PlanRecord, r[at_next:at_unit], plan_unread),
        )
        card.unit = some(OrgUnitRecord, r[at_unit:at_account], unit_unread)
        card.terminal_account = some(TerminalAccountRecord, r[at_account:at_end], account_unread)
        items.append(card)
    result = to_page(items, items, lambda c: (c.iccid if column is SC.iccid else c.id, c.id), page)
    if not total:
        return result, None
    if not rows:  # past the end: the total still counts
        return result, await total_cards(db, actor, f)
    return result, await finish_count(db, SimCard.__table__, lambda: _conditions(actor, f), int(rows[0][-1]))


@lru_cache(maxsize=512)
def _shaped_statement(
    shape: tuple[Any, ...], sort: SimCardSort, after: bool, total: bool, edge: Callable[[Any, bool], Any]
) -> Select[Any]:
    """list_cards_shaped's statement: per card of the page, `edge(page, sees_all)`, the sort value, the id and, when
    asked, the capped total; built once per filter shape, sort, page kind and edge."""
    column, desc = _order(sort)
    p = _page_statement(shape, sort, after, None)[0].subquery("page")
    cols = [edge(p, shape[0]).label("edge"), p.c[column.name], p.c.id]
    if total:
        cols.append(count_expression("postgresql", SimCard.__table__, _where(*shape)).label("total"))
    outer = [p.c.id.desc() if desc else p.c.id] if column is SC.id else [p.c[column.name], p.c.id]
    return select(*cols).order_by(*outer)


async def list_cards_shaped(
    db: Db, actor: Actor, f: CardFilter, sort: SimCardSort, page: PageRequest, *, total: bool,
    edge: Callable[[Any, bool], Any],
) -> tuple[Page[str], Count | None]:  # fmt: skip
    """list_cards_joined for PostgreSQL with each card written as JSON by the statement itself: `edge(page, sees_all)`
    gives one row's JSON text from the page subquery's card columns under the actor's scope (schema/shaped.py builds
    it); the page holds those texts, in order."""
    shape, params = _params(actor, f, page)
    rows = list(await db.execute(_shaped_statement(shape, sort, page.after is not None, total, edge), params))
    result = to_page(rows, [r[0] for r in rows], lambda r: (r[1], r[2]), page)
    if not total:
        return result, None
    if not rows:
        return result, await total_cards(db, actor, f)
    return result, await finish_count(db, SimCard.__table__, lambda: _conditions(actor, f), int(rows[0][-1]))


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
