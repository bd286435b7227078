"""Login, token authentication, logout and revocation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from core import audit, integrity
from core.audit import AuditOutcome
from core.clock import utcnow
from core.crypto import hash_password, password_needs_rehash, random_token, verify_password
from core.db.engine import Db
from core.db.uow import UnitOfWork
from core.errors import DomainError, Forbidden
from core.settings import Settings
from domain.identity import principals, totp
from domain.identity import repository as repo
from domain.identity.actor import Actor
from domain.identity.catalog import ROLES
from domain.identity.enums import OrgUnitStatus, UserStatus
from domain.identity.errors import IdentityErrorCode, error, not_found
from domain.identity.models import AccessToken

TOKEN_REVOKED_CHANNEL = "identity.token_revoked"
# Writing last_used_at on every request would make every read a write; once a minute is enough.
TOUCH_INTERVAL = timedelta(minutes=1)


@lru_cache(maxsize=65536)
def _grant_holds(user_id: int, role_id: int, mac: str) -> bool:
    # A mac depends only on the fields it covers: once a (user, role, mac) verified, it always will.
    # Forged or altered grants never enter the cache, so each request still checks every grant.
    return integrity.holds(mac or None, "user_role", user_id, role_id)


@lru_cache(maxsize=65536)
def _scope_holds(user_id: int, unit_id: int, user_status: str, kind: str, unit_status: str, path: str,
                 user_mac: str | None, unit_mac: str | None) -> bool:  # fmt: skip
    return integrity.holds(user_mac, "user_scope", user_id, unit_id, user_status) and integrity.holds(
        unit_mac, "org_unit_scope", unit_id, kind, unit_status, path
    )


def check_scope(owner: Any) -> None:
    """The user's unit, status and the unit's kind, status and path are what data scope is made of: a
    change written straight into the database (a user moved into the management unit, a path rewritten
    to reach another subtree, a disabled account re-enabled) fails closed and raises the alarm."""
    if not _scope_holds(owner.user_id, owner.org_unit_id, owner.user_status.value, owner.unit_kind.value,
                        owner.unit_status.value, owner.unit_path, owner.user_scope_mac, owner.unit_scope_mac):  # fmt: skip
        raise IntegrityViolation(
            owner.user_id, owner.username, f"data scope of user={owner.user_id} unit={owner.org_unit_id} fails its MAC"
        )


class IntegrityViolation(Exception):
    """An access-control record of this user does not verify: refuse the request and raise the alarm."""

    def __init__(self, user_id: int, username: str, detail: str) -> None:
        super().__init__(detail)
        self.user_id = user_id
        self.username = username
        self.detail = detail


def record_violation(uow: UnitOfWork, violation: IntegrityViolation, client_ip: str | None) -> None:
    """The security event: in the (chained) operation log, where the security administrator looks."""
    audit.record(
        uow.session, operation="security.integrity_violation", outcome=AuditOutcome.DENIED,
        actor_id=violation.user_id, actor_username=violation.username, target_type="User",
        target_id=violation.user_id, client_ip=client_ip, detail={"detail": violation.detail},
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str | None = None
    user_id: int | None = None
    error: DomainError | None = None


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """The slow half of a login, done before any write transaction: find the user, hash the password."""

    username: str
    user_id: int | None
    verified_hash: str | None  # the stored hash the password was checked against
    ok: bool
    new_hash: str | None  # a stronger hash of the same password, when the stored one is due for it
    tampered: bool = False  # the stored hash fails its MAC: written by someone without the master key


def token_hash(token: str) -> str:
    return integrity.token_digest(token)


@lru_cache(maxsize=4)
def _dummy_hash(iterations: int) -> str:
    # Unknown usernames cost the same PBKDF2 work as known ones, so timing does not tell them apart.
    return hash_password("not-a-real-password", iterations)


async def check_password(db: Db, settings: Settings, username: str, password: str) -> PasswordCheck:
    """Look the user up and verify the password off the event loop (PBKDF2 takes ~0.1 s of CPU)."""
    username = (username or "").strip()[:64]
    found = await repo.password_hash_of(db, username) if username else None
    stored = found[1] if found else _dummy_hash(settings.password_iterations)
    ok = await asyncio.to_thread(verify_password, password or "", stored)
    ok = ok and found is not None
    tampered = found is not None and not found[2]
    new_hash = None
    if ok and not tampered and password_needs_rehash(stored, settings.password_iterations):
        new_hash = await asyncio.to_thread(hash_password, password, settings.password_iterations)
    return PasswordCheck(
        username, found[0] if found else None, stored if found else None, ok and not tampered, new_hash, tampered
    )


async def login(
    uow: UnitOfWork,
    settings: Settings,
    check: PasswordCheck,
    *,
    client_ip: str | None,
    user_agent: str | None,
    totp_code: str | None = None,
    allow_expired: bool = False,
    issue: bool = True,
) -> LoginResult:
    """Record the outcome of a checked password: five failures lock the account; committed either way (audit).

    The user row is locked for the update, so concurrent wrong passwords all count. A locked account
    says so only to someone who knows the password: a guesser cannot learn that a username exists.
    """
    s = uow.session
    now = utcnow()
    user = await repo.get_user(s, check.user_id, for_update=True) if check.user_id is not None else None
    invalid = error(IdentityErrorCode.INVALID_CREDENTIALS, "用户名或密码错误 / Wrong username or password")

    def log(outcome: AuditOutcome, reason: str) -> None:
        audit.record(
            s, operation="identity.login", outcome=outcome, actor_id=user.id if user else None,
            actor_username=check.username, org_unit_id=user.org_unit_id if user else None,
            target_type="User", target_id=user.id if user else None, client_ip=client_ip, detail={"reason": reason},
        )  # fmt: skip

    if user is None:
        log(AuditOutcome.FAILURE, "unknown_user")
        return LoginResult(error=invalid)
    if check.tampered:  # fail closed and raise the alarm, whatever password was offered
        record_violation(uow, IntegrityViolation(user.id, user.username, f"password of user={user.id} fails its MAC"), client_ip)
        return LoginResult(error=invalid)
    ok = check.ok and user.password_hash == check.verified_hash  # a password changed meanwhile: try again
    if user.locked_until is not None and user.locked_until > now:
        log(AuditOutcome.DENIED, "locked")
        if not ok:
            return LoginResult(error=invalid)
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return LoginResult(
            error=error(
                IdentityErrorCode.ACCOUNT_LOCKED,
                f"账号已锁定，请{minutes}分钟后重试 / Account locked; try again in {minutes} min",
            )
        )

    def failed(reason: str, refusal: DomainError) -> LoginResult:
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
            reason = "locked_now"
        user.updated_at = now
        log(AuditOutcome.FAILURE, reason)
        return LoginResult(error=refusal)

    if not ok:
        return failed("wrong_password", invalid)
    unit = await repo.get_org_unit(s, user.org_unit_id)
    if user.status is not UserStatus.ACTIVE or unit is None or unit.status is not OrgUnitStatus.ACTIVE:
        log(AuditOutcome.DENIED, "disabled")
        return LoginResult(error=error(IdentityErrorCode.ACCOUNT_DISABLED, "账号已停用 / Account disabled"))
    second = await totp.active_for(uow, user)
    if second is not None:
        if not totp_code:
            log(AuditOutcome.DENIED, "totp_required")
            return LoginResult(
                error=error(IdentityErrorCode.TOTP_REQUIRED, "请输入动态口令 / Enter the one-time code", "totpCode")
            )
        if not totp.check(second, totp_code):
            return failed("wrong_totp", error(IdentityErrorCode.TOTP_INVALID, "动态口令不正确 / Wrong one-time code", "totpCode"))
    max_age = settings.password_max_age_days
    if max_age and not allow_expired and user.password_changed_at < now - timedelta(days=max_age):
        log(AuditOutcome.DENIED, "password_expired")
        return LoginResult(error=error(
            IdentityErrorCode.PASSWORD_EXPIRED,
            f"密码已超过{max_age}天未修改，请设置新密码 / The password is over {max_age} days old: set a new one",
        ))  # fmt: skip
    if check.new_hash is not None:
        user.password_hash = check.new_hash
    if not issue:  # the credentials hold; the caller acts on them (an expired password being replaced)
        log(AuditOutcome.SUCCESS, "verified")
        return LoginResult(user_id=user.id)
    token = issue_token(uow, settings, user, client_ip=client_ip, user_agent=user_agent)
    log(AuditOutcome.SUCCESS, "ok")
    return LoginResult(token=token, user_id=user.id)


def issue_token(uow: UnitOfWork, settings: Settings, user: Any, *, client_ip: str | None, user_agent: str | None) -> str:
    """A new login token for a user who has just proved who they are (password or single sign-on)."""
    now = utcnow()
    token = random_token()
    uow.session.add(
        AccessToken(
            user_id=user.id, token_hash=token_hash(token), created_at=now,
            expires_at=now + timedelta(minutes=settings.token_ttl_minutes), last_used_at=now,
            client_ip=client_ip, user_agent=(user_agent or "")[:256] or None,
        )
    )  # fmt: skip
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return token


async def authenticate(session: Db, token: str, *, client_ip: str | None = None) -> tuple[Actor | None, bool]:
    """The actor behind a bearer token, or None; the flag says whether last_used_at is due for a write."""
    now = utcnow()
    owner = await principals.token_owner(session, token_hash(token), now)
    if owner is None:
        return None, False
    check_scope(owner)
    if owner.user_status is not UserStatus.ACTIVE or owner.unit_status is not OrgUnitStatus.ACTIVE:
        return None, False
    permissions = await _permissions(session, owner.user_id, owner.username, owner.bindings)
    actor = Actor(
        user_id=owner.user_id, username=owner.username, display_name=owner.display_name,
        org_unit_id=owner.org_unit_id, unit_kind=owner.unit_kind, unit_path=owner.unit_path,
        permissions=frozenset(permissions), token_id=owner.token_id, token_expires_at=owner.expires_at, client_ip=client_ip,
    )  # fmt: skip
    stale = owner.last_used_at is None or now - owner.last_used_at > TOUCH_INTERVAL
    return actor, stale


async def actor_of(session: Db, user_id: int) -> Actor | None:
    """The user as they are now (current grants and data scope, MACs verified), for a job acting on their behalf;
    None when the account or its unit is disabled or gone."""
    owner = await principals.user_principal(session, user_id)
    if owner is None:
        return None
    check_scope(owner)
    if owner.user_status is not UserStatus.ACTIVE or owner.unit_status is not OrgUnitStatus.ACTIVE:
        return None
    permissions = await _permissions(session, owner.user_id, owner.username, owner.bindings)
    return Actor(
        user_id=owner.user_id, username=owner.username, display_name=owner.display_name, org_unit_id=owner.org_unit_id,
        unit_kind=owner.unit_kind, unit_path=owner.unit_path, permissions=frozenset(permissions),
    )  # fmt: skip


async def _permissions(session: Db, user_id: int, username: str, bindings: tuple[tuple[int, str], ...]) -> frozenset[str]:
    """The permissions of verified grants; a grant whose MAC fails refuses the whole request."""
    catalog = await ROLES.get(session)
    permissions: set[str] = set()
    for role_id, mac in bindings:
        if not _grant_holds(user_id, role_id, mac):
            raise IntegrityViolation(user_id, username, f"role grant user={user_id} role={role_id} fails its MAC")
        role = catalog.get(role_id)
        if role is not None:
            permissions.update(role.permissions)
    return frozenset(permissions)


async def touch(uow: UnitOfWork, token_id: int) -> None:
    await repo.touch_token(uow.session, token_id, utcnow())


async def logout(uow: UnitOfWork, actor: Actor) -> None:
    """Revoke the token this request came with."""
    if actor.token_id is None:
        return
    token = await repo.get_token(uow.session, actor.token_id)
    if token is not None and token.revoked_at is None:
        _revoke(uow, token, actor, "identity.logout")


async def revoke_token(uow: UnitOfWork, actor: Actor, token_id: int) -> AccessToken:
    """Revoke one login: your own, or anybody's in your scope with identity.manage_tokens."""
    visible = await repo.tokens_by_ids(uow.session, actor, [token_id])
    token = await repo.get_token(uow.session, token_id) if visible else None
    if token is None:
        raise not_found("登录会话 / Login token")
    if token.user_id != actor.user_id and not actor.can("identity.manage_tokens"):
        raise Forbidden("权限不足 / Permission denied: identity.manage_tokens")
    if token.revoked_at is None:
        _revoke(uow, token, actor, "identity.revoke_token")
    return token


def _revoke(uow: UnitOfWork, token: AccessToken, actor: Actor, operation: str) -> None:
    token.revoked_at = utcnow()
    audit.record(
        uow.session, operation=operation, actor_id=actor.user_id, actor_username=actor.username,
        org_unit_id=actor.org_unit_id, target_type="AccessToken", target_id=token.id, client_ip=actor.client_ip,
    )  # fmt: skip
    announce_revoked(uow, [token.id])


def announce_revoked(uow: UnitOfWork, token_ids: list[int]) -> None:
    """Tell every API replica (after commit) so that open subscriptions on these tokens close."""
    for token_id in token_ids:
        uow.publish(TOKEN_REVOKED_CHANNEL, {"tokenId": token_id})


async def purge_tokens(uow: UnitOfWork, keep_days: int = 30) -> int:
    """Drop tokens that ended more than `keep_days` ago."""
    return await repo.purge_tokens(uow.session, utcnow() - timedelta(days=keep_days))
