"""The cryptographic provider boundary.

Everything else asks a provider, so a hardware cryptographic module (GM/T 0018 SDF) can replace the
software one without touching callers. `SoftwareProvider` uses OpenSSL (SM3, SM4) and gmalglib (SM2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from core.crypto import sm2 as _sm2
from core.crypto import sm3 as _sm3
from core.crypto import sm4 as _sm4


class CryptoProvider(Protocol):
    name: str

    def sm3(self, data: bytes) -> bytes: ...
    def hmac_sm3(self, key: bytes, data: bytes) -> bytes: ...
    def random(self, n: int) -> bytes: ...
    def sm4_seal(self, key_id: int, key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes: ...
    def sm4_open(self, key_for: Callable[[int], bytes | None], sealed: bytes, aad: bytes = b"") -> bytes: ...
    def sm2_sign(self, key: _sm2.Sm2Key, message: bytes, uid: bytes = _sm2.DEFAULT_UID) -> bytes: ...
    def sm2_verify(self, key: _sm2.Sm2Key, message: bytes, signature: bytes, uid: bytes = _sm2.DEFAULT_UID) -> bool: ...
    def sm2_encrypt(self, key: _sm2.Sm2Key, plaintext: bytes) -> bytes: ...
    def sm2_decrypt(self, key: _sm2.Sm2Key, ciphertext: bytes) -> bytes: ...


class SoftwareProvider:
    name = "software (OpenSSL SM3/SM4, gmalglib SM2)"

    def sm3(self, data: bytes) -> bytes:
        return _sm3.sm3(data)

    def hmac_sm3(self, key: bytes, data: bytes) -> bytes:
        return _sm3.hmac_sm3(key, data)

    def random(self, n: int) -> bytes:
        import os

        return os.urandom(n)

    def sm4_seal(self, key_id: int, key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
        return _sm4.seal(key_id, key, plaintext, aad)

    def sm4_open(self, key_for: Callable[[int], bytes | None], sealed: bytes, aad: bytes = b"") -> bytes:
        return _sm4.open_sealed(key_for, sealed, aad)

    def sm2_sign(self, key: _sm2.Sm2Key, message: bytes, uid: bytes = _sm2.DEFAULT_UID) -> bytes:
        return _sm2.sign(key, message, uid)

    def sm2_verify(self, key: _sm2.Sm2Key, message: bytes, signature: bytes, uid: bytes = _sm2.DEFAULT_UID) -> bool:
        return _sm2.verify(key, message, signature, uid)

    def sm2_encrypt(self, key: _sm2.Sm2Key, plaintext: bytes) -> bytes:
        return _sm2.encrypt(key, plaintext)

    def sm2_decrypt(self, key: _sm2.Sm2Key, ciphertext: bytes) -> bytes:
        return _sm2.decrypt(key, ciphertext)


_PROVIDER: CryptoProvider = SoftwareProvider()


def provider() -> CryptoProvider:
    return _PROVIDER


def use(new: CryptoProvider) -> None:
    """Install another provider (a hardware module's adapter) at start-up."""
    global _PROVIDER
    _PROVIDER = new
