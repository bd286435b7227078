"""Integrity of access-control records (GB/T 39786 level 3: 访问控制信息完整性).

Every role grant (user_role) and role permission (role_permission) carries
mac = HMAC-SM3(key, canonical fields). The key is derived from the master key, which never lives
in the database, so someone who can write the database cannot forge a grant: a binding that does
not verify fails closed (the request is refused and a security event is logged) and
`govops integrity verify` lists it. Known limit: re-inserting a binding that was once genuinely
granted (with its old mac) verifies again; the operation log records every grant and removal.
"""

from __future__ import annotations

import hmac

import orjson

from core.crypto import hmac_sm3

_key: bytes | None = None
_token_key: bytes | None = None


def configure(master_key: str) -> None:
    global _key, _token_key
    _key = hmac_sm3(master_key.encode(), b"govops/access-control/v1")
    _token_key = hmac_sm3(master_key.encode(), b"govops/login-token/v1")


def token_digest(token: str) -> str:
    """What the database keeps of a login token: keyed, so a row written straight into the table (with
    the digest of a token its writer knows) authenticates nobody without the master key."""
    if _token_key is None:
        raise RuntimeError("integrity key not configured: call core.keys.configure(master_key) at start-up")
    return hmac_sm3(_token_key, token.encode()).hex()


def seal(*fields: object) -> str:
    if _key is None:
        raise RuntimeError("integrity key not configured: call core.keys.configure(master_key) at start-up")
    return hmac_sm3(_key, orjson.dumps(list(fields))).hex()


def holds(mac: str | None, *fields: object) -> bool:
    return mac is not None and hmac.compare_digest(mac, seal(*fields))
