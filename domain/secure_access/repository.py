"""Reads of the secure access registry: the accounts a viewer may see (their unit's subtree, or all for the
management unit), filtered and keyset-paged, and each relation in one statement whatever the page size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from core.db.encrypted import blind_index, normalize_exact
from core.db.engine import Db
from core.db.pagination import InvalidCursor, Page, PageRequest, decode_cursor, to_page
from domain.catalog.models import Application
from domain.catalog.repository import APP_COLS, ApplicationRecord
from domain.identity.actor import Actor
from domain.identity.repository import in_readable_units
from domain.secure_access import validation
from domain.secure_access.enums import AccountSort, AccountStatus
from domain.secure_access.models import SecureAccessAccount, SecureAccessEvent, secure_access_mac, secure_access_system
from domain.secure_access.records import AccountEventRecord, AccountRecord

SA = SecureAccessAccount.__table__.c
M = secure_access_mac.c
S = secure_access_system.c
A = Application.__table__.c
E = SecureAccessEvent.__table__.c

ACCOUNT_COLS = [
    SA.id, SA.account_name, SA.holder_name, SA.holder_phone, SA.unit_id, SA.status, SA.valid_from, SA.valid_to,
    SA.mac_limit, SA.online_sessions, SA.last_login_at, SA.activated_at, SA.revoked_at, SA.created_at, SA.updated_at,
    SA.version,
]  # fmt: skip
EVENT_COLS = [E.id, E.account_id, E.kind, E.from_status, E.to_status, E.order_id, E.actor_name, E.at, E.detail]


def readable(actor: Actor) -> ColumnElement[bool]:
    """Management staff see every account; an access unit's people see their unit subtree's accounts."""
    return in_readable_units(actor, SA.unit_id)


@dataclass(frozen=True, slots=True)
class AccountFilter:
    unit_id: int | None = None
    statuses: tuple[AccountStatus, ...] = ()
    system: str | None = None  # an application code the account may reach
    mac: str | None = None  # exact, any separator or case
    holder_name: str | None = None  # prefix
    holder_id_number: str | None = None  # exact, through the blind index
    holder_id_bidx: str | None = None  # the blind index itself (a stored export filter keeps no number in clear)
    account_name: str | None = None  # exact
    expiring_within_days: int | None = None  # live accounts whose validity ends within N days (from `today`)
    today: date | None = None


def _conditions(actor: Actor, f: AccountFilter) -> list[ColumnElement[bool]]:
    where = [readable(actor)]
    if f.unit_id is not None:
        where.append(SA.unit_id == f.unit_id)
    if f.statuses:
        where.append(SA.status.in_(f.statuses))
    if f.system:
        where.append(exists().where(S.account_id == SA.id, S.application_id == A.id, A.code == f.system.strip()))
    if f.mac is not None:
        mac = validation.mac(f.mac)
        where.append(exists().where(M.account_id == SA.id, M.mac == mac) if mac else SA.id.is_(None))
    if f.holder_name:
        where.append(SA.holder_name.startswith(f.holder_name.strip(), autoescape=True))
    if f.holder_id_number:
        where.append(SA.holder_id_bidx == blind_index("secure_access_account.holder_id_number", f.holder_id_number,
                                                      normalize_exact))  # fmt: skip
    if f.holder_id_bidx:
        where.append(SA.holder_id_bidx == f.holder_id_bidx)
    if f.account_name:
        where.append(SA.account_name == f.account_name.strip().upper())
    if f.expiring_within_days is not None and f.today is not None:
        where += [SA.status.in_((AccountStatus.ACTIVE, AccountStatus.SUSPENDED)), SA.valid_to >= f.today,
                  SA.valid_to <= f.today + timedelta(days=f.expiring_within_days)]  # fmt: skip
    return where


async def list_accounts(db: Db, actor: Actor, f: AccountFilter, sort: AccountSort, page: PageRequest) -> Page[AccountRecord]:
    """A page of the accounts the actor may see, filtered, keyset-sorted (id, or validity end then id)."""
    stmt: Select[Any] = select(*ACCOUNT_COLS).where(*_conditions(actor, f))
    desc = sort is AccountSort.CREATED_DESC
    by_valid_to = sort is AccountSort.VALID_TO_ASC
    if page.after is not None:
        try:
            value, last_id = decode_cursor(page.after, 2)
            last_id = int(last_id)
            valid_to = date.fromisoformat(value) if by_valid_to else None
        except (TypeError, ValueError) as exc:
            raise InvalidCursor(page.after) from exc
        if valid_to is not None:
            stmt = stmt.where(or_(SA.valid_to > valid_to, and_(SA.valid_to == valid_to, SA.id > last_id)))
        else:
            stmt = stmt.where(SA.id < last_id if desc else SA.id > last_id)
    order = [SA.valid_to, SA.id] if by_valid_to else ([SA.id.desc()] if desc else [SA.id])
    rows = list(await db.execute(stmt.order_by(*order).limit(page.first + 1)))
    items = [AccountRecord(*r) for r in rows]
    return to_page(rows, items, lambda r: (r.valid_to.isoformat() if by_valid_to else r.id, r.id), page)


async def count_accounts(db: Db, actor: Actor, f: AccountFilter) -> int:
    stmt = select(func.count()).select_from(SecureAccessAccount.__table__).where(*_conditions(actor, f))
    return int((await db.execute(stmt)).scalar_one())


async def accounts_by_ids(db: Db, actor: Actor, ids: Iterable[int]) -> dict[int, AccountRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await db.execute(select(*ACCOUNT_COLS).where(SA.id.in_(wanted), readable(actor)))
    return {r.id: AccountRecord(*r) for r in rows}


async def macs_by_accounts(db: Db, ids: Iterable[int]) -> dict[int, list[str]]:
    wanted = sorted(set(ids))
    out: dict[int, list[str]] = {i: [] for i in wanted}
    if wanted:
        for account_id, mac in await db.execute(select(M.account_id, M.mac).where(M.account_id.in_(wanted)).order_by(M.mac)):
            out[account_id].append(mac)
    return out


async def systems_by_accounts(db: Db, ids: Iterable[int]) -> dict[int, list[ApplicationRecord]]:
    wanted = sorted(set(ids))
    out: dict[int, list[ApplicationRecord]] = {i: [] for i in wanted}
    if wanted:
        stmt = (
            select(S.account_id, *APP_COLS).join_from(secure_access_system, Application.__table__, A.id == S.application_id)
            .where(S.account_id.in_(wanted)).order_by(S.account_id, A.code)
        )  # fmt: skip
        for r in await db.execute(stmt):
            out[r[0]].append(ApplicationRecord(*r[1:]))
    return out


async def events_by_accounts(db: Db, ids: Iterable[int]) -> dict[int, list[AccountEventRecord]]:
    wanted = sorted(set(ids))
    out: dict[int, list[AccountEventRecord]] = {i: [] for i in wanted}
    if wanted:
        for r in await db.execute(select(*EVENT_COLS).where(E.account_id.in_(wanted)).order_by(E.account_id, E.id)):
            out[r.account_id].append(AccountEventRecord(*r))
    return out
