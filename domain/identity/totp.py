"""TOTP second factor (RFC 6238, pyotp) for the three administrator duties (三员).

Enrolment is two steps: `viewerTotpEnroll` stores a new sealed secret and returns it (and the otpauth
URI for an authenticator app) once; `viewerTotpConfirm` with a current code turns it on. From then on
a login needs the code too. A code is accepted once (the time step is remembered), one step of clock
drift either way is tolerated. Only administrator-duty holders may enrol: everyone else signs in
with a password or through the office platform.
"""

from __future__ import annotations

import pyotp

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.identity.actor import Actor
from domain.identity.errors import IdentityErrorCode, error
from domain.identity.journal import record_change
from domain.identity.models import User, UserTotp
from domain.identity.permissions import duties_of

ISSUER = "GovOps"


async def enroll(uow: UnitOfWork, actor: Actor) -> tuple[str, str]:
    """A new (unconfirmed) secret for the actor; returns (secret, otpauth URI)."""
    if not duties_of(actor.permissions):
        raise error(IdentityErrorCode.INVALID_INPUT, "仅管理员（三员）可启用动态口令 / Only administrators use a second factor")
    existing = await uow.session.get(UserTotp, actor.user_id, with_for_update=True)
    if existing is not None and existing.confirmed_at is not None:
        raise error(
            IdentityErrorCode.INVALID_INPUT, "动态口令已启用，请先停用 / A second factor is already on: turn it off first"
        )
    secret = pyotp.random_base32()
    if existing is None:
        uow.session.add(UserTotp(user_id=actor.user_id, secret=secret, created_at=utcnow()))
    else:
        existing.secret, existing.created_at, existing.last_step = secret, utcnow(), None
    record_change(uow, actor, "identity.totp_enroll", "User", actor.user_id)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=actor.username, issuer_name=ISSUER)


def _step(totp: pyotp.TOTP, code: str) -> int | None:
    """The time step a code belongs to (now, or one step either side), or None."""
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    now = utcnow()
    for drift in (0, -1, 1):
        step = totp.timecode(now) + drift
        if totp.generate_otp(step) == code:
            return step
    return None


def check(record: UserTotp, code: str) -> bool:
    """Accept a current code once: a replayed or older code is refused."""
    step = _step(pyotp.TOTP(record.secret), code)
    if step is None or (record.last_step is not None and step <= record.last_step):
        return False
    record.last_step = step
    return True


async def confirm(uow: UnitOfWork, actor: Actor, code: str) -> None:
    record = await uow.session.get(UserTotp, actor.user_id, with_for_update=True)
    if record is None or record.confirmed_at is not None:
        raise error(IdentityErrorCode.INVALID_INPUT, "没有待确认的动态口令 / No second factor waiting for confirmation")
    if not check(record, code):
        raise error(IdentityErrorCode.TOTP_INVALID, "动态口令不正确 / Wrong one-time code", "code")
    record.confirmed_at = utcnow()
    record_change(uow, actor, "identity.totp_confirm", "User", actor.user_id)


async def disable(uow: UnitOfWork, actor: Actor, user_id: int) -> None:
    """Yourself, or (the security administrator) someone who lost their device; logged."""
    if user_id != actor.user_id and not actor.can("identity.manage_tokens"):
        raise error(IdentityErrorCode.NOT_FOUND, "用户不存在或无权访问 / User not found", "id")
    record = await uow.session.get(UserTotp, user_id, with_for_update=True)
    if record is not None:
        await uow.session.delete(record)
        record_change(uow, actor, "identity.totp_disable", "User", user_id)


async def active_for(uow: UnitOfWork, user: User) -> UserTotp | None:
    """The confirmed second factor of a user, if they have one (locked: the accepted step is written)."""
    record = await uow.session.get(UserTotp, user.id, with_for_update=True)
    return record if record is not None and record.confirmed_at is not None else None
