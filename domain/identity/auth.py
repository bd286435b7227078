"""Login, token authentication, logout and revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core import audit
from core.audit import AuditOutcome
from core.clock import utcnow
from core.crypto import hash_password, password_needs_rehash, random_token, sm3_hex, verify_password
from core.db.engine import Db
from core.db.uow import UnitOfWork
from core.errors import DomainError, Forbidden
from core.settings import Settings
from domain.identity import repository as repo
from domain.identity.actor import Actor
from domain.identity.enums import OrgUnitStatus, UserStatus
from domain.identity.errors import IdentityErrorCode, error, not_found
from domain.identity.models import AccessToken

TOKEN_REVOKED_CHANNEL = "identity.token_revoked"
# Writing last_used_at on every request would make every read a write; once a minute is enough.
TOUCH_INTERVAL = timedelta(minutes=1)
# A dummy hash so that an unknown username costs the same time as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password", 1000)


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str | None = None
    user_id: int | None = None
    error: DomainError | None = None


def token_hash(token: str) -> str:
    return sm3_hex(token)


async def login(
    uow: UnitOfWork, settings: Settings, username: str, password: str, *, client_ip: str | None, user_agent: str | None
) -> LoginResult:
    """Check the password; five failures lock the account; the result is committed either way (audit)."""
    s = uow.session
    now = utcnow()
    user = await repo.get_user_by_username(s, username.strip()) if username else None
    invalid = error(IdentityErrorCode.INVALID_CREDENTIALS, "用户名或密码错误 / Wrong username or password")

    def log(outcome: AuditOutcome, reason: str) -> None:
        audit.record(
            s, operation="identity.login", outcome=outcome, actor_id=user.id if user else None,
            actor_username=username[:64], org_unit_id=user.org_unit_id if user else None,
            target_type="User", target_id=user.id if user else None, client_ip=client_ip, detail={"reason": reason},
        )  # fmt: skip

    if user is None:
        verify_password(password, _DUMMY_HASH)
        log(AuditOutcome.FAILURE, "unknown_user")
        return LoginResult(error=invalid)
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        log(AuditOutcome.DENIED, "locked")
        return LoginResult(
            error=error(
                IdentityErrorCode.ACCOUNT_LOCKED,
                f"账号已锁定，请{minutes}分钟后重试 / Account locked; try again in {minutes} min",
            )
        )
    if not verify_password(password, user.password_hash):
        user.failed_logins += 1
        reason = "wrong_password"
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
            reason = "locked_now"
        user.updated_at = now
        log(AuditOutcome.FAILURE, reason)
        return LoginResult(error=invalid)
    unit = await repo.get_org_unit(s, user.org_unit_id)
    if user.status is not UserStatus.ACTIVE or unit is None or unit.status is not OrgUnitStatus.ACTIVE:
        log(AuditOutcome.DENIED, "disabled")
        return LoginResult(error=error(IdentityErrorCode.ACCOUNT_DISABLED, "账号已停用 / Account disabled"))
    if password_needs_rehash(user.password_hash, settings.password_iterations):
        user.password_hash = hash_password(password, settings.password_iterations)
    token = random_token()
    s.add(
        AccessToken(
            user_id=user.id, token_hash=token_hash(token), created_at=now,
            expires_at=now + timedelta(minutes=settings.token_ttl_minutes), last_used_at=now,
            client_ip=client_ip, user_agent=(user_agent or "")[:256] or None,
        )
    )  # fmt: skip
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    log(AuditOutcome.SUCCESS, "ok")
    return LoginResult(token=token, user_id=user.id)


async def authenticate(session: Db, token: str, *, client_ip: str | None = None) -> tuple[Actor | None, bool]:
    """The actor behind a bearer token, or None; the flag says whether last_used_at is due for a write."""
    now = utcnow()
    owner = await repo.token_owner(session, token_hash(token), now)
    if owner is None or owner.user_status is not UserStatus.ACTIVE or owner.unit_status is not OrgUnitStatus.ACTIVE:
        return None, False
    permissions = owner.permissions
    actor = Actor(
        user_id=owner.user_id, username=owner.username, display_name=owner.display_name,
        org_unit_id=owner.org_unit_id, unit_kind=owner.unit_kind, unit_path=owner.unit_path,
        permissions=permissions, token_id=owner.token_id, token_expires_at=owner.expires_at, client_ip=client_ip,
    )  # fmt: skip
    stale = owner.last_used_at is None or now - owner.last_used_at > TOUCH_INTERVAL
    return actor, stale


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
