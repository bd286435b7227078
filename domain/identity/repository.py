"""All identity SQL. Every read goes through readable_* so access-unit users see only their unit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, cast, delete, func, literal, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import integrity
from core.db.encrypted import blind_index, columns_of, normalize_email, normalize_phone
from core.db.engine import Db, dialect_name
from core.db.functions import in_ids, string_agg
from core.db.pagination import Page, PageRequest, decode_cursor, keyset, to_page
from domain.identity.actor import Actor
from domain.identity.catalog import ROLES
from domain.identity.enums import OrgUnitKind, OrgUnitStatus, UserStatus
from domain.identity.models import AccessToken, OrgUnit, Role, RolePermission, User, UserRole, unit_scope_mac
from domain.identity.records import AccessTokenRecord, OrgUnitRecord, RoleRecord, UserRecord

U = OrgUnit.__table__.c
US = User.__table__.c
R = Role.__table__.c
RP = RolePermission.__table__.c
UR = UserRole.__table__.c
T = AccessToken.__table__.c

UNIT_COLS = [U.id, U.code, U.name, U.kind, U.status, U.parent_id, U.path, U.contact_name, U.contact_phone,
             U.contact_email, U.address, U.created_at, U.updated_at]  # fmt: skip
USER_COLS = [US.id, US.username, US.display_name, US.org_unit_id, US.status, US.locked_until, US.last_login_at,
             US.phone, US.email, US.created_at, US.updated_at]  # fmt: skip
ROLE_COLS = [R.id, R.code, R.name, R.description, R.duty, R.unit_kind, R.built_in, R.created_at, R.updated_at]
TOKEN_COLS = [T.id, T.user_id, T.created_at, T.expires_at, T.last_used_at, T.revoked_at, T.client_ip, T.user_agent]


def _unit(row: Any) -> OrgUnitRecord:
    return OrgUnitRecord(*row)


def _user(row: Any) -> UserRecord:
    return UserRecord(*row)


def _role(row: Any) -> RoleRecord:
    return RoleRecord(*row)


def _token(row: Any) -> AccessTokenRecord:
    return AccessTokenRecord(*row)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- data scope -------------------------------------------------------------------------------


def readable_units(actor: Actor, units: Any = None) -> ColumnElement[bool]:
    """`units` is the org_unit table or an alias of it (for joins)."""
    if actor.sees_all_units:
        return true()
    return (U if units is None else units.c).path.startswith(actor.unit_path, autoescape=True)


def in_readable_units(actor: Actor, unit_column: Any) -> ColumnElement[bool]:
    """Rows whose unit is in the actor's data scope: their unit's subtree, or every unit for management staff."""
    if actor.sees_all_units:
        return true()
    return unit_column.in_(select(U.id).where(readable_units(actor)).scalar_subquery())  # type: ignore[no-any-return]


def readable_users(actor: Actor) -> ColumnElement[bool]:
    return in_readable_units(actor, US.org_unit_id)


def scope_like(actor: Actor) -> dict[str, str]:
    """The value of the `scope_like` parameter of scoped_users and scoped_units (unit paths hold only digits and
    slashes, so LIKE needs no escaping), for statements built once and run by many actors of the same kind."""
    return {} if actor.sees_all_units else {"scope_like": actor.unit_path + "%"}


def scoped_users(
    sees_all_units: bool, users: Any, shown: frozenset[str] | None = None
) -> tuple[list[Any], ColumnElement[bool], tuple[str, ...]]:
    """USER_COLS of `users` (an alias of user_account, for a join; only the id and the columns named in `shown` are
    read, the others' names third: core.db.encrypted.columns_of, `plain`) and the condition users_by_ids applies,
    with the actor's scope as the `scope_like` parameter."""
    cols, unread = columns_of(users, USER_COLS, shown, plain=True)
    if sees_all_units:
        return cols, true(), unread
    return cols, users.c.org_unit_id.in_(select(U.id).where(U.path.like(bindparam("scope_like"))).scalar_subquery()), unread


def scoped_units(
    sees_all_units: bool, units: Any, shown: frozenset[str] | None = None
) -> tuple[list[Any], ColumnElement[bool], tuple[str, ...]]:
    """UNIT_COLS of `units` (an alias of org_unit, for a join; only the id and the columns named in `shown` are read,
    the others' names third) and the condition units_by_ids applies, with the actor's scope as the `scope_like`
    parameter."""
    cols, unread = columns_of(units, UNIT_COLS, shown, plain=True)
    return cols, true() if sees_all_units else units.c.path.like(bindparam("scope_like")), unread


def readable_tokens(actor: Actor) -> ColumnElement[bool]:
    """Your own logins always; everybody's (in your data scope) with identity.manage_tokens."""
    if actor.can("identity.manage_tokens"):
        return true() if actor.sees_all_units else T.user_id.in_(select(US.id).where(readable_users(actor)).scalar_subquery())
    return T.user_id == actor.user_id


# --- organisation units -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgUnitFilter:
    search: str | None = None
    kind: OrgUnitKind | None = None
    status: OrgUnitStatus | None = None
    parent_id: int | None = None
    contact_phone: str | None = None  # exact match, through the blind index
    contact_email: str | None = None


def _units_query(actor: Actor, f: OrgUnitFilter, cols: Iterable[Any]) -> Select[Any]:
    stmt = select(*cols).select_from(OrgUnit.__table__).where(readable_units(actor))
    if f.search:
        pattern = f"%{_escape_like(f.search)}%"
        stmt = stmt.where(or_(U.name.like(pattern, escape="\\"), U.code.like(pattern, escape="\\")))
    if f.kind is not None:
        stmt = stmt.where(U.kind == f.kind)
    if f.status is not None:
        stmt = stmt.where(U.status == f.status)
    if f.parent_id is not None:
        stmt = stmt.where(U.parent_id == f.parent_id)
    if f.contact_phone is not None:
        stmt = stmt.where(U.contact_phone_bidx == blind_index("org_unit.contact_phone", f.contact_phone, normalize_phone))
    if f.contact_email is not None:
        stmt = stmt.where(U.contact_email_bidx == blind_index("org_unit.contact_email", f.contact_email, normalize_email))
    return stmt


async def list_org_units(session: Db, actor: Actor, f: OrgUnitFilter, page: PageRequest) -> Page[OrgUnitRecord]:
    rows = list(await session.execute(keyset(_units_query(actor, f, UNIT_COLS), [U.id], page)))
    return to_page(rows, [_unit(r) for r in rows], lambda r: (r.id,), page)


async def count_org_units(session: Db, actor: Actor, f: OrgUnitFilter) -> int:
    return (await session.execute(_units_query(actor, f, [func.count()]))).scalar_one()


@lru_cache(maxsize=4)
def _units_by_ids_statement(dialect: str, scoped: bool) -> Select[Any]:
    stmt = select(*UNIT_COLS).where(in_ids(U.id, "ids", dialect))
    return stmt.where(U.path.like(bindparam("scope"))) if scoped else stmt


async def units_by_ids(session: Db, actor: Actor, ids: Iterable[int]) -> dict[int, OrgUnitRecord]:
    ids = set(ids)
    if not ids:
        return {}
    scope = _scope(actor)
    params: dict[str, Any] = {"ids": list(ids)} | ({"scope": scope} if scope else {})
    return {
        r.id: _unit(r) for r in await session.execute(_units_by_ids_statement(dialect_name(session), scope is not None), params)
    }


async def get_org_unit(session: AsyncSession, unit_id: int) -> OrgUnit | None:
    return await session.get(OrgUnit, unit_id)


async def org_unit_code_taken(session: AsyncSession, code: str) -> bool:
    return (await session.execute(select(U.id).where(U.code == code))).first() is not None


async def move_subtree(session: AsyncSession, old_prefix: str, new_prefix: str) -> None:
    """Rewrite the materialised path of every descendant after a unit moved, and re-seal their scopes."""
    await session.execute(
        update(OrgUnit.__table__)
        .where(U.path.startswith(old_prefix, autoescape=True), U.path != old_prefix)
        .values(path=literal(new_prefix, String) + func.substr(U.path, len(old_prefix) + 1))
        .execution_options(synchronize_session=False)
    )
    moved = await session.execute(
        select(U.id, U.kind, U.status, U.path).where(U.path.startswith(new_prefix, autoescape=True), U.path != new_prefix)
    )
    for unit_id, kind, status, path in moved.all():
        await session.execute(
            update(OrgUnit.__table__).where(U.id == unit_id).values(scope_mac=unit_scope_mac(unit_id, kind, status, path))
        )


# --- users ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserFilter:
    search: str | None = None
    org_unit_id: int | None = None
    status: UserStatus | None = None
    role_id: int | None = None
    phone: str | None = None  # exact match, through the blind index
    email: str | None = None


def _scope(actor: Actor) -> str | None:
    """The LIKE pattern of the actor's unit subtree (paths hold only digits and slashes), or None for all."""
    return None if actor.sees_all_units else actor.unit_path + "%"


# Hot statements are built once per shape and reused with bound parameters: building a statement
# with aliases and ~40 columns, and computing its cache key, cost more than running it.
@lru_cache(maxsize=256)
def _users_statement(
    scoped: bool, search: bool, unit: bool, status: bool, role: bool, after: bool, with_unit: bool, with_parent: bool,
    count: bool, with_roles: bool = False, phone: bool = False, email: bool = False,
) -> Select[Any]:  # fmt: skip
    if count:
        cols, from_ = [func.count()], User.__table__
    else:
        cols, from_ = list(USER_COLS), User.__table__
        if with_roles:  # the user's role ids ride along; the roles themselves come from the catalogue
            cols.append(select(string_agg(cast(UR.role_id, String))).where(UR.user_id == US.id).scalar_subquery())
    if with_unit:
        u = OrgUnit.__table__.alias("unit")
        cols += [u.c[c.name] for c in UNIT_COLS]
        on = u.c.id == US.org_unit_id
        from_ = from_.outerjoin(u, and_(on, u.c.path.like(bindparam("scope"))) if scoped else on)
        if with_parent:
            p = OrgUnit.__table__.alias("parent")
            cols += [p.c[c.name] for c in UNIT_COLS]
            on = p.c.id == u.c.parent_id
            from_ = from_.outerjoin(p, and_(on, p.c.path.like(bindparam("scope"))) if scoped else on)
    stmt = select(*cols).select_from(from_)
    if scoped:
        stmt = stmt.where(US.org_unit_id.in_(select(U.id).where(U.path.like(bindparam("scope"))).scalar_subquery()))
    if search:
        pattern = bindparam("pattern")
        stmt = stmt.where(or_(US.username.like(pattern, escape="\\"), US.display_name.like(pattern, escape="\\")))
    if unit:
        stmt = stmt.where(US.org_unit_id == bindparam("org_unit_id"))
    if status:
        stmt = stmt.where(US.status == bindparam("status"))
    if role:
        stmt = stmt.where(US.id.in_(select(UR.user_id).where(UR.role_id == bindparam("role_id")).scalar_subquery()))
    if phone:
        stmt = stmt.where(US.phone_bidx == bindparam("phone_bidx"))
    if email:
        stmt = stmt.where(US.email_bidx == bindparam("email_bidx"))
    if count:
        return stmt
    if after:
        stmt = stmt.where(US.id > bindparam("after_id"))
    return stmt.order_by(US.id).limit(bindparam("limit"))


def _users_params(actor: Actor, f: UserFilter) -> tuple[tuple[bool, ...], tuple[bool, bool], dict[str, Any]]:
    """(the statement's shape, its exact-match shape, the parameters)."""
    scope = _scope(actor)
    params: dict[str, Any] = {"scope": scope, "org_unit_id": f.org_unit_id, "status": f.status, "role_id": f.role_id}
    if f.search:
        params["pattern"] = f"%{_escape_like(f.search)}%"
    params["phone_bidx"] = blind_index("user_account.phone", f.phone, normalize_phone)
    params["email_bidx"] = blind_index("user_account.email", f.email, normalize_email)
    shape = (scope is not None, bool(f.search), f.org_unit_id is not None, f.status is not None, f.role_id is not None)
    return shape, (f.phone is not None, f.email is not None), {k: v for k, v in params.items() if v is not None}


async def list_users(
    session: Db, actor: Actor, f: UserFilter, page: PageRequest, *,
    with_unit: bool = False, with_parent: bool = False, with_roles: bool = False,
) -> Page[UserRecord]:  # fmt: skip
    """A page of users; `with_unit` / `with_parent` join the unit and its parent into the same statement
    (outside the actor's scope they come back as None, exactly as a separate scoped read would), and
    `with_roles` brings each user's roles through the same statement and the role catalogue."""
    shape, exact, params = _users_params(actor, f)
    params["limit"] = page.first + 1
    if page.after is not None:
        params["after_id"] = decode_cursor(page.after, 1)[0]
    stmt = _users_statement(*shape, page.after is not None, with_unit, with_unit and with_parent, False, with_roles, *exact)
    rows = list(await session.execute(stmt, params))
    catalog = await ROLES.get(session) if with_roles else {}
    n, m = len(USER_COLS), len(UNIT_COLS)
    u = n + 1 if with_roles else n  # where the unit's columns start
    units: dict[int, OrgUnitRecord] = {}  # one record per unit, however many users share it
    items = []
    for row in rows:
        user = UserRecord(*row[:n])
        if with_roles:
            user.roles = _roles_from(catalog, row[n])
        if with_unit and row[u] is not None:
            unit = units.get(row[u])
            if unit is None:
                unit = units[row[u]] = OrgUnitRecord(*row[u : u + m])
                if with_parent:
                    unit.parent = None if row[u + m] is None else units.get(row[u + m]) or OrgUnitRecord(*row[u + m :])
            user.org_unit = unit
        elif with_unit:
            user.org_unit = None
        items.append(user)
    return to_page(rows, items, lambda r: (r[0],), page)  # the id is the first column


def _roles_from(catalog: dict[int, RoleRecord], ids: str | None) -> list[RoleRecord]:
    if not ids:
        return []
    return [catalog[i] for i in _id_list(ids) if i in catalog]


@lru_cache(maxsize=1024)
def _id_list(ids: str) -> tuple[int, ...]:
    """Most users hold the same few role sets: parse each "3,1" once."""
    return tuple(sorted(int(x) for x in ids.split(",")))


async def count_users(session: Db, actor: Actor, f: UserFilter) -> int:
    shape, exact, params = _users_params(actor, f)
    return (await session.execute(_users_statement(*shape, False, False, False, True, False, *exact), params)).scalar_one()


async def users_by_ids(session: Db, actor: Actor, ids: Iterable[int]) -> dict[int, UserRecord]:
    ids = set(ids)
    if not ids:
        return {}
    rows = await session.execute(select(*USER_COLS).where(US.id.in_(ids), readable_users(actor)))
    return {r.id: _user(r) for r in rows}


async def get_user(session: AsyncSession, user_id: int, *, for_update: bool = False) -> User | None:
    return await session.get(User, user_id, with_for_update=for_update or None)


async def get_user_by_username(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(US.username == username))).scalar_one_or_none()


async def get_org_unit_by_code(session: AsyncSession, code: str) -> OrgUnit | None:
    return (await session.execute(select(OrgUnit).where(U.code == code))).scalar_one_or_none()


async def password_hash_of(session: Db, username: str) -> tuple[int, str, bool] | None:
    """(user id, stored hash, whether the hash is the one we wrote: its MAC holds)."""
    row = (await session.execute(select(US.id, US.password_hash, US.password_mac).where(US.username == username))).first()
    if row is None:
        return None
    return row[0], row[1], integrity.holds(row[2], "user_password", row[0], row[1])


async def username_taken(session: AsyncSession, username: str) -> bool:
    return (await session.execute(select(US.id).where(func.lower(US.username) == username.lower()))).first() is not None


# --- roles and grants -------------------------------------------------------------------------


async def list_roles(session: Db, page: PageRequest) -> Page[RoleRecord]:
    rows = list(await session.execute(keyset(select(*ROLE_COLS), [R.id], page)))
    return to_page(rows, [_role(r) for r in rows], lambda r: (r.id,), page)


async def count_roles(session: Db) -> int:
    return (await session.execute(select(func.count()).select_from(Role.__table__))).scalar_one()


async def roles_by_ids(session: Db, ids: Iterable[int]) -> dict[int, RoleRecord]:
    catalog = await ROLES.get(session)
    return {i: catalog[i] for i in set(ids) if i in catalog}


@lru_cache(maxsize=2)
def _role_ids_of_users_statement(dialect: str) -> Select[Any]:
    return select(UR.user_id, UR.role_id).where(in_ids(UR.user_id, "ids", dialect)).order_by(UR.user_id, UR.role_id)


async def roles_by_user_ids(session: Db, user_ids: Iterable[int]) -> dict[int, list[RoleRecord]]:
    user_ids = set(user_ids)
    result: dict[int, list[RoleRecord]] = defaultdict(list)
    if not user_ids:
        return result
    catalog = await ROLES.get(session)
    for user_id, role_id in await session.execute(_role_ids_of_users_statement(dialect_name(session)), {"ids": list(user_ids)}):
        if role_id in catalog:
            result[user_id].append(catalog[role_id])
    return result


async def permissions_by_role_ids(session: Db, role_ids: Iterable[int]) -> dict[int, list[str]]:
    role_ids = set(role_ids)
    result: dict[int, list[str]] = defaultdict(list)
    if not role_ids:
        return result
    stmt = select(RP.role_id, RP.permission).where(RP.role_id.in_(role_ids)).order_by(RP.permission)
    for role_id, permission in await session.execute(stmt):
        result[role_id].append(permission)
    return result


async def get_role(session: AsyncSession, role_id: int) -> Role | None:
    return await session.get(Role, role_id)


async def get_roles(session: AsyncSession, role_ids: Iterable[int]) -> list[Role]:
    return list((await session.execute(select(Role).where(R.id.in_(set(role_ids))))).scalars())


async def role_code_taken(session: AsyncSession, code: str) -> bool:
    return (await session.execute(select(R.id).where(R.code == code))).first() is not None


async def holders_of_role(session: AsyncSession, role_id: int) -> list[int]:
    return list((await session.execute(select(UR.user_id).where(UR.role_id == role_id))).scalars())


async def permissions_of_roles(session: AsyncSession, role_ids: Iterable[int]) -> set[str]:
    role_ids = set(role_ids)
    if not role_ids:
        return set()
    return set((await session.execute(select(RP.permission).where(RP.role_id.in_(role_ids)))).scalars())


async def user_ids_in_subtree(session: AsyncSession, path: str) -> list[int]:
    stmt = select(US.id).join(OrgUnit.__table__, U.id == US.org_unit_id).where(U.path.startswith(path, autoescape=True))
    return list((await session.execute(stmt)).scalars())


async def lock_unit_tree(session: AsyncSession) -> None:
    """Serialise writes to the unit tree (paths are derived from parents): a transaction-scoped
    advisory lock on PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE already."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(0x60_0E_71_EE)))


async def role_in_use(session: AsyncSession, role_id: int) -> bool:
    return (await session.execute(select(UR.user_id).where(UR.role_id == role_id).limit(1))).first() is not None


async def set_role_permissions(session: AsyncSession, role_id: int, codes: Iterable[str]) -> None:
    await session.execute(delete(RolePermission.__table__).where(RP.role_id == role_id))
    codes = sorted(set(codes))
    if codes:
        await session.execute(
            RolePermission.__table__.insert(),
            [{"role_id": role_id, "permission": c, "mac": permission_mac(role_id, c)} for c in codes],
        )


def binding_mac(user_id: int, role_id: int) -> str:
    return integrity.seal("user_role", user_id, role_id)


def permission_mac(role_id: int, permission: str) -> str:
    return integrity.seal("role_permission", role_id, permission)


async def broken_bindings(session: AsyncSession) -> list[tuple[int, int]]:
    """(user id, role id) of every role grant whose mac does not verify."""
    rows = await session.execute(select(UR.user_id, UR.role_id, UR.mac))
    return [(u, r) for u, r, mac in rows if not integrity.holds(mac, "user_role", u, r)]


async def broken_scopes(session: AsyncSession) -> list[str]:
    """Users and units whose data-scope fields (unit, status, kind, path) or password hash do not match their MAC."""
    broken = []
    for user_id, password_hash, mac in await session.execute(select(US.id, US.password_hash, US.password_mac)):
        if not integrity.holds(mac, "user_password", user_id, password_hash):
            broken.append(f"password of user {user_id}")
    for unit_id, kind, status, path, mac in await session.execute(select(U.id, U.kind, U.status, U.path, U.scope_mac)):
        if not integrity.holds(mac, "org_unit_scope", unit_id, kind.value, status.value, path):
            broken.append(f"org unit {unit_id}")
    for user_id, unit_id, status, mac in await session.execute(select(US.id, US.org_unit_id, US.status, US.scope_mac)):
        if not integrity.holds(mac, "user_scope", user_id, unit_id, status.value):
            broken.append(f"user {user_id}")
    return broken


async def broken_permissions(session: AsyncSession) -> list[tuple[int, str]]:
    rows = await session.execute(select(RP.role_id, RP.permission, RP.mac))
    return [(r, p) for r, p, mac in rows if not integrity.holds(mac, "role_permission", r, p)]


async def role_ids_of_user(session: AsyncSession, user_id: int) -> set[int]:
    return set((await session.execute(select(UR.role_id).where(UR.user_id == user_id))).scalars())


async def set_user_roles(session: AsyncSession, user_id: int, role_ids: set[int], granted_by: int | None, now: datetime) -> None:
    current = await role_ids_of_user(session, user_id)
    if gone := current - role_ids:
        await session.execute(delete(UserRole.__table__).where(UR.user_id == user_id, UR.role_id.in_(gone)))
    if new := role_ids - current:
        await session.execute(
            UserRole.__table__.insert(),
            [
                {"user_id": user_id, "role_id": r, "granted_at": now, "granted_by_id": granted_by, "mac": binding_mac(user_id, r)}
                for r in sorted(new)
            ],
        )


# --- tokens ------------------------------------------------------------------------------------


async def touch_token(session: AsyncSession, token_id: int, now: datetime) -> None:
    await session.execute(update(AccessToken.__table__).where(T.id == token_id).values(last_used_at=now))


@dataclass(frozen=True, slots=True)
class TokenFilter:
    user_id: int | None = None
    active_only: bool = True


def _tokens_query(actor: Actor, f: TokenFilter, now: datetime, cols: Iterable[Any]) -> Select[Any]:
    stmt = select(*cols).select_from(AccessToken.__table__).where(readable_tokens(actor))
    if f.user_id is not None:
        stmt = stmt.where(T.user_id == f.user_id)
    if f.active_only:
        stmt = stmt.where(T.revoked_at.is_(None), T.expires_at > now)
    return stmt


async def list_tokens(session: Db, actor: Actor, f: TokenFilter, now: datetime, page: PageRequest) -> Page[AccessTokenRecord]:
    rows = list(await session.execute(keyset(_tokens_query(actor, f, now, TOKEN_COLS), [T.id], page)))
    return to_page(rows, [_token(r) for r in rows], lambda r: (r.id,), page)


async def count_tokens(session: Db, actor: Actor, f: TokenFilter, now: datetime) -> int:
    return (await session.execute(_tokens_query(actor, f, now, [func.count()]))).scalar_one()


async def tokens_by_ids(session: Db, actor: Actor, ids: Iterable[int]) -> dict[int, AccessTokenRecord]:
    ids = set(ids)
    if not ids:
        return {}
    rows = await session.execute(select(*TOKEN_COLS).where(T.id.in_(ids), readable_tokens(actor)))
    return {r.id: _token(r) for r in rows}


async def get_token(session: AsyncSession, token_id: int) -> AccessToken | None:
    return await session.get(AccessToken, token_id)


async def revoke_tokens_of_user(session: AsyncSession, user_id: int, now: datetime) -> list[int]:
    stmt = (
        update(AccessToken.__table__)
        .where(T.user_id == user_id, T.revoked_at.is_(None), T.expires_at > now)
        .values(revoked_at=now)
        .returning(T.id)
    )
    return list((await session.execute(stmt)).scalars())


async def purge_tokens(session: AsyncSession, before: datetime) -> int:
    """Delete tokens that expired or were revoked before `before` (the audit log keeps the logins)."""
    stmt = delete(AccessToken.__table__).where(or_(T.expires_at < before, T.revoked_at < before))
    return (await session.execute(stmt)).rowcount or 0
