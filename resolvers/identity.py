"""Identity resolvers: thin glue between the contract and domain/identity."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry

from core import audit
from core.audit import AuditOutcome
from core.clock import utcnow
from core.db.pagination import PageRequest, decode_cursor, to_page
from core.errors import Forbidden
from core.ids import decode_id
from domain.identity import apiclients, auth, challenge, passwords, service, sso, totp
from domain.identity import repository as repo
from domain.identity.enums import OrgUnitChange
from domain.identity.errors import IdentityErrorCode as Code
from domain.identity.errors import error
from domain.identity.permissions import PERMISSIONS
from domain.identity.service import ORG_UNIT_CHANNEL, UNSET
from resolvers import prefetch
from resolvers.common import INPUT, OBJECT_ID, decode, errors_as, run, sub_selection
from schema.identity import inputs, payloads, types
from schema.lookahead import selection
from schema.pagination import ConnectionValue


def _id(value: Any, type_name: str, field: str) -> int:
    return decode(value, type_name, field, Code.INVALID_INPUT)


def _opt(value: Any) -> Any:
    return UNSET if value is strawberry.UNSET else value


def _opt_id(value: Any, type_name: str, field: str) -> Any:
    if value is strawberry.UNSET:
        return UNSET
    return None if value is None else _id(value, type_name, field)


async def _one(info: strawberry.Info, type_name: str, pk: int | None, field: str) -> Any:
    """Read an object back through the scoped read path, prefetching what the payload selects."""
    if pk is None:
        return None
    async with info.context.read_session() as s:
        found = await prefetch.fetch_nodes(s, info.context.require_actor(), type_name, [pk], sub_selection(info, field))
    return found.get(pk)


# --- queries ----------------------------------------------------------------------------------


async def viewer(info: strawberry.Info) -> Any:
    actor = info.context.require_actor()
    async with info.context.read_session() as s:
        found = await repo.users_by_ids(s, actor, [actor.user_id])
        await prefetch.users(s, actor, list(found.values()), selection(info))
    return found[actor.user_id]


async def org_units(info: strawberry.Info, filter: inputs.OrgUnitFilter | None, first: int, after: str | None) -> ConnectionValue:
    actor = info.context.require_actor()
    f = filter or inputs.OrgUnitFilter()
    rf = repo.OrgUnitFilter(
        search=f.search, kind=f.kind, status=f.status, contact_phone=f.contact_phone, contact_email=f.contact_email,
        parent_id=decode_id(str(f.parent_id), "OrgUnit") if f.parent_id is not None else None,
    )  # fmt: skip
    page_req = PageRequest(first, after)
    sel = selection(info)
    async with info.context.read_session() as s:
        page = await repo.list_org_units(s, actor, rf, page_req)
        await prefetch.units(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.count_org_units(s, actor, rf) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def users(info: strawberry.Info, filter: inputs.UserFilter | None, first: int, after: str | None) -> ConnectionValue:
    actor = info.context.require_actor()
    f = filter or inputs.UserFilter()
    rf = repo.UserFilter(
        search=f.search, status=f.status, phone=f.phone, email=f.email,
        org_unit_id=decode_id(str(f.org_unit_id), "OrgUnit") if f.org_unit_id is not None else None,
        role_id=decode_id(str(f.role_id), "Role") if f.role_id is not None else None,
    )  # fmt: skip
    page_req = PageRequest(first, after)
    sel = selection(info)
    node = sel.get("edges", "node")
    unit = node.get("orgUnit") if node else None
    async with info.context.read_session() as s:
        page = await repo.list_users(
            s, actor, rf, page_req,
            with_unit=unit is not None, with_parent=bool(unit and "parent" in unit), with_roles=bool(node and "roles" in node),
        )  # fmt: skip
        await prefetch.users(s, actor, page.items, node)
        total = await repo.count_users(s, actor, rf) if "totalCount" in sel else None
    return ConnectionValue(page, total)


async def roles(info: strawberry.Info, first: int, after: str | None) -> ConnectionValue:
    actor = info.context.require_actor()
    page_req = PageRequest(first, after)
    sel = selection(info)
    async with info.context.read_session() as s:
        page = await repo.list_roles(s, page_req)
        await prefetch.roles(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.count_roles(s) if "totalCount" in sel else None
    return ConnectionValue(page, total)


def permissions() -> list[types.Permission]:
    return list(PERMISSIONS.values())  # type: ignore[arg-type]


async def access_tokens(
    info: strawberry.Info, filter: inputs.AccessTokenFilter | None, first: int, after: str | None
) -> ConnectionValue:
    actor = info.context.require_actor()
    f = filter or inputs.AccessTokenFilter()
    rf = repo.TokenFilter(user_id=decode_id(str(f.user_id), "User") if f.user_id is not None else None, active_only=f.active_only)
    page_req = PageRequest(first, after)
    sel = selection(info)
    now = utcnow()
    async with info.context.read_session() as s:
        page = await repo.list_tokens(s, actor, rf, now, page_req)
        await prefetch.tokens(s, actor, page.items, sel.get("edges", "node"))
        total = await repo.count_tokens(s, actor, rf, now) if "totalCount" in sel else None
    return ConnectionValue(page, total)


# --- authentication ---------------------------------------------------------------------------


async def _password_of(info: strawberry.Info, input: Any) -> tuple[str | None, list[Any]]:
    """The password as sent: in the clear, or opened from its SM2 envelope (the nonce is burnt)."""
    if input.encrypted_password is None:
        if input.password is None:
            return None, [error(Code.INVALID_INPUT, "请提供密码 / A password is required", "password")]
        return input.password, []
    if input.password is not None:
        return None, [
            error(Code.INVALID_INPUT, "密码与加密密码只能二选一 / Send password or encryptedPassword, not both", "password")
        ]
    return await run(info, lambda uow: challenge.open_password(uow, input.encrypted_password, input.nonce or ""))


async def _credentials(info: strawberry.Info, input: Any, **options: Any) -> auth.LoginResult:
    """Open the password (plain or SM2), check it off the loop, then record the outcome in a unit of work."""
    ctx = info.context
    password, errors = await _password_of(info, input)
    if password is None:
        return auth.LoginResult(error=errors[0])
    async with ctx.read_session() as db:
        check = await auth.check_password(db, ctx.settings, input.username, password)
    async with ctx.unit_of_work() as uow:
        return await auth.login(uow, ctx.settings, check, client_ip=ctx.client_ip, user_agent=ctx.user_agent,
                                totp_code=input.totp_code, **options)  # fmt: skip


async def issue_login_challenge(info: strawberry.Info) -> payloads.LoginChallenge:
    async with info.context.unit_of_work() as uow:
        issued = challenge.issue(uow)
    return payloads.LoginChallenge(
        public_key=issued.public_key, public_key_pem=issued.public_key_pem, nonce=issued.nonce, expires_at=issued.expires_at
    )


async def expired_password_change(
    info: strawberry.Info, input: Annotated[inputs.ExpiredPasswordChangeInput, INPUT]
) -> payloads.LoginPayload:
    """Verify the current credentials (expired is fine here), set the new password, then log in with it."""
    ctx = info.context
    verified = await _credentials(info, input, allow_expired=True, issue=False)
    if verified.error is not None:
        return payloads.LoginPayload(token=None, user=None, errors=errors_as(payloads.IdentityError, [verified.error]))
    from domain.identity.system import system_actor

    async def work(uow: Any) -> Any:
        user = await repo.get_user(uow.session, verified.user_id or 0, for_update=True)
        assert user is not None
        await passwords.set_expired_password(uow, system_actor(), ctx.settings, user, input.new_password)
        return user

    _user, errors = await run(info, work)
    if errors:
        return payloads.LoginPayload(token=None, user=None, errors=errors_as(payloads.IdentityError, errors))
    plain = inputs.LoginInput(username=input.username, password=input.new_password)
    return await login(info, plain)


async def login(info: strawberry.Info, input: Annotated[inputs.LoginInput, INPUT]) -> payloads.LoginPayload:
    ctx = info.context
    result = await _credentials(info, input)
    if result.error is not None:
        return payloads.LoginPayload(token=None, user=None, errors=errors_as(payloads.IdentityError, [result.error]))
    try:
        async with ctx.read_session() as db:
            ctx.actor, _ = await auth.authenticate(db, result.token or "", client_ip=ctx.client_ip)
    except auth.IntegrityViolation as violation:  # fail closed and raise the alarm
        async with ctx.unit_of_work() as uow:
            auth.record_violation(uow, violation, ctx.client_ip)
        refused = error(
            Code.ACCOUNT_DISABLED,
            "访问控制信息校验失败，请联系安全管理员 / Access-control check failed; contact the security administrator",
        )
        return payloads.LoginPayload(token=None, user=None, errors=errors_as(payloads.IdentityError, [refused]))
    user = await _one(info, "User", result.user_id, "user")
    return payloads.LoginPayload(token=result.token, user=user, errors=[])


async def logout(info: strawberry.Info) -> payloads.LogoutPayload:
    actor = info.context.require_actor()
    async with info.context.unit_of_work() as uow:
        await auth.logout(uow, actor)
    return payloads.LogoutPayload(errors=[])


async def access_token_revoke(info: strawberry.Info, id: Annotated[strawberry.ID, OBJECT_ID]) -> payloads.AccessTokenPayload:
    actor = info.context.require_actor()
    token, errors = await run(info, lambda uow: auth.revoke_token(uow, actor, _id(id, "AccessToken", "id")))
    token = await _one(info, "AccessToken", token.id if token else None, "accessToken")
    return payloads.AccessTokenPayload(access_token=token, errors=errors_as(payloads.IdentityError, errors))


# --- units, users, roles ----------------------------------------------------------------------


async def _payload(info: strawberry.Info, work: Any, type_name: str, field: str, payload: Any) -> Any:
    """Run the use case; on success read the object back through the scoped read path."""
    obj, errors = await run(info, work)
    record = await _one(info, type_name, obj.id if obj else None, field)
    return payload(**{_snake(field): record}, errors=errors_as(payloads.IdentityError, errors))


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


async def _unit_payload(info: strawberry.Info, work: Any) -> payloads.OrgUnitPayload:
    return await _payload(info, work, "OrgUnit", "orgUnit", payloads.OrgUnitPayload)


async def org_unit_create(info: strawberry.Info, input: Annotated[inputs.OrgUnitCreateInput, INPUT]) -> payloads.OrgUnitPayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        data = service.OrgUnitData(
            code=input.code, name=input.name, kind=input.kind,
            parent_id=_id(input.parent_id, "OrgUnit", "parentId") if input.parent_id is not None else None,
            contact_name=input.contact_name, contact_phone=input.contact_phone,
            contact_email=input.contact_email, address=input.address,
        )  # fmt: skip
        return await service.create_org_unit(uow, actor, data)

    return await _unit_payload(info, work)


async def org_unit_update(info: strawberry.Info, input: Annotated[inputs.OrgUnitUpdateInput, INPUT]) -> payloads.OrgUnitPayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        data = service.OrgUnitData(
            code=_opt(input.code), name=_opt(input.name), parent_id=_opt_id(input.parent_id, "OrgUnit", "parentId"),
            contact_name=_opt(input.contact_name), contact_phone=_opt(input.contact_phone),
            contact_email=_opt(input.contact_email), address=_opt(input.address),
        )  # fmt: skip
        return await service.update_org_unit(uow, actor, _id(input.id, "OrgUnit", "id"), data)

    return await _unit_payload(info, work)


async def org_unit_set_status(
    info: strawberry.Info, input: Annotated[inputs.OrgUnitSetStatusInput, INPUT]
) -> payloads.OrgUnitPayload:
    actor = info.context.require_actor()
    return await _unit_payload(
        info, lambda uow: service.set_org_unit_status(uow, actor, _id(input.id, "OrgUnit", "id"), input.status)
    )


async def _user_payload(info: strawberry.Info, work: Any) -> payloads.UserPayload:
    return await _payload(info, work, "User", "user", payloads.UserPayload)


async def user_create(info: strawberry.Info, input: Annotated[inputs.UserCreateInput, INPUT]) -> payloads.UserPayload:
    actor, settings = info.context.require_actor(), info.context.settings

    async def work(uow: Any) -> Any:
        data = service.UserData(
            username=input.username, display_name=input.display_name,
            org_unit_id=_id(input.org_unit_id, "OrgUnit", "orgUnitId"), password=input.password,
            phone=input.phone, email=input.email,
        )  # fmt: skip
        return await service.create_user(uow, actor, settings, data)

    return await _user_payload(info, work)


async def user_update(info: strawberry.Info, input: Annotated[inputs.UserUpdateInput, INPUT]) -> payloads.UserPayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        unit_id = _opt_id(input.org_unit_id, "OrgUnit", "orgUnitId")
        data = service.UserData(
            display_name=_opt(input.display_name), org_unit_id=unit_id, phone=_opt(input.phone), email=_opt(input.email)
        )
        return await service.update_user(uow, actor, _id(input.id, "User", "id"), data)

    return await _user_payload(info, work)


async def user_set_status(info: strawberry.Info, input: Annotated[inputs.UserSetStatusInput, INPUT]) -> payloads.UserPayload:
    actor = info.context.require_actor()
    return await _user_payload(info, lambda uow: service.set_user_status(uow, actor, _id(input.id, "User", "id"), input.status))


async def user_unlock(info: strawberry.Info, id: Annotated[strawberry.ID, OBJECT_ID]) -> payloads.UserPayload:
    actor = info.context.require_actor()
    return await _user_payload(info, lambda uow: service.unlock_user(uow, actor, _id(id, "User", "id")))


async def user_reset_password(
    info: strawberry.Info, input: Annotated[inputs.UserResetPasswordInput, INPUT]
) -> payloads.UserPayload:
    actor, settings = info.context.require_actor(), info.context.settings
    return await _user_payload(
        info, lambda uow: passwords.reset_password(uow, actor, settings, _id(input.id, "User", "id"), input.new_password)
    )


async def viewer_password_change(
    info: strawberry.Info, input: Annotated[inputs.PasswordChangeInput, INPUT]
) -> payloads.UserPayload:
    actor, settings = info.context.require_actor(), info.context.settings
    return await _user_payload(
        info, lambda uow: passwords.change_own_password(uow, actor, settings, input.old_password, input.new_password)
    )


async def user_roles_set(info: strawberry.Info, input: Annotated[inputs.UserRolesSetInput, INPUT]) -> payloads.UserPayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        role_ids = [_id(r, "Role", f"roleIds.{i}") for i, r in enumerate(input.role_ids)]
        return await service.set_user_roles(uow, actor, _id(input.user_id, "User", "userId"), role_ids)

    return await _user_payload(info, work)


async def _role_payload(info: strawberry.Info, work: Any) -> payloads.RolePayload:
    return await _payload(info, work, "Role", "role", payloads.RolePayload)


async def role_create(info: strawberry.Info, input: Annotated[inputs.RoleCreateInput, INPUT]) -> payloads.RolePayload:
    actor = info.context.require_actor()
    data = service.RoleData(
        code=input.code, name=input.name, description=input.description or "", unit_kind=input.unit_kind,
        permissions=list(input.permissions),
    )  # fmt: skip
    return await _role_payload(info, lambda uow: service.create_role(uow, actor, data))


async def role_update(info: strawberry.Info, input: Annotated[inputs.RoleUpdateInput, INPUT]) -> payloads.RolePayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        data = service.RoleData(
            code=_opt(input.code), name=_opt(input.name), description=_opt(input.description),
            unit_kind=_opt(input.unit_kind), permissions=_opt(input.permissions),
        )  # fmt: skip
        return await service.update_role(uow, actor, _id(input.id, "Role", "id"), data)

    return await _role_payload(info, work)


async def role_delete(info: strawberry.Info, id: Annotated[strawberry.ID, OBJECT_ID]) -> payloads.RoleDeletePayload:
    actor = info.context.require_actor()
    deleted, errors = await run(info, lambda uow: service.delete_role(uow, actor, _id(id, "Role", "id")))
    return payloads.RoleDeletePayload(deleted_id=id if deleted else None, errors=errors_as(payloads.IdentityError, errors))


# --- subscriptions ----------------------------------------------------------------------------


async def org_unit_changed(
    info: strawberry.Info, id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this unit.")]
) -> AsyncGenerator[types.OrgUnitChangedEvent, None]:
    ctx = info.context
    actor = ctx.require_actor()
    only = decode_id(str(id), "OrgUnit") if id is not None else None
    sel = selection(info).get("orgUnit")
    async for _channel, message in ctx.services.bus.subscribe(ORG_UNIT_CHANNEL):
        unit_id = int(message["id"])
        if only is not None and unit_id != only:
            continue
        # Each event is judged with the subscriber's rights as they are now, not as they were at connect.
        actor = await ctx.refresh_actor()
        if not actor.can("identity.view_org_units"):
            raise Forbidden("权限不足 / Permission denied: identity.view_org_units")
        async with ctx.read_session() as s:
            found = await prefetch.fetch_nodes(s, actor, "OrgUnit", [unit_id], sel)
        if unit_id in found:  # outside the subscriber's data scope: not a word about it
            yield types.OrgUnitChangedEvent(change=OrgUnitChange(message["change"]), org_unit=found[unit_id])  # type: ignore[arg-type]


# --- API clients (the security administrator) ----------------------------------------------------


def _documents(info: strawberry.Info) -> Any:
    return info.context.services.documents


async def api_clients(info: strawberry.Info, first: int, after: str | None) -> ConnectionValue:
    page_req = PageRequest(first, after)
    after_id = decode_cursor(after, 1)[0] if after is not None else None
    async with info.context.read_session() as s:
        rows = await apiclients.list_clients(s, first, after_id)
    items = [types.ApiClient.of(c) for c in rows]
    page = to_page(rows, items, lambda c: (c.id,), page_req)
    return ConnectionValue(page, None)


def persisted_operations(info: strawberry.Info) -> list[types.PersistedOperation]:
    return [
        types.PersistedOperation(id=f"sha256:{d.id}", name=d.name, kind=d.kind, text=d.text)
        for d in sorted(_documents(info).by_name.values(), key=lambda d: d.name)
    ]


async def _client_payload(info: strawberry.Info, work: Any) -> payloads.ApiClientPayload:
    client, errors = await run(info, work)
    return payloads.ApiClientPayload(
        api_client=types.ApiClient.of(client) if client else None, errors=errors_as(payloads.IdentityError, errors)
    )


async def _secret_payload(info: strawberry.Info, work: Any) -> payloads.ApiClientSecretPayload:
    result, errors = await run(info, work)
    client, secret = result if result else (None, None)
    return payloads.ApiClientSecretPayload(
        api_client=types.ApiClient.of(client) if client else None, secret=secret, errors=errors_as(payloads.IdentityError, errors)
    )


async def api_client_create(
    info: strawberry.Info, input: Annotated[inputs.ApiClientCreateInput, INPUT]
) -> payloads.ApiClientSecretPayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        data = apiclients.ApiClientData(
            name=input.name,
            user_id=_id(input.service_account_id, "User", "serviceAccountId"),
            operations=input.operations,
            platforms=input.platforms,
        )
        return await apiclients.create_client(uow, actor, data, _documents(info))

    return await _secret_payload(info, work)


async def api_client_update(
    info: strawberry.Info, input: Annotated[inputs.ApiClientUpdateInput, INPUT]
) -> payloads.ApiClientPayload:
    actor = info.context.require_actor()
    data = apiclients.ApiClientData(name=input.name, operations=input.operations, platforms=input.platforms)
    return await _client_payload(
        info, lambda uow: apiclients.update_client(uow, actor, _id(input.id, "ApiClient", "id"), data, _documents(info))
    )


async def api_client_set_status(
    info: strawberry.Info, input: Annotated[inputs.ApiClientSetStatusInput, INPUT]
) -> payloads.ApiClientPayload:
    actor = info.context.require_actor()
    return await _client_payload(
        info, lambda uow: apiclients.set_client_status(uow, actor, _id(input.id, "ApiClient", "id"), input.status)
    )


async def api_client_rotate_secret(
    info: strawberry.Info, input: Annotated[inputs.ApiClientRotateSecretInput, INPUT]
) -> payloads.ApiClientSecretPayload:
    actor = info.context.require_actor()
    return await _secret_payload(info, lambda uow: apiclients.rotate_secret(uow, actor, _id(input.id, "ApiClient", "id")))


# --- single sign-on through the office platform ---------------------------------------------------


def _sso_error(message: str, code: Code = Code.SSO_FAILED) -> list[Any]:
    return errors_as(payloads.IdentityError, [error(code, message)])


async def sso_begin(info: strawberry.Info) -> payloads.SsoBeginPayload:
    platform = info.context.services.office_platform
    if platform is None:
        return payloads.SsoBeginPayload(authorization_url=None, state=None, errors=_sso_error(
            "未配置协同办公平台单点登录 / Sign-on through the office platform is not set up", Code.SSO_NOT_CONFIGURED))  # fmt: skip
    from integrations.office_platform.client import OfficePlatformError

    try:
        request = await platform.begin()
    except OfficePlatformError as exc:
        return payloads.SsoBeginPayload(authorization_url=None, state=None, errors=_sso_error(exc.message))
    async with info.context.unit_of_work() as uow:
        sso.remember(uow, sso.Pending(request.url, request.state, request.nonce, request.code_verifier))
    return payloads.SsoBeginPayload(authorization_url=request.url, state=request.state, errors=[])


async def sso_complete(info: strawberry.Info, input: Annotated[inputs.SsoCompleteInput, INPUT]) -> payloads.LoginPayload:
    ctx = info.context
    platform = ctx.services.office_platform
    if platform is None:
        return payloads.LoginPayload(token=None, user=None, errors=_sso_error(
            "未配置协同办公平台单点登录 / Sign-on through the office platform is not set up", Code.SSO_NOT_CONFIGURED))  # fmt: skip
    from integrations.office_platform.client import AuthorizationRequest, OfficePlatformError

    pending, errors = await run(info, lambda uow: sso.take(uow, input.state))  # single use, whatever happens next
    if pending is None:
        return payloads.LoginPayload(token=None, user=None, errors=errors_as(payloads.IdentityError, errors))
    request = AuthorizationRequest(url=pending.url, state=pending.state, nonce=pending.nonce, code_verifier=pending.code_verifier)
    try:
        who = await platform.complete(request, input.code, input.state)
    except OfficePlatformError as exc:
        async with ctx.unit_of_work() as uow:
            audit.record(uow.session, operation="identity.sso_login", outcome=AuditOutcome.FAILURE, client_ip=ctx.client_ip,
                         detail={"provider": sso.PROVIDER, "code": exc.code})  # fmt: skip
        return payloads.LoginPayload(token=None, user=None, errors=_sso_error(exc.message))
    federated = sso.FederatedIdentity(who.subject, who.username, who.display_name, who.email, who.phone, who.org_code, who.groups)

    async def work(uow: Any) -> Any:
        return await sso.login(uow, ctx.settings, federated, client_ip=ctx.client_ip, user_agent=ctx.user_agent)

    result, errors = await run(info, work)
    if result is None:
        return payloads.LoginPayload(token=None, user=None, errors=errors_as(payloads.IdentityError, errors))
    token, user_id = result
    async with ctx.read_session() as db:
        ctx.actor, _ = await auth.authenticate(db, token, client_ip=ctx.client_ip)
    return payloads.LoginPayload(token=token, user=await _one(info, "User", user_id, "user"), errors=[])


async def _mappings(info: strawberry.Info, lines: list[tuple[str, int]]) -> list[payloads.SsoRoleMapping]:
    async with info.context.read_session() as s:
        roles = await repo.roles_by_ids(s, {r for _, r in lines})
    return [payloads.SsoRoleMapping(group=g, role=roles.get(r)) for g, r in lines]


async def sso_role_mappings(info: strawberry.Info) -> list[payloads.SsoRoleMapping]:
    async with info.context.read_session() as s:
        lines = await sso.role_mappings(s)
    return await _mappings(info, lines)


async def sso_role_mappings_set(
    info: strawberry.Info, input: Annotated[inputs.SsoRoleMappingsSetInput, INPUT]
) -> payloads.SsoRoleMappingsPayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> Any:
        lines = [(m.group, _id(m.role_id, "Role", "mappings")) for m in input.mappings]
        return await sso.set_role_mappings(uow, actor, lines)

    result, errors = await run(info, work)
    if result is None:
        return payloads.SsoRoleMappingsPayload(mappings=[], errors=errors_as(payloads.IdentityError, errors))
    return payloads.SsoRoleMappingsPayload(mappings=await _mappings(info, result), errors=[])


# --- second factor ---------------------------------------------------------------------------------


async def viewer_totp_enroll(info: strawberry.Info) -> payloads.TotpEnrollPayload:
    actor = info.context.require_actor()
    result, errors = await run(info, lambda uow: totp.enroll(uow, actor))
    secret, uri = result if result else (None, None)
    return payloads.TotpEnrollPayload(secret=secret, uri=uri, errors=errors_as(payloads.IdentityError, errors))


async def viewer_totp_confirm(info: strawberry.Info, input: Annotated[inputs.TotpConfirmInput, INPUT]) -> payloads.TotpPayload:
    actor = info.context.require_actor()
    _none, errors = await run(info, lambda uow: totp.confirm(uow, actor, input.code))
    return payloads.TotpPayload(errors=errors_as(payloads.IdentityError, errors))


async def totp_disable(info: strawberry.Info, input: Annotated[inputs.TotpDisableInput, INPUT]) -> payloads.TotpPayload:
    actor = info.context.require_actor()

    async def work(uow: Any) -> None:
        await totp.disable(uow, actor, _id(input.user_id, "User", "userId"))

    _none, errors = await run(info, work)
    return payloads.TotpPayload(errors=errors_as(payloads.IdentityError, errors))
