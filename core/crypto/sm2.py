"""SM2 (GB/T 32918) through gmalglib, a C implementation that draws its nonces from the OS.

Keys: private 32 bytes; public 65 bytes `04 || x || y` (compressed 33-byte and bare 64-byte forms are
accepted on import). Signatures are `r || s` (64 bytes) over SM3(Z || M), Z from the signer's user id.
Ciphertexts are `C1 || C3 || C2` (GM/T 0009-2012), C1 uncompressed with its 04 prefix; decryption
checks C3, so an altered ciphertext is refused. PEM is PKCS#8 / SubjectPublicKeyInfo with the
sm2p256v1 curve (OID 1.2.156.10197.1.301), as OpenSSL and the GM toolkits write it.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import keys, pem
from gmalglib.sm2 import SM2, SM2_DEFAULT_UID, SM2_PCMODE_RAW

DEFAULT_UID = SM2_DEFAULT_UID  # b"1234567812345678"
_CURVE = "sm2p256v1"
keys.NamedCurve.register(_CURVE, "1.2.156.10197.1.301", 32)


class Sm2Error(ValueError):
    """A key, signature or ciphertext that is malformed or does not belong."""


@dataclass(frozen=True, slots=True)
class Sm2Key:
    """A public key, and the private key when we hold it."""

    public: bytes
    private: bytes | None = None

    def public_hex(self) -> str:
        return self.public.hex()

    def private_hex(self) -> str:
        if self.private is None:
            raise Sm2Error("no private key")
        return self.private.hex()


def generate() -> Sm2Key:
    private, public = SM2().generate_keypair()
    return Sm2Key(public=public, private=private)


def _normalise_public(public: bytes) -> bytes:
    if len(public) == 64:
        public = b"\x04" + public
    if not SM2.is_pk_valid(public):
        raise Sm2Error("not an SM2 public key on the curve")
    return SM2.convert_pk(public, SM2_PCMODE_RAW)


def from_hex(public_hex: str | None = None, private_hex: str | None = None) -> Sm2Key:
    try:
        private = bytes.fromhex(private_hex) if private_hex else None
        public = bytes.fromhex(public_hex) if public_hex else None
    except ValueError as exc:
        raise Sm2Error("not hexadecimal") from exc
    if private is not None:
        if not SM2.is_sk_valid(private):
            raise Sm2Error("not an SM2 private key")
        derived = SM2.get_pk(private, SM2_PCMODE_RAW)
        if public is not None and _normalise_public(public) != derived:
            raise Sm2Error("public key does not match the private key")
        return Sm2Key(public=derived, private=private)
    if public is None:
        raise Sm2Error("no key given")
    return Sm2Key(public=_normalise_public(public))


def sign(key: Sm2Key, message: bytes, uid: bytes = DEFAULT_UID) -> bytes:
    if key.private is None:
        raise Sm2Error("signing needs the private key")
    return SM2(key.private, uid=uid).sign(message)


def verify(key: Sm2Key, message: bytes, signature: bytes, uid: bytes = DEFAULT_UID) -> bool:
    if len(signature) != 64:
        return False
    return bool(SM2(pk=key.public, uid=uid).verify(message, signature))


def encrypt(key: Sm2Key, plaintext: bytes) -> bytes:
    if not plaintext:
        raise Sm2Error("nothing to encrypt")
    return SM2(pk=key.public).encrypt(plaintext)


def decrypt(key: Sm2Key, ciphertext: bytes) -> bytes:
    if key.private is None:
        raise Sm2Error("decryption needs the private key")
    try:
        return SM2(key.private).decrypt(ciphertext)
    except Exception as exc:  # gmalglib raises ValueError or its own errors on a bad C1 or C3
        raise Sm2Error("SM2 decryption failed (altered or not for this key)") from exc


# --- PEM ----------------------------------------------------------------------------------------


def _algorithm(kind: type = keys.PublicKeyAlgorithm) -> keys.PublicKeyAlgorithm:
    return kind({"algorithm": "ec", "parameters": keys.ECDomainParameters(name="named", value=_CURVE)})


def public_pem(key: Sm2Key) -> str:
    info = keys.PublicKeyInfo({"algorithm": _algorithm(), "public_key": key.public})
    return pem.armor("PUBLIC KEY", info.dump()).decode()


def private_pem(key: Sm2Key) -> str:
    if key.private is None:
        raise Sm2Error("no private key")
    ec_key = keys.ECPrivateKey(
        {"version": "ecPrivkeyVer1", "private_key": int.from_bytes(key.private, "big"), "public_key": key.public}
    )
    info = keys.PrivateKeyInfo(
        {"version": 0, "private_key_algorithm": _algorithm(keys.PrivateKeyAlgorithm), "private_key": ec_key}
    )
    return pem.armor("PRIVATE KEY", info.dump()).decode()


def from_pem(text: str | bytes) -> Sm2Key:
    data = text.encode() if isinstance(text, str) else text
    try:
        kind, _headers, der = pem.unarmor(data)
        if kind == "PUBLIC KEY":
            info = keys.PublicKeyInfo.load(der)
            _require_sm2(info["algorithm"])
            return Sm2Key(public=_normalise_public(info["public_key"].native))
        if kind == "PRIVATE KEY":
            pinfo = keys.PrivateKeyInfo.load(der)
            _require_sm2(pinfo["private_key_algorithm"])
            private = pinfo["private_key"].parsed["private_key"].native.to_bytes(32, "big")
            return from_hex(private_hex=private.hex())
    except (ValueError, KeyError, TypeError) as exc:
        raise Sm2Error(f"not an SM2 key in PEM: {exc}") from exc
    raise Sm2Error(f"unsupported PEM block {kind!r}")


def _require_sm2(algorithm: keys.PublicKeyAlgorithm) -> None:
    params = algorithm["parameters"]
    if algorithm["algorithm"].native != "ec" or params.name != "named" or params.chosen.native != _CURVE:
        raise Sm2Error("the key is not on the SM2 curve")
