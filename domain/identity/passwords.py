"""Passwords: set by an administrator, recovered on the server, changed by their owner, replaced when
expired; always under the policy (length, classes, not one of the last few) and every other login ends."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, select

from core.clock import utcnow
from core.crypto import verify_password
from core.db.uow import UnitOfWork
from core.settings import Settings
from domain.identity import repository as repo
from domain.identity.actor import Actor
from domain.identity.auth import announce_revoked
from domain.identity.errors import IdentityErrorCode, error, not_found
from domain.identity.journal import record_change
from domain.identity.models import PasswordHistory, User
from domain.identity.service import managed_user, new_hash
from domain.identity.validation import Checker, password_problems


async def reset_password(uow: UnitOfWork, actor: Actor, settings: Settings, user_id: int, new_password: str) -> User:
    """Set a new password for someone else (never yourself: that needs the old one); their logins end."""
    user = await managed_user(uow, actor, user_id)
    await _set_password(uow, actor, settings, user, new_password, "identity.user_reset_password")
    return user


async def recover_password(uow: UnitOfWork, actor: Actor, settings: Settings, username: str, new_password: str) -> User:
    """Server-side recovery (`govops user reset-password`): any account, administrators included;
    also lifts a lockout. Logged like every other change."""
    user = await repo.get_user_by_username(uow.session, username)
    if user is None:
        raise not_found("用户 / User", "username")
    user.failed_logins, user.locked_until = 0, None
    await _set_password(uow, actor, settings, user, new_password, "identity.user_recover_password")
    return user


async def _set_password(uow: UnitOfWork, actor: Actor, settings: Settings, user: User, password: str, operation: str) -> None:
    """A new password under the policy; every login of the user ends."""
    if problem := password_problems(password or "", user.username):
        raise error(IdentityErrorCode.WEAK_PASSWORD, problem, "newPassword")
    if await _reused(uow, settings, user, password):
        raise error(IdentityErrorCode.PASSWORD_REUSED, _REUSED_MESSAGE.format(n=settings.password_history), "newPassword")
    await _retire_password(uow, settings, user)
    user.password_hash = await new_hash(password, settings)
    user.password_changed_at = user.updated_at = utcnow()
    announce_revoked(uow, await repo.revoke_tokens_of_user(uow.session, user.id, utcnow()))
    record_change(uow, actor, operation, "User", user.id)


async def set_expired_password(uow: UnitOfWork, actor: Actor, settings: Settings, user: User, password: str) -> None:
    """The owner replaces an expired password (their credentials were just verified)."""
    await _set_password(uow, actor, settings, user, password, "identity.password_change_expired")


_REUSED_MESSAGE = "新密码不能与最近{n}次使用过的密码相同 / The new password may not repeat any of the last {n}"


async def _reused(uow: UnitOfWork, settings: Settings, user: User, password: str) -> bool:
    """Whether `password` is the current one or one of the last `password_history` (checked off the loop)."""
    if settings.password_history <= 0:
        return False
    rows = await uow.session.execute(
        select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.changed_at.desc(), PasswordHistory.id.desc()).limit(settings.password_history)
    )  # fmt: skip
    for stored in [user.password_hash, *rows.scalars()]:
        if await asyncio.to_thread(verify_password, password, stored):
            return True
    return False


async def _retire_password(uow: UnitOfWork, settings: Settings, user: User) -> None:
    """Keep the outgoing hash in the history, and no more of them than the policy needs."""
    if settings.password_history <= 0:
        return
    uow.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash, changed_at=utcnow()))
    await uow.session.flush()
    keep = (
        select(PasswordHistory.id)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.changed_at.desc(), PasswordHistory.id.desc())
        .limit(settings.password_history)
    )
    await uow.session.execute(
        delete(PasswordHistory).where(PasswordHistory.user_id == user.id, PasswordHistory.id.not_in(keep.scalar_subquery()))
    )


async def change_own_password(uow: UnitOfWork, actor: Actor, settings: Settings, old: str, new: str) -> User:
    """Change your own password (the old one is required); your other logins end, this one stays."""
    user = await repo.get_user(uow.session, actor.user_id)
    assert user is not None
    c = Checker()
    if not await asyncio.to_thread(verify_password, old or "", user.password_hash):
        c.add("oldPassword", "原密码不正确 / The current password is wrong", IdentityErrorCode.WRONG_PASSWORD)
    elif problem := password_problems(new or "", user.username):
        c.add("newPassword", problem, IdentityErrorCode.WEAK_PASSWORD)
    elif old == new:
        c.add("newPassword", "新密码不能与原密码相同 / The new password must differ", IdentityErrorCode.WEAK_PASSWORD)
    elif await _reused(uow, settings, user, new):
        c.add("newPassword", _REUSED_MESSAGE.format(n=settings.password_history), IdentityErrorCode.PASSWORD_REUSED)
    c.raise_if_any()
    await _retire_password(uow, settings, user)
    user.password_hash = await new_hash(new, settings)
    user.password_changed_at = user.updated_at = utcnow()
    revoked = [t for t in await repo.revoke_tokens_of_user(uow.session, user.id, utcnow()) if t != actor.token_id]
    if actor.token_id is not None:
        token = await repo.get_token(uow.session, actor.token_id)
        if token is not None:
            token.revoked_at = None
    announce_revoked(uow, revoked)
    record_change(uow, actor, "identity.password_change", "User", user.id)
    return user
