"""Single sign-on through the integrated collaborative office platform (module 41, 协同办公平台).

The provider's client (integrations/office_platform) does the OpenID Connect work; this module keeps
the authorization requests between redirect and callback (single use, 10 minutes, the PKCE verifier
sealed at rest) and maps a verified identity to our user: found by the provider's subject; on first
login created in the unit whose code the platform names, with the roles that the mapping table gives
its groups. Administrator duties (三员) are never granted by a mapping: the security administrator
assigns those by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from core import audit
from core.audit import AuditOutcome
from core.clock import utcnow
from core.crypto import hash_password, random_token
from core.db.uow import UnitOfWork
from core.errors import DomainErrors
from core.settings import Settings
from domain.identity import repository as repo
from domain.identity.actor import Actor
from domain.identity.auth import issue_token
from domain.identity.enums import OrgUnitStatus, RoleUnitKind, UserStatus
from domain.identity.errors import IdentityErrorCode, error
from domain.identity.models import ExternalIdentity, Role, SsoPending, SsoRoleMapping, User

PROVIDER = "office_platform"
PENDING_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class Pending:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class FederatedIdentity:
    """What the provider vouches for (the integration's verified claims, in domain terms)."""

    subject: str
    username: str
    display_name: str
    email: str | None
    phone: str | None
    org_code: str | None
    groups: tuple[str, ...]


def remember(uow: UnitOfWork, pending: Pending) -> None:
    uow.session.add(
        SsoPending(
            state=pending.state,
            provider=PROVIDER,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            url=pending.url,
            created_at=utcnow(),
        )
    )


async def take(uow: UnitOfWork, state: str) -> Pending:
    """The request a callback answers, removed so that it cannot be answered twice."""
    row = await uow.session.get(SsoPending, state[:128], with_for_update=True) if state else None
    if row is None or row.provider != PROVIDER or utcnow() - row.created_at > PENDING_TTL:
        raise error(
            IdentityErrorCode.SSO_STATE_INVALID, "登录请求无效或已过期，请重新登录 / Unknown or expired sign-on; start again"
        )
    await uow.session.delete(row)
    return Pending(row.url, row.state, row.nonce, row.code_verifier)


async def purge_pending(uow: UnitOfWork) -> int:
    result = await uow.session.execute(delete(SsoPending).where(SsoPending.created_at < utcnow() - PENDING_TTL))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def login(
    uow: UnitOfWork, settings: Settings, who: FederatedIdentity, *, client_ip: str | None, user_agent: str | None
) -> tuple[str, int]:
    """Log in the user behind a verified identity, creating them on first login; (token, user id)."""
    s = uow.session
    link = (
        await s.execute(
            select(ExternalIdentity).where(ExternalIdentity.provider == PROVIDER, ExternalIdentity.subject == who.subject)
        )
    ).scalar_one_or_none()
    created = False
    if link is None:
        user = await _first_login(uow, who)
        link = ExternalIdentity(provider=PROVIDER, subject=who.subject, user_id=user.id, created_at=utcnow())
        s.add(link)
        created = True
    else:
        user = await repo.get_user(s, link.user_id, for_update=True)
        assert user is not None  # the link cascades with the user
    unit = await repo.get_org_unit(s, user.org_unit_id)
    if user.status is not UserStatus.ACTIVE or unit is None or unit.status is not OrgUnitStatus.ACTIVE:
        _log(uow, user, who, AuditOutcome.DENIED, "disabled", client_ip)
        raise error(IdentityErrorCode.ACCOUNT_DISABLED, "账号已停用 / Account disabled")
    link.last_login_at = utcnow()
    token = issue_token(uow, settings, user, client_ip=client_ip, user_agent=user_agent)
    _log(uow, user, who, AuditOutcome.SUCCESS, "created" if created else "ok", client_ip)
    return token, user.id


def _log(uow: UnitOfWork, user: User, who: FederatedIdentity, outcome: AuditOutcome, reason: str, client_ip: str | None) -> None:
    audit.record(
        uow.session, operation="identity.sso_login", outcome=outcome, actor_id=user.id, actor_username=user.username,
        org_unit_id=user.org_unit_id, target_type="User", target_id=user.id, client_ip=client_ip,
        detail={"provider": PROVIDER, "subject": who.subject, "reason": reason},
    )  # fmt: skip


async def _first_login(uow: UnitOfWork, who: FederatedIdentity) -> User:
    s = uow.session
    unit = await repo.get_org_unit_by_code(s, who.org_code) if who.org_code else None
    if unit is None or unit.status is not OrgUnitStatus.ACTIVE:
        raise error(
            IdentityErrorCode.SSO_UNIT_UNKNOWN,
            f"协同办公平台的单位 {who.org_code or '-'} 在本系统中没有对应的在用单位，请联系系统管理员 / "
            f"The platform's organisation {who.org_code or '-'} has no active unit here; ask the system administrator",
        )
    if await repo.username_taken(s, who.username):
        # Never attach a platform identity to an existing local account by name: that would hand it over.
        raise error(
            IdentityErrorCode.SSO_USERNAME_TAKEN,
            f"用户名 {who.username} 已被本系统账号占用，请联系系统管理员 / The username {who.username} is taken here; "
            "ask the system administrator",
        )
    now = utcnow()
    user = User(
        username=who.username, display_name=(who.display_name or who.username)[:64], org_unit_id=unit.id,
        status=UserStatus.ACTIVE, password_hash=hash_password(random_token(), 1000),  # no usable password: SSO only
        password_changed_at=now, failed_logins=0, phone=who.phone, email=who.email, created_at=now, updated_at=now,
    )  # fmt: skip
    s.add(user)
    await s.flush()
    role_ids = set()
    if who.groups:
        rows = await s.execute(
            select(Role)
            .join(SsoRoleMapping, SsoRoleMapping.role_id == Role.id)
            .where(SsoRoleMapping.provider == PROVIDER, SsoRoleMapping.group_name.in_(who.groups))
        )
        for role in rows.scalars():
            fits = role.unit_kind is RoleUnitKind.ANY or role.unit_kind.value == unit.kind.value
            if role.duty is None and fits:
                role_ids.add(role.id)
    if role_ids:
        await repo.set_user_roles(s, user.id, role_ids, None, now)
    audit.record(
        s, operation="identity.user_create", target_type="User", target_id=user.id, org_unit_id=unit.id,
        actor_username="sso:" + PROVIDER, detail={"username": user.username, "roles": sorted(role_ids), "via": PROVIDER},
    )  # fmt: skip
    return user


async def set_role_mappings(uow: UnitOfWork, actor: Actor, mappings: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Replace the whole group -> role table (the security administrator's duty: it grants roles)."""
    s = uow.session
    roles = {r.id: r for r in await repo.get_roles(s, {role_id for _, role_id in mappings})}
    problems = []
    for group, role_id in mappings:
        role = roles.get(role_id)
        if role is None:
            problems.append(error(IdentityErrorCode.NOT_FOUND, f"角色不存在 / No such role ({group})", "mappings"))
        elif role.duty is not None:
            problems.append(error(IdentityErrorCode.DUTY_CONFLICT, f"管理员角色不能由单点登录授予 / Administrator roles are never "
                                  f"granted by sign-on ({role.code})", "mappings"))  # fmt: skip
        elif not group.strip() or len(group) > 128:
            problems.append(
                error(IdentityErrorCode.INVALID_INPUT, "组名应为1-128个字符 / Group names are 1-128 characters", "mappings")
            )
    if problems:
        raise DomainErrors(problems)
    before = [(m.group_name, m.role_id) for m in (await s.execute(select(SsoRoleMapping))).scalars()]
    await s.execute(delete(SsoRoleMapping).where(SsoRoleMapping.provider == PROVIDER))
    clean = sorted({(g.strip(), r) for g, r in mappings})
    s.add_all(SsoRoleMapping(provider=PROVIDER, group_name=g, role_id=r) for g, r in clean)
    audit.record(
        s, operation="identity.sso_role_mappings_set", actor_id=actor.user_id, actor_username=actor.username,
        org_unit_id=actor.org_unit_id, client_ip=actor.client_ip, detail={"before": sorted(before), "after": clean},
    )  # fmt: skip
    return clean


async def role_mappings(session: object) -> list[tuple[str, int]]:
    rows = await session.execute(  # type: ignore[attr-defined]
        select(SsoRoleMapping.group_name, SsoRoleMapping.role_id)
        .where(SsoRoleMapping.provider == PROVIDER)
        .order_by(SsoRoleMapping.group_name, SsoRoleMapping.role_id)
    )
    return [(g, r) for g, r in rows]
