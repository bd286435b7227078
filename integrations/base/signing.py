"""How a third party signs a call to GovOps's persisted operations (HMAC-SM3), as simulators send callbacks.

This MUST stay identical to `domain.identity.apiclients.sign`, which verifies it; integrations may not import that
module (only ports), so the primitive is repeated here and tests/integrations/test_base.py asserts that both agree.
"""

from __future__ import annotations

import secrets
import time

from core.crypto import hmac_sm3, sm3_hex


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join((method.upper(), path, timestamp, nonce, sm3_hex(body))).encode()


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """hex HMAC-SM3(secret, METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n hex SM3(body))."""
    return hmac_sm3(secret.encode(), string_to_sign(method, path, timestamp, nonce, body)).hex()


def signed_headers(
    key_id: str, secret: str, method: str, path: str, body: bytes, *, timestamp: int | None = None, nonce: str | None = None
) -> dict[str, str]:
    """The four X-Api-* headers (and the JSON content type) of one signed request; a fresh nonce unless given."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    return {
        "Content-Type": "application/json", "X-Api-Key": key_id, "X-Api-Timestamp": ts, "X-Api-Nonce": nonce,
        "X-Api-Signature": sign(secret, method, path, ts, nonce, body),
    }  # fmt: skip
