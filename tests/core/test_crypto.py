"""core/crypto: the GB/T vectors for SM3 and SM4, gmssl cross-checks for SM2/SM3/SM4, sealing, key formats."""

from __future__ import annotations

import pytest
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3
from gmssl import sm4 as gm_sm4

from core.crypto import hash_password, hmac_sm3, password_needs_rehash, sm2, sm3, sm3_hex, sm4, verify_password


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


# --- SM4 ----------------------------------------------------------------------------------------

SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm4_standard_vectors():
    # GB/T 32907-2016, appendix A: one block, and the same block encrypted 1,000,000 times.
    assert sm4.encrypt_block(SM4_KEY, SM4_KEY).hex() == "681edf34d206965e86b3e94f536e4246"
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).encryptor()
    block = SM4_KEY
    for _ in range(1_000_000):
        block = encryptor.update(block)
    assert block.hex() == "595298c7c6fd271f0402f804c33d3f66"


def test_sm4_cbc_agrees_with_gmssl():
    iv = bytes(range(16))
    plaintext = "上海市电子政务外网".encode() * 7
    ours = sm4.cbc_encrypt(SM4_KEY, iv, plaintext)
    theirs = gm_sm4.CryptSM4()
    theirs.set_key(SM4_KEY, gm_sm4.SM4_ENCRYPT)
    assert ours == bytes(theirs.crypt_cbc(iv, plaintext))
    assert sm4.cbc_decrypt(SM4_KEY, iv, ours) == plaintext


def test_sealed_values_carry_their_key_id_and_refuse_tampering():
    keys = {3: bytes(range(16)), 4: bytes(range(16, 32))}
    sealed = sm4.seal(4, keys[4], b"13912345678", aad=b"user_account.phone:42")
    assert sm4.key_id_of(sealed) == 4
    assert sm4.open_sealed(keys.get, sealed, aad=b"user_account.phone:42") == b"13912345678"
    assert b"13912345678" not in sealed
    assert sm4.seal(4, keys[4], b"13912345678") != sm4.seal(4, keys[4], b"13912345678")  # fresh nonce each time
    with pytest.raises(sm4.DecryptionError):
        sm4.open_sealed(keys.get, sealed, aad=b"user_account.phone:43")  # moved to another row
    flipped = bytearray(sealed)
    flipped[-20] ^= 1
    with pytest.raises(sm4.DecryptionError):
        sm4.open_sealed(keys.get, bytes(flipped), aad=b"user_account.phone:42")
    relabelled = bytearray(sealed)
    relabelled[2] = 3  # claims key 3: the header is authenticated, so this fails too
    with pytest.raises(sm4.DecryptionError):
        sm4.open_sealed(keys.get, bytes(relabelled), aad=b"user_account.phone:42")
    with pytest.raises(sm4.DecryptionError, match="unknown SM4 key id 4"):
        sm4.open_sealed({3: keys[3]}.get, sealed)


# --- SM2 ----------------------------------------------------------------------------------------


def gmssl_for(key: sm2.Sm2Key) -> gm_sm2.CryptSM2:
    """gmssl wants hex without the 04 prefix, and mode 1 for C1C3C2 ciphertexts."""
    return gm_sm2.CryptSM2(private_key=key.private.hex() if key.private else None, public_key=key.public[1:].hex(), mode=1)


def test_sm2_sign_and_verify_with_the_user_id():
    key = sm2.generate()
    signature = sm2.sign(key, b"work order GD20261128000001")
    assert len(signature) == 64
    assert sm2.verify(key, b"work order GD20261128000001", signature)
    assert not sm2.verify(key, b"work order GD20261128000002", signature)
    assert not sm2.verify(key, b"work order GD20261128000001", signature, uid=b"ALICE123@YAHOO.COM")
    assert sm2.sign(key, b"x") != sm2.sign(key, b"x")  # a fresh nonce every time


def test_sm2_signatures_cross_check_with_gmssl_both_ways():
    key = sm2.generate()
    message = "运管平台 release manifest".encode()
    assert gmssl_for(key).verify_with_sm3(sm2.sign(key, message).hex(), message)
    theirs = bytes.fromhex(gmssl_for(key).sign_with_sm3(message))
    assert sm2.verify(sm2.Sm2Key(public=key.public), message, theirs)


def test_sm2_encryption_cross_checks_with_gmssl_and_checks_c3():
    key = sm2.generate()
    plaintext = b"SM4 data key 0123456789abcdef"
    ours = sm2.encrypt(sm2.Sm2Key(public=key.public), plaintext)
    assert ours[0] == 0x04 and len(ours) == 65 + 32 + len(plaintext)
    assert bytes(gmssl_for(key).decrypt(ours[1:])) == plaintext  # gmssl's C1 has no 04 prefix
    theirs = b"\x04" + bytes(gmssl_for(key).encrypt(plaintext))
    assert sm2.decrypt(key, theirs) == plaintext
    altered = bytearray(ours)
    altered[-1] ^= 1
    with pytest.raises(sm2.Sm2Error):
        sm2.decrypt(key, bytes(altered))


def test_sm2_keys_round_trip_through_hex_and_pem():
    key = sm2.generate()
    assert sm2.from_hex(private_hex=key.private_hex()) == key
    assert sm2.from_hex(public_hex=key.public_hex()) == sm2.Sm2Key(public=key.public)
    assert sm2.from_hex(public_hex=key.public[1:].hex()) == sm2.Sm2Key(public=key.public)  # bare x || y
    assert sm2.from_pem(sm2.private_pem(key)) == key
    assert sm2.from_pem(sm2.public_pem(key)) == sm2.Sm2Key(public=key.public)
    assert sm2.public_pem(key).startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(sm2.Sm2Error):
        sm2.from_hex(public_hex="04" + "00" * 64)
    with pytest.raises(sm2.Sm2Error, match="does not match"):
        sm2.from_hex(public_hex=sm2.generate().public_hex(), private_hex=key.private_hex())


def test_sm2_pem_is_what_openssl_reads(tmp_path):
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("no openssl command on this machine")
    key = sm2.generate()
    (tmp_path / "k.pem").write_text(sm2.private_pem(key))
    out = subprocess.run(
        ["openssl", "pkey", "-in", str(tmp_path / "k.pem"), "-pubout"], capture_output=True, text=True, check=True
    )
    assert sm2.from_pem(out.stdout) == sm2.Sm2Key(public=key.public)


def test_the_provider_is_the_only_door():
    from core.crypto import SoftwareProvider, provider

    p = provider()
    assert isinstance(p, SoftwareProvider)
    key = sm2.generate()
    assert p.sm2_verify(key, b"m", p.sm2_sign(key, b"m"))
    assert p.sm4_open({1: SM4_KEY}.get, p.sm4_seal(1, SM4_KEY, b"secret")) == b"secret"
