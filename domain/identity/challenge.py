"""Password transport encrypted with SM2 (GB/T 39786 level 3: 身份鉴别信息的机密性), for deployments
without GM TLS in front of the API.

`loginChallenge` hands out the server's SM2 public key and a fresh nonce (single use, 5 minutes). The
browser encrypts {"nonce": …, "password": …} (UTF-8 JSON) to that key (SM2 C1C3C2, hex or base64)
and sends it as `encryptedPassword` with the nonce. The server decrypts, checks that the nonce inside
is the one sent and burns it: a captured ciphertext cannot be replayed, and without the private key
(derived from the master key, never stored) it reveals nothing.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlalchemy import delete

from core.clock import utcnow
from core.crypto import sm2
from core.db.uow import UnitOfWork
from core.keys import login_key
from domain.identity.errors import IdentityErrorCode, error
from domain.identity.models import LoginNonce

TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class Challenge:
    public_key: str  # 04 || x || y, hex (what sm-crypto and most SM2 libraries take)
    public_key_pem: str
    nonce: str
    expires_at: datetime


def issue(uow: UnitOfWork) -> Challenge:
    nonce = secrets.token_urlsafe(24)
    expires = utcnow() + TTL
    uow.session.add(LoginNonce(nonce=nonce, expires_at=expires))
    key = login_key()
    return Challenge(key.public_hex(), sm2.public_pem(key), nonce, expires)


def _invalid() -> Exception:
    return error(
        IdentityErrorCode.LOGIN_CHALLENGE_INVALID,
        "登录挑战无效、已使用或已过期，请重新获取 / The login challenge is invalid, used or expired: ask for a new one",
        "nonce",
    )


def _decode(text: str) -> bytes:
    text = text.strip()
    try:
        return bytes.fromhex(text)
    except ValueError:
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return b""


async def open_password(uow: UnitOfWork, encrypted: str, nonce: str) -> str:
    """The password inside an SM2 envelope; the nonce is consumed whatever the outcome."""
    burnt = await uow.session.execute(
        delete(LoginNonce).where(LoginNonce.nonce == (nonce or "")[:64], LoginNonce.expires_at > utcnow())
    )
    if not burnt.rowcount:  # type: ignore[attr-defined]
        raise _invalid()
    ciphertext = _decode(encrypted or "")
    if ciphertext[:1] != b"\x04" and len(ciphertext) > 96:  # sm-crypto omits the 04 prefix of C1
        ciphertext = b"\x04" + ciphertext
    try:
        inner = orjson.loads(sm2.decrypt(login_key(), ciphertext))
    except (sm2.Sm2Error, orjson.JSONDecodeError):
        raise _invalid() from None
    if not isinstance(inner, dict) or inner.get("nonce") != nonce or not isinstance(inner.get("password"), str):
        raise _invalid()
    return inner["password"]


async def purge(uow: UnitOfWork) -> int:
    result = await uow.session.execute(delete(LoginNonce).where(LoginNonce.expires_at < utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
