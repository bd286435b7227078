"""National algorithms behind one boundary: SM3 and SM4 through OpenSSL, SM2 through gmalglib.

Callers import from here (or ask `provider()`), never from the libraries directly.
"""

from core.crypto.provider import CryptoProvider, SoftwareProvider, provider, use
from core.crypto.sm3 import hash_password, hmac_sm3, password_needs_rehash, random_token, sm3, sm3_hex, verify_password

__all__ = [
    "CryptoProvider",
    "SoftwareProvider",
    "hash_password",
    "hmac_sm3",
    "password_needs_rehash",
    "provider",
    "random_token",
    "sm3",
    "sm3_hex",
    "use",
    "verify_password",
]
