"""SM4 through OpenSSL (`cryptography`): GCM for data at rest, CBC and single blocks for interoperability.

A sealed value is self-describing, so any key version can open what it sealed:

    version (1 byte, 0x01) | key id (2 bytes, big-endian) | nonce (12 bytes) | ciphertext | tag (16 bytes)
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
_VERSION = 1
_HEADER = struct.Struct(">BH")


class DecryptionError(ValueError):
    """The value was altered, sealed for other associated data, or sealed with a key we do not have."""


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"SM4 keys are {KEY_BYTES} bytes, got {len(key)}")


def encrypt_block(key: bytes, block: bytes) -> bytes:
    """One 16-byte block, no mode (the GB/T 32907 test vectors are stated this way)."""
    _check_key(key)
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def gcm_encrypt(key: bytes, plaintext: bytes, aad: bytes = b"", nonce: bytes | None = None) -> tuple[bytes, bytes]:
    """(nonce, ciphertext || tag). A fresh random nonce unless one is given (tests only)."""
    _check_key(key)
    nonce = nonce or os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce, body + encryptor.tag


def gcm_decrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes = b"") -> bytes:
    _check_key(key)
    if len(data) < TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, data[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(data[:-TAG_BYTES]) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("SM4-GCM authentication failed") from exc


def seal(key_id: int, key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """Encrypt and authenticate; the key id and nonce travel with the ciphertext (and are authenticated)."""
    header = _HEADER.pack(_VERSION, key_id)
    nonce, body = gcm_encrypt(key, plaintext, header + aad)
    return header + nonce + body


def key_id_of(sealed: bytes) -> int:
    if len(sealed) < _HEADER.size + NONCE_BYTES + TAG_BYTES or sealed[0] != _VERSION:
        raise DecryptionError("not a sealed value")
    return int(_HEADER.unpack_from(sealed)[1])


def open_sealed(key_for: Callable[[int], bytes | None], sealed: bytes, aad: bytes = b"") -> bytes:
    """Decrypt a sealed value with the key its header names (`key_for` returns None for unknown ids)."""
    key_id = key_id_of(sealed)
    key = key_for(key_id)
    if key is None:
        raise DecryptionError(f"unknown SM4 key id {key_id}")
    header, nonce = sealed[: _HEADER.size], sealed[_HEADER.size : _HEADER.size + NONCE_BYTES]
    return gcm_decrypt(key, nonce, sealed[_HEADER.size + NONCE_BYTES :], header + aad)


def cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """SM4-CBC with PKCS#7 padding, for peers that speak it; prefer `seal` for anything we store."""
    _check_key(key)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    _check_key(key)
    decryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).decryptor()
    data = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(data) + unpadder.finalize()
    except ValueError as exc:
        raise DecryptionError("bad SM4-CBC padding") from exc
