"""Identity object types. Sources are domain records; relations come prefetched or via dataloaders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from core.ids import to_global_id
from domain.identity.permissions import PERMISSIONS
from domain.identity.records import NOT_LOADED, AccessTokenRecord, OrgUnitRecord, RoleRecord, UserRecord
from schema.fastpath import raw
from schema.identity.enums import AdminDuty, ApiClientStatus, OrgUnitChange, OrgUnitKind, OrgUnitStatus, RoleUnitKind, UserStatus
from schema.node import Node, register_node

Parent = strawberry.Parent[Any]


def _unit_of(root: UserRecord, info: strawberry.Info) -> Any:
    if root.org_unit is not NOT_LOADED:
        return root.org_unit
    return info.context.loaders.org_unit.load(root.org_unit_id)


def _roles_of(root: UserRecord, info: strawberry.Info) -> Any:
    if root.roles is not NOT_LOADED:
        return root.roles
    return info.context.loaders.user_roles.load(root.id)


def _parent_of(root: OrgUnitRecord, info: strawberry.Info) -> Any:
    if root.parent is not NOT_LOADED:
        return root.parent
    return None if root.parent_id is None else info.context.loaders.org_unit.load(root.parent_id)


def _permissions_of(root: RoleRecord, info: strawberry.Info) -> Any:
    if root.permissions is not NOT_LOADED:
        return [PERMISSIONS[c] for c in root.permissions if c in PERMISSIONS]
    return info.context.loaders.role_permissions.load(root.id)


def _user_of(root: AccessTokenRecord, info: strawberry.Info) -> Any:
    if root.user is not NOT_LOADED:
        return root.user
    return info.context.loaders.user.load(root.user_id)


def _actor_permissions(_root: Any, info: strawberry.Info) -> list[str]:
    return sorted(info.context.actor.permissions)


def _user_global_id(root: UserRecord, _info: Any) -> str:
    return to_global_id("User", root.id)


@strawberry.type(description="组织单位: the management unit or an access unit, in a tree.")
class OrgUnit(Node):
    code: str = strawberry.field(description="Unique unit code, e.g. D-PD.")
    name: str = strawberry.field(description="Full name, e.g. 浦东新区大数据中心.")
    kind: OrgUnitKind = strawberry.field(description="Management unit or access unit.")
    status: OrgUnitStatus = strawberry.field(description="In service or disabled.")
    contact_name: str | None = strawberry.field(description="Contact person.")
    contact_phone: str | None = strawberry.field(description="Contact phone.")
    contact_email: str | None = strawberry.field(description="Contact email.")
    address: str | None = strawberry.field(description="Postal address.")
    created_at: datetime = strawberry.field(description="When the unit was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the unit last changed (UTC).")

    @strawberry.field(description="The parent unit; null at the top or when outside your data scope.")
    @raw(_parent_of)
    def parent(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _parent_of(root, info)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, OrgUnitRecord)


@strawberry.type(description="A permission a role can grant.")
class Permission:
    code: str = strawberry.field(description='Code, "<area>.<verb>_<things>".')
    name: str = strawberry.field(description="Chinese name.")
    description: str = strawberry.field(description="What it allows.")


@strawberry.type(description="角色: a named set of permissions.")
class Role(Node):
    code: str = strawberry.field(description="Unique role code.")
    name: str = strawberry.field(description="Display name.")
    description: str = strawberry.field(description="What the role is for.")
    duty: AdminDuty | None = strawberry.field(description="The administrator duty this role carries, if any.")
    unit_kind: RoleUnitKind = strawberry.field(description="Which units' users may hold it.")
    built_in: bool = strawberry.field(description="Built-in roles cannot be deleted or renamed.")
    created_at: datetime = strawberry.field(description="When the role was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the role last changed (UTC).")

    @strawberry.field(description="Permissions the role grants.")
    @raw(_permissions_of)
    def permissions(self, root: Parent, info: strawberry.Info) -> list[Permission]:
        return _permissions_of(root, info)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, RoleRecord)


@strawberry.type(description="用户: a person who logs in.")
class User(Node):
    username: str = strawberry.field(description="Login name, unique.")
    display_name: str = strawberry.field(description="Name shown to people.")
    status: UserStatus = strawberry.field(description="Whether the account may log in.")
    locked_until: datetime | None = strawberry.field(description="Locked after wrong passwords until this time.")
    last_login_at: datetime | None = strawberry.field(description="Last successful login.")
    phone: str | None = strawberry.field(description="Mobile or office phone.")
    email: str | None = strawberry.field(description="Email address.")
    created_at: datetime = strawberry.field(description="When the account was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the account last changed (UTC).")

    @strawberry.field(description="The user's unit (null if outside your data scope).")
    @raw(_unit_of)
    def org_unit(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _unit_of(root, info)

    @strawberry.field(description="Roles the user holds.")
    @raw(_roles_of)
    def roles(self, root: Parent, info: strawberry.Info) -> list[Role]:
        return _roles_of(root, info)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, UserRecord)


@strawberry.type(description="登录会话: one login token (the token itself is never stored or shown again).")
class AccessToken(Node):
    created_at: datetime = strawberry.field(description="When the login happened.")
    expires_at: datetime = strawberry.field(description="When the token stops working.")
    last_used_at: datetime | None = strawberry.field(description="Last request made with it (to the minute).")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked (logout or by an administrator).")
    client_ip: str | None = strawberry.field(description="Address the login came from.")
    user_agent: str | None = strawberry.field(description="Browser or client of the login.")

    @strawberry.field(description="Whose login this is.")
    @raw(_user_of)
    def user(self, root: Parent, info: strawberry.Info) -> User | None:
        return _user_of(root, info)

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, AccessTokenRecord)


@strawberry.type(description="The logged-in user and what they may do (its source is the user's record).")
class Viewer:
    username: str = strawberry.field(description="Login name.")
    display_name: str = strawberry.field(description="Name shown to people.")
    last_login_at: datetime | None = strawberry.field(description="Last successful login.")

    @strawberry.field(description="Opaque global id of the user (a User node).")
    @raw(_user_global_id)
    def id(self, root: Parent) -> strawberry.ID:
        return _user_global_id(root, None)

    @strawberry.field(description="The user's unit.")
    @raw(_unit_of)
    def org_unit(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _unit_of(root, info)

    @strawberry.field(description="Roles the user holds.")
    @raw(_roles_of)
    def roles(self, root: Parent, info: strawberry.Info) -> list[Role]:
        return _roles_of(root, info)

    @strawberry.field(description="Permission codes granted by those roles, sorted.")
    @raw(_actor_permissions)
    def permissions(self, info: strawberry.Info) -> list[str]:
        return _actor_permissions(None, info)


@strawberry.type(description="A change to an organisation unit, pushed live.")
class OrgUnitChangedEvent:
    change: OrgUnitChange = strawberry.field(description="What happened.")
    org_unit: OrgUnit = strawberry.field(description="The unit as it is now.")


register_node(OrgUnitRecord, "OrgUnit")
register_node(RoleRecord, "Role")
register_node(UserRecord, "User")
register_node(AccessTokenRecord, "AccessToken")


@strawberry.type(
    description="A third-party platform's API client: signs requests, runs only its allow-listed persisted operations."
)
class ApiClient:
    id: strawberry.ID = strawberry.field(description="Global id.")
    key_id: str = strawberry.field(description="Sent in X-Api-Key; not a secret.")
    name: str = strawberry.field(description="Which platform this is.")
    service_account_id: strawberry.ID = strawberry.field(description="The user it acts as (its roles and unit apply).")
    operations: list[str] = strawberry.field(description="Names of the persisted operations it may run.")
    platforms: list[str] = strawberry.field(description="The platforms it speaks for: only their dispatches are its to settle.")
    status: ApiClientStatus = strawberry.field(description="Whether its requests are accepted.")
    created_at: datetime = strawberry.field(description="When it was registered.")
    updated_at: datetime = strawberry.field(description="Last change.")
    last_used_at: datetime | None = strawberry.field(description="Last accepted signed request.")

    @staticmethod
    def of(client: Any) -> ApiClient:
        return ApiClient(
            id=strawberry.ID(to_global_id("ApiClient", client.id)), key_id=client.key_id, name=client.name,
            service_account_id=strawberry.ID(to_global_id("User", client.user_id)), operations=list(client.operations),
            platforms=list(client.platforms or []), status=client.status, created_at=client.created_at, updated_at=client.updated_at, last_used_at=client.last_used_at,
        )  # fmt: skip


@strawberry.type(description="A trusted document from operations/: what API clients may run, by id.")
class PersistedOperation:
    id: str = strawberry.field(description="sha256:<hex> of the document text; what a client sends as documentId.")
    name: str = strawberry.field(description="Operation name; what allow-lists hold.")
    kind: str = strawberry.field(description="query, mutation or subscription.")
    text: str = strawberry.field(description="The document, exactly as reviewed.")
