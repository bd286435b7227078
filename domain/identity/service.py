"""Use cases for units, users and roles. Services validate, write, audit and publish; they never commit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields
from typing import Any

from core.clock import utcnow
from core.crypto import hash_password
from core.db.encrypted import mask
from core.db.uow import UnitOfWork
from core.settings import Settings
from domain.identity import repository as repo
from domain.identity.actor import Actor
from domain.identity.auth import announce_revoked
from domain.identity.authcache import GRANTS_CHANNEL
from domain.identity.catalog import roles_changed
from domain.identity.enums import (
    ORG_UNIT_TRANSITIONS,
    USER_TRANSITIONS,
    OrgUnitChange,
    OrgUnitKind,
    OrgUnitStatus,
    RoleUnitKind,
    UserStatus,
)
from domain.identity.errors import IdentityErrorCode, error, not_found
from domain.identity.journal import record_change
from domain.identity.models import OrgUnit, Role, User
from domain.identity.permissions import duties_of, is_known
from domain.identity.validation import EMAIL, PHONE, ROLE_CODE, UNIT_CODE, USERNAME, Checker, password_problems

ORG_UNIT_CHANNEL = "identity.org_unit_changed"
UNSET: Any = object()  # an update field the caller did not send (None means "clear it")


async def new_hash(password: str, settings: Settings) -> str:
    # PBKDF2 takes ~0.1 s of CPU: off the event loop, so other requests go on meanwhile.
    return await asyncio.to_thread(hash_password, password, settings.password_iterations)


def _changes(data: Any) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data) if getattr(data, f.name) is not UNSET}


# --- organisation units -----------------------------------------------------------------------


@dataclass
class OrgUnitData:
    code: Any = UNSET
    name: Any = UNSET
    kind: Any = UNSET
    parent_id: Any = UNSET
    contact_name: Any = UNSET
    contact_phone: Any = UNSET
    contact_email: Any = UNSET
    address: Any = UNSET


def _check_unit(c: Checker, d: dict[str, Any]) -> dict[str, Any]:
    out = dict(d)
    if "code" in d:
        out["code"] = c.text("code", d["code"], "单位编码 / Unit code", 2, 32)
        c.pattern("code", out["code"], UNIT_CODE, "单位编码只能含大写字母、数字、-和_ / Unit code: A-Z, 0-9, - and _")
    if "name" in d:
        out["name"] = c.text("name", d["name"], "单位名称 / Unit name", 2, 128)
    if "contact_name" in d:
        out["contact_name"] = c.text("contactName", d["contact_name"], "联系人 / Contact", 1, 64, required=False)
    if "contact_phone" in d:
        out["contact_phone"] = c.text("contactPhone", d["contact_phone"], "联系电话 / Phone", 7, 32, required=False)
        c.pattern("contactPhone", out["contact_phone"], PHONE, "联系电话格式不正确 / Invalid phone number")
    if "contact_email" in d:
        out["contact_email"] = c.text("contactEmail", d["contact_email"], "邮箱 / Email", 5, 128, required=False)
        c.pattern("contactEmail", out["contact_email"], EMAIL, "邮箱格式不正确 / Invalid email address")
    if "address" in d:
        out["address"] = c.text("address", d["address"], "地址 / Address", 2, 256, required=False)
    return out


async def _parent(uow: UnitOfWork, actor: Actor, parent_id: int | None, c: Checker) -> OrgUnit | None:
    if parent_id is None:
        return None
    if not await repo.units_by_ids(uow.session, actor, [parent_id]):
        c.add("parentId", "上级单位不存在 / Parent unit not found", IdentityErrorCode.INVALID_PARENT)
        return None
    parent = await repo.get_org_unit(uow.session, parent_id)
    if parent is not None and parent.status is not OrgUnitStatus.ACTIVE:
        c.add("parentId", "上级单位已停用 / Parent unit is disabled", IdentityErrorCode.UNIT_DISABLED)
    return parent


def _check_placement(c: Checker, kind: OrgUnitKind, parent: OrgUnit | None) -> None:
    """A management unit sees everything, so it may only sit at the top or under another management unit."""
    if kind is OrgUnitKind.MANAGEMENT and parent is not None and parent.kind is not OrgUnitKind.MANAGEMENT:
        c.add(
            "parentId",
            "管理单位不能设在接入单位之下 / A management unit cannot sit under an access unit",
            IdentityErrorCode.INVALID_PARENT,
        )


async def create_org_unit(uow: UnitOfWork, actor: Actor, data: OrgUnitData) -> OrgUnit:
    """Create a unit under a parent it can see; code unique; management units only under management units."""
    await repo.lock_unit_tree(uow.session)
    c = Checker()
    d = _check_unit(c, _changes(data))
    kind = d.get("kind")
    if kind is None or kind is UNSET:
        c.add("kind", "单位类型不能为空 / Unit kind is required")
    parent = await _parent(uow, actor, d.get("parent_id"), c)
    if kind is not None and kind is not UNSET:
        _check_placement(c, kind, parent)
    if kind is OrgUnitKind.ACCESS_UNIT and d.get("parent_id") is None:
        c.add("parentId", "接入单位须有上级单位 / An access unit needs a parent unit", IdentityErrorCode.INVALID_PARENT)
    if d.get("code") and await repo.org_unit_code_taken(uow.session, d["code"]):
        c.add("code", f"单位编码 {d['code']} 已存在 / Unit code already exists", IdentityErrorCode.DUPLICATE_CODE)
    c.raise_if_any()
    now = utcnow()
    unit = OrgUnit(status=OrgUnitStatus.ACTIVE, created_at=now, updated_at=now, path="/", **{k: v for k, v in d.items()})
    uow.session.add(unit)
    await uow.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    record_change(uow, actor, "identity.org_unit_create", "OrgUnit", unit.id, code=unit.code)
    uow.publish(ORG_UNIT_CHANNEL, {"id": unit.id, "change": OrgUnitChange.CREATED.value})
    return unit


async def _visible_unit(uow: UnitOfWork, actor: Actor, unit_id: int) -> OrgUnit:
    if not await repo.units_by_ids(uow.session, actor, [unit_id]):
        raise not_found("单位 / Unit")
    unit = await repo.get_org_unit(uow.session, unit_id)
    assert unit is not None
    return unit


async def update_org_unit(uow: UnitOfWork, actor: Actor, unit_id: int, data: OrgUnitData) -> OrgUnit:
    """Edit a unit; a move re-parents its whole subtree and may not create a cycle."""
    await repo.lock_unit_tree(uow.session)
    unit = await _visible_unit(uow, actor, unit_id)
    c = Checker()
    d = _check_unit(c, _changes(data))
    if "kind" in d and d["kind"] is not unit.kind:
        c.add("kind", "单位类型不可修改 / The kind of a unit cannot change")
    if "code" in d and d["code"] != unit.code and d["code"] and await repo.org_unit_code_taken(uow.session, d["code"]):
        c.add("code", f"单位编码 {d['code']} 已存在 / Unit code already exists", IdentityErrorCode.DUPLICATE_CODE)
    new_parent = UNSET
    if "parent_id" in d and d["parent_id"] != unit.parent_id:
        if d["parent_id"] is None and unit.kind is OrgUnitKind.ACCESS_UNIT:
            c.add("parentId", "接入单位须有上级单位 / An access unit needs a parent unit", IdentityErrorCode.INVALID_PARENT)
        new_parent = await _parent(uow, actor, d["parent_id"], c)
        if new_parent is not None and new_parent.path.startswith(unit.path):
            c.add("parentId", "不能移动到自身或下级单位之下 / A unit cannot move under itself", IdentityErrorCode.INVALID_PARENT)
        elif not c.has("parentId"):
            _check_placement(c, unit.kind, new_parent)
    c.raise_if_any()
    before = {k: getattr(unit, k) for k in d}
    for key, value in d.items():
        setattr(unit, key, value)
    if new_parent is not UNSET:
        old_path = unit.path
        unit.path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
        await uow.session.flush()
        await repo.move_subtree(uow.session, old_path, unit.path)
    unit.updated_at = utcnow()
    record_change(uow, actor, "identity.org_unit_update", "OrgUnit", unit.id, before=_jsonable(before), after=_jsonable(d))
    uow.publish(ORG_UNIT_CHANNEL, {"id": unit.id, "change": OrgUnitChange.UPDATED.value})
    return unit


async def set_org_unit_status(uow: UnitOfWork, actor: Actor, unit_id: int, status: OrgUnitStatus) -> OrgUnit:
    """Disable or enable a unit (its users cannot log in while it is disabled); not your own unit."""
    unit = await _visible_unit(uow, actor, unit_id)
    if status not in ORG_UNIT_TRANSITIONS[unit.status]:
        raise error(
            IdentityErrorCode.INVALID_TRANSITION, f"单位已是{status.value}状态 / Unit is already {status.value}", "status"
        )
    if unit.id == actor.org_unit_id and status is OrgUnitStatus.DISABLED:
        raise error(IdentityErrorCode.SELF_LOCKOUT, "不能停用自己所在的单位 / You cannot disable your own unit", "id")
    before = unit.status
    unit.status = status
    unit.updated_at = utcnow()
    if status is OrgUnitStatus.DISABLED:  # its users (and its sub-units' users) are logged out everywhere
        for user_id in await repo.user_ids_in_subtree(uow.session, unit.path):
            announce_revoked(uow, await repo.revoke_tokens_of_user(uow.session, user_id, utcnow()))
    record_change(uow, actor, "identity.org_unit_status", "OrgUnit", unit.id, before=before.value, after=status.value)
    uow.publish(ORG_UNIT_CHANNEL, {"id": unit.id, "change": OrgUnitChange.STATUS_CHANGED.value})
    return unit


# Sealed at rest, so the operation log keeps only a mask of them.
_SEALED = {"phone", "email", "contact_phone", "contact_email"}


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: mask(v) if k in _SEALED else (v.value if hasattr(v, "value") else v) for k, v in d.items()}


# --- users ------------------------------------------------------------------------------------


@dataclass
class UserData:
    username: Any = UNSET
    display_name: Any = UNSET
    org_unit_id: Any = UNSET
    password: Any = UNSET
    phone: Any = UNSET
    email: Any = UNSET


def _check_user(c: Checker, d: dict[str, Any]) -> dict[str, Any]:
    out = dict(d)
    if "username" in d:
        out["username"] = c.text("username", d["username"], "用户名 / Username", 3, 64)
        c.pattern(
            "username",
            out["username"],
            USERNAME,
            "用户名须以字母开头，只含字母、数字、_.- / Username: a letter, then letters, digits, _ . -",
        )
    if "display_name" in d:
        out["display_name"] = c.text("displayName", d["display_name"], "姓名 / Display name", 1, 64)
    if "phone" in d:
        out["phone"] = c.text("phone", d["phone"], "手机号 / Phone", 7, 32, required=False)
        c.pattern("phone", out["phone"], PHONE, "手机号格式不正确 / Invalid phone number")
    if "email" in d:
        out["email"] = c.text("email", d["email"], "邮箱 / Email", 5, 128, required=False)
        c.pattern("email", out["email"], EMAIL, "邮箱格式不正确 / Invalid email address")
    return out


async def _active_unit_for_user(uow: UnitOfWork, actor: Actor, unit_id: int | None, c: Checker) -> None:
    if unit_id is None:
        c.add("orgUnitId", "所属单位不能为空 / Unit is required")
        return
    if not await repo.units_by_ids(uow.session, actor, [unit_id]):
        c.add("orgUnitId", "单位不存在或无权访问 / Unit not found", IdentityErrorCode.NOT_FOUND)
        return
    unit = await repo.get_org_unit(uow.session, unit_id)
    if unit is not None and unit.status is not OrgUnitStatus.ACTIVE:
        c.add("orgUnitId", "单位已停用 / Unit is disabled", IdentityErrorCode.UNIT_DISABLED)


async def create_user(uow: UnitOfWork, actor: Actor, settings: Settings, data: UserData) -> User:
    """Create a user in a unit the actor can see; username unique (case-insensitive); password policy."""
    c = Checker()
    d = _check_user(c, _changes(data))
    await _active_unit_for_user(uow, actor, d.get("org_unit_id"), c)
    password = d.pop("password", None)
    if not password:
        c.add("password", "密码不能为空 / Password is required", IdentityErrorCode.WEAK_PASSWORD)
    elif problem := password_problems(password, d.get("username")):
        c.add("password", problem, IdentityErrorCode.WEAK_PASSWORD)
    if d.get("username") and await repo.username_taken(uow.session, d["username"]):
        c.add("username", f"用户名 {d['username']} 已存在 / Username already exists", IdentityErrorCode.DUPLICATE_USERNAME)
    c.raise_if_any()
    now = utcnow()
    user = User(
        **d, status=UserStatus.ACTIVE, password_hash=await new_hash(password, settings),
        password_changed_at=now, failed_logins=0, created_at=now, updated_at=now,
    )  # fmt: skip
    uow.session.add(user)
    await uow.session.flush()
    record_change(uow, actor, "identity.user_create", "User", user.id, username=user.username, org_unit_id=user.org_unit_id)
    return user


async def _visible_user(uow: UnitOfWork, actor: Actor, user_id: int) -> User:
    if not await repo.users_by_ids(uow.session, actor, [user_id]):
        raise not_found("用户 / User")
    user = await repo.get_user(uow.session, user_id)
    assert user is not None
    return user


async def managed_user(uow: UnitOfWork, actor: Actor, user_id: int) -> User:
    """A user someone else may edit: not yourself, and not an administrator. To manage an administrator's
    account, the security administrator first takes the duty role away: two people, one act each (so a
    system administrator cannot reset the security administrator's password and become them)."""
    user = await _visible_user(uow, actor, user_id)
    if user.id == actor.user_id:
        raise error(IdentityErrorCode.SELF_LOCKOUT, "请在个人设置中修改自己的账号 / Use your own settings for your account", "id")
    held = await repo.permissions_of_roles(uow.session, await repo.role_ids_of_user(uow.session, user.id))
    if duties_of(held):
        raise error(
            IdentityErrorCode.ADMIN_PROTECTED,
            "管理员账号须先由安全管理员收回管理员角色 / The security administrator must first take the administrator role away",
            "id",
        )
    return user


async def update_user(uow: UnitOfWork, actor: Actor, user_id: int, data: UserData) -> User:
    """Edit name, unit and contacts (not the username or password)."""
    user = await managed_user(uow, actor, user_id)
    c = Checker()
    d = _check_user(c, _changes(data))
    for frozen in ("username", "password"):
        if frozen in d:
            c.add(frozen, "此字段不能在这里修改 / This field cannot be changed here")
    if "org_unit_id" in d and d["org_unit_id"] != user.org_unit_id:
        await _active_unit_for_user(uow, actor, d["org_unit_id"], c)
        new_unit = None if c.has("orgUnitId") else await repo.get_org_unit(uow.session, d["org_unit_id"])
        if new_unit is not None:
            for role in await repo.get_roles(uow.session, await repo.role_ids_of_user(uow.session, user.id)):
                if role.unit_kind is not RoleUnitKind.ANY and role.unit_kind.value != new_unit.kind.value:
                    c.add(
                        "orgUnitId",
                        f"用户持有的角色“{role.name}”不适用于该单位 / The user's role {role.code} is not for that kind of unit",
                        IdentityErrorCode.ROLE_UNIT_KIND_MISMATCH,
                    )
    c.raise_if_any()
    before = {k: getattr(user, k) for k in d}
    for key, value in d.items():
        setattr(user, key, value)
    user.updated_at = utcnow()
    if "org_unit_id" in d and before["org_unit_id"] != d["org_unit_id"]:
        # A user who moves unit gets a new data scope: make them log in again.
        announce_revoked(uow, await repo.revoke_tokens_of_user(uow.session, user.id, utcnow()))
    record_change(uow, actor, "identity.user_update", "User", user.id, before=_jsonable(before), after=_jsonable(d))
    return user


async def set_user_status(uow: UnitOfWork, actor: Actor, user_id: int, status: UserStatus) -> User:
    """Disable (ends every login of the user at once) or enable an account; never your own."""
    user = await managed_user(uow, actor, user_id)
    if status not in USER_TRANSITIONS[user.status]:
        raise error(
            IdentityErrorCode.INVALID_TRANSITION, f"账号已是{status.value}状态 / Account is already {status.value}", "status"
        )
    before = user.status
    user.status = status
    user.updated_at = utcnow()
    if status is UserStatus.DISABLED:
        announce_revoked(uow, await repo.revoke_tokens_of_user(uow.session, user.id, utcnow()))
    record_change(uow, actor, "identity.user_status", "User", user.id, before=before.value, after=status.value)
    return user


async def unlock_user(uow: UnitOfWork, actor: Actor, user_id: int) -> User:
    """Lift a lockout caused by wrong passwords before it runs out."""
    user = await managed_user(uow, actor, user_id)
    user.locked_until = None
    user.failed_logins = 0
    user.updated_at = utcnow()
    record_change(uow, actor, "identity.user_unlock", "User", user.id)
    return user


# --- roles ------------------------------------------------------------------------------------


@dataclass
class RoleData:
    code: Any = UNSET
    name: Any = UNSET
    description: Any = UNSET
    unit_kind: Any = UNSET
    permissions: Any = UNSET


def _check_role(c: Checker, d: dict[str, Any]) -> dict[str, Any]:
    out = dict(d)
    if "code" in d:
        out["code"] = c.text("code", d["code"], "角色编码 / Role code", 3, 64)
        c.pattern("code", out["code"], ROLE_CODE, "角色编码只能含小写字母、数字和_ / Role code: a-z, 0-9 and _")
    if "name" in d:
        out["name"] = c.text("name", d["name"], "角色名称 / Role name", 2, 64)
    if "description" in d:
        out["description"] = c.text("description", d["description"], "描述 / Description", 0, 1000, required=False) or ""
    if "permissions" in d:
        for i, code in enumerate(d["permissions"] or []):
            if not is_known(code):
                c.add(f"permissions.{i}", f"未知权限 {code} / Unknown permission", IdentityErrorCode.UNKNOWN_PERMISSION)
        if len(touched := duties_of(set(d["permissions"] or []))) > 1:
            c.add("permissions", _duty_message(touched), IdentityErrorCode.DUTY_CONFLICT)
    return out


def _duty_message(duties: list[str]) -> str:
    return f"系统、安全、审计管理员的权限不能合于一处 / Administrator duties may not be combined ({', '.join(duties)})"


async def create_role(uow: UnitOfWork, actor: Actor, data: RoleData) -> Role:
    """Create a custom role (the three administrator duties are built in and cannot be created)."""
    c = Checker()
    d = _check_role(c, _changes(data))
    if d.get("unit_kind") in (None, UNSET):
        c.add("unitKind", "适用单位类型不能为空 / Unit kind is required")
    if d.get("code") and await repo.role_code_taken(uow.session, d["code"]):
        c.add("code", f"角色编码 {d['code']} 已存在 / Role code already exists", IdentityErrorCode.DUPLICATE_CODE)
    c.raise_if_any()
    permissions = d.pop("permissions", None) or []
    now = utcnow()
    role = Role(**{"description": "", **d}, built_in=False, duty=None, created_at=now, updated_at=now)
    uow.session.add(role)
    await uow.session.flush()
    await repo.set_role_permissions(uow.session, role.id, permissions)
    record_change(uow, actor, "identity.role_create", "Role", role.id, code=role.code, permissions=sorted(set(permissions)))
    roles_changed(uow)
    return role


async def update_role(uow: UnitOfWork, actor: Actor, role_id: int, data: RoleData) -> Role:
    """Edit a role; built-in roles keep their code and unit kind, the administrator roles their permissions."""
    role = await repo.get_role(uow.session, role_id)
    if role is None:
        raise not_found("角色 / Role")
    c = Checker()
    d = _check_role(c, _changes(data))
    if role.built_in and ("code" in d or "unit_kind" in d):
        c.add(
            "code",
            "内置角色的编码和适用范围不可修改 / A built-in role keeps its code and unit kind",
            IdentityErrorCode.ROLE_BUILT_IN,
        )
    if role.duty is not None and "permissions" in d:
        c.add(
            "permissions",
            "三员角色的权限不可修改 / The administrator roles' permissions are fixed",
            IdentityErrorCode.ROLE_BUILT_IN,
        )
    if "permissions" in d and not c.errors:
        # Nobody who holds this role may end up with two duties through it.
        new = set(d["permissions"] or [])
        for user_id in await repo.holders_of_role(uow.session, role.id):
            others = [r for r in await repo.role_ids_of_user(uow.session, user_id) if r != role.id]
            if len(touched := duties_of(new | await repo.permissions_of_roles(uow.session, others))) > 1:
                c.add("permissions", _duty_message(touched), IdentityErrorCode.DUTY_CONFLICT)
                break
    if "code" in d and d["code"] and d["code"] != role.code and await repo.role_code_taken(uow.session, d["code"]):
        c.add("code", f"角色编码 {d['code']} 已存在 / Role code already exists", IdentityErrorCode.DUPLICATE_CODE)
    c.raise_if_any()
    permissions = d.pop("permissions", UNSET)
    for key, value in d.items():
        setattr(role, key, value)
    role.updated_at = utcnow()
    if permissions is not UNSET:
        await repo.set_role_permissions(uow.session, role.id, permissions or [])
    detail = _jsonable(d) | ({"permissions": sorted(set(permissions or []))} if permissions is not UNSET else {})
    record_change(uow, actor, "identity.role_update", "Role", role.id, **detail)
    roles_changed(uow)
    return role


async def delete_role(uow: UnitOfWork, actor: Actor, role_id: int) -> int:
    """Delete a custom role that nobody holds."""
    role = await repo.get_role(uow.session, role_id)
    if role is None:
        raise not_found("角色 / Role")
    if role.built_in:
        raise error(IdentityErrorCode.ROLE_BUILT_IN, "内置角色不能删除 / A built-in role cannot be deleted", "id")
    if await repo.role_in_use(uow.session, role_id):
        raise error(IdentityErrorCode.ROLE_IN_USE, "角色仍有用户持有 / Users still hold this role", "id")
    await uow.session.delete(role)
    record_change(uow, actor, "identity.role_delete", "Role", role_id, code=role.code)
    roles_changed(uow)
    return role_id


async def set_user_roles(uow: UnitOfWork, actor: Actor, user_id: int, role_ids: list[int]) -> User:
    """Replace a user's roles: unit kinds must fit, and nobody may hold two administrator duties."""
    user = await _visible_user(uow, actor, user_id)
    unit = await repo.get_org_unit(uow.session, user.org_unit_id)
    assert unit is not None
    roles = await repo.get_roles(uow.session, role_ids)
    c = Checker()
    found = {r.id for r in roles}
    for i, role_id in enumerate(role_ids):
        if role_id not in found:
            c.add(f"roleIds.{i}", "角色不存在 / Role not found", IdentityErrorCode.NOT_FOUND)
    for role in roles:
        if role.unit_kind is not RoleUnitKind.ANY and role.unit_kind.value != unit.kind.value:
            c.add(
                "roleIds",
                f"角色“{role.name}”不适用于该单位类型 / Role {role.code} is not for {unit.kind.value} users",
                IdentityErrorCode.ROLE_UNIT_KIND_MISMATCH,
            )
    duties = sorted(
        {r.duty.value for r in roles if r.duty is not None} | set(duties_of(await repo.permissions_of_roles(uow.session, found)))
    )
    if len(duties) > 1:
        c.add(
            "roleIds",
            f"系统、安全、审计管理员须由不同人员担任 / One person may not hold two administrator duties ({', '.join(duties)})",
            IdentityErrorCode.DUTY_CONFLICT,
        )
    if user.id == actor.user_id:
        c.add("userId", "不能给自己分配角色 / You cannot change your own roles", IdentityErrorCode.SELF_LOCKOUT)
    c.raise_if_any()
    before = sorted(await repo.role_ids_of_user(uow.session, user.id))
    await repo.set_user_roles(uow.session, user.id, set(role_ids), actor.user_id or None, utcnow())
    record_change(uow, actor, "identity.user_roles_set", "User", user.id, before=before, after=sorted(set(role_ids)))
    uow.publish(GRANTS_CHANNEL, {"userId": user.id})  # replicas stop using what they verified of the old grants
    return user
