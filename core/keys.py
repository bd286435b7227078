"""Key material: everything derives from, or is wrapped by, the master key from settings.

`configure(master_key)` at start-up of every process (the audit chain key, the access-control MAC
key, the key ring's key-encryption and blind-index keys); then `await load(engine)` reads and unwraps
the data keys.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from core import audit, integrity, storage
from core.crypto import hmac_sm3, sm2
from core.keyring import RING

_login_key: sm2.Sm2Key | None = None


def configure(master_key: str) -> None:
    global _login_key
    audit.configure(master_key)
    integrity.configure(master_key)
    RING.configure(master_key)
    storage.configure(master_key)
    _login_key = _derive_sm2(master_key, b"govops/login-sm2/v1")


def _derive_sm2(master_key: str, label: bytes) -> sm2.Sm2Key:
    """An SM2 key pair derived from the master key: every replica holds the same one, none is stored."""
    for counter in range(100):
        candidate = hmac_sm3(master_key.encode(), label + bytes([counter]))
        try:
            return sm2.from_hex(private_hex=candidate.hex())
        except sm2.Sm2Error:  # outside [1, n-2]: astronomically rare; take the next one
            continue
    raise RuntimeError("could not derive an SM2 key")


def login_key() -> sm2.Sm2Key:
    """The key browsers encrypt passwords to (loginChallenge), for deployments without GM TLS in front."""
    if _login_key is None:
        raise RuntimeError("keys not configured: call core.keys.configure(master_key) at start-up")
    return _login_key


async def load(engine: AsyncEngine) -> None:
    await RING.load(engine)
