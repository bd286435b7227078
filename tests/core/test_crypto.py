"""SM3 through OpenSSL: the standard vectors, gmssl agreeing, and the password hash."""

from __future__ import annotations

from gmssl import sm3 as gm_sm3

from core.crypto import hash_password, hmac_sm3, password_needs_rehash, sm3, sm3_hex, verify_password


def test_sm3_standard_vectors():
    # GB/T 32905-2016, examples 1 and 2.
    assert sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex("abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm3_agrees_with_gmssl():
    for data in (b"", b"\x00" * 63, "上海市大数据中心".encode(), bytes(range(256)) * 5):
        assert sm3(data).hex() == gm_sm3.sm3_hash(list(data))


def test_hmac_sm3_is_keyed():
    assert hmac_sm3(b"k1", b"m") != hmac_sm3(b"k2", b"m")
    assert len(hmac_sm3(b"k", b"m")) == 32


def test_password_hash_round_trip_and_salt():
    a, b = hash_password("Pudong#2026x", 1000), hash_password("Pudong#2026x", 1000)
    assert a != b and a.startswith("pbkdf2_sm3$1000$")
    assert verify_password("Pudong#2026x", a)
    assert not verify_password("pudong#2026x", a)
    assert not verify_password("x", "garbage")
    assert password_needs_rehash(a, 200_000) and not password_needs_rehash(a, 1000)
