"""Identity authentication hardening: SM2-encrypted passwords, second factor, password history and expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pyotp
from sqlalchemy import update

from core.clock import utcnow
from core.crypto import sm2
from domain.identity.models import User
from tests.conftest import DEMO_PASSWORD

LOGIN = "mutation($i: LoginInput!) { login(input: $i) { token user { username } errors { code field message } } }"
CHALLENGE = "mutation { loginChallenge { publicKey publicKeyPem nonce expiresAt } }"


async def login(gql: Any, **fields: Any) -> dict[str, Any]:
    return (await gql(LOGIN, {"i": fields}))["data"]["login"]


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_a_password_encrypted_to_the_challenge_key_logs_in_once(demo, gql):
    issued = (await gql(CHALLENGE))["data"]["loginChallenge"]
    key = sm2.from_hex(issued["publicKey"])
    assert sm2.from_pem(issued["publicKeyPem"]).public == key.public
    envelope = sm2.encrypt(key, orjson.dumps({"nonce": issued["nonce"], "password": DEMO_PASSWORD})).hex()
    ok = await login(gql, username="operator", encryptedPassword=envelope, nonce=issued["nonce"])
    assert ok["errors"] == [] and ok["token"]
    replay = await login(gql, username="operator", encryptedPassword=envelope, nonce=issued["nonce"])
    assert replay["token"] is None and codes(replay) == ["LOGIN_CHALLENGE_INVALID"]

    other = (await gql(CHALLENGE))["data"]["loginChallenge"]  # a ciphertext made for another nonce
    moved = await login(gql, username="operator", encryptedPassword=envelope, nonce=other["nonce"])
    assert codes(moved) == ["LOGIN_CHALLENGE_INVALID"]
    both = await login(gql, username="operator", password=DEMO_PASSWORD, encryptedPassword=envelope, nonce=other["nonce"])
    assert codes(both) == ["INVALID_INPUT"]


async def test_an_envelope_from_another_sm2_implementation_opens(demo, gql):
    """Browsers use JavaScript SM2 libraries that write C1C3C2 without the 04 prefix; gmssl does the same."""
    from gmssl import sm2 as gm

    issued = (await gql(CHALLENGE))["data"]["loginChallenge"]
    crypt = gm.CryptSM2(public_key=issued["publicKey"][2:], private_key=None, mode=1)
    envelope = crypt.encrypt(orjson.dumps({"nonce": issued["nonce"], "password": DEMO_PASSWORD})).hex()
    ok = await login(gql, username="operator", encryptedPassword=envelope, nonce=issued["nonce"])
    assert ok["errors"] == [] and ok["user"]["username"] == "operator"


async def test_an_administrator_second_factor_is_needed_once_enrolled(demo, gql):
    enrolled = await gql("mutation { viewerTotpEnroll { secret uri errors { code } } }", as_user="secadmin")
    secret = enrolled["data"]["viewerTotpEnroll"]["secret"]
    assert enrolled["data"]["viewerTotpEnroll"]["uri"].startswith("otpauth://totp/GovOps:secadmin")
    wrong = await gql("mutation($i: TotpConfirmInput!) { viewerTotpConfirm(input: $i) { errors { code } } }",
                      {"i": {"code": "000000"}}, as_user="secadmin")  # fmt: skip
    assert wrong["data"]["viewerTotpConfirm"]["errors"] == [{"code": "TOTP_INVALID"}]
    totp = pyotp.TOTP(secret)
    confirmed = await gql("mutation($i: TotpConfirmInput!) { viewerTotpConfirm(input: $i) { errors { code } } }",
                          {"i": {"code": totp.now()}}, as_user="secadmin")  # fmt: skip
    assert confirmed["data"]["viewerTotpConfirm"]["errors"] == []

    missing = await login(gql, username="secadmin", password=DEMO_PASSWORD)
    assert missing["token"] is None and codes(missing) == ["TOTP_REQUIRED"]
    bad = await login(gql, username="secadmin", password=DEMO_PASSWORD, totpCode="123456" if totp.now() != "123456" else "654321")
    assert codes(bad) == ["TOTP_INVALID"]
    # The confirming code's time step is used up: the next login needs the code of a later step (or the next one).
    later = totp.at(utcnow() + timedelta(seconds=30))
    ok = await login(gql, username="secadmin", password=DEMO_PASSWORD, totpCode=later)
    assert ok["errors"] == [] and ok["token"]
    replay = await login(gql, username="secadmin", password=DEMO_PASSWORD, totpCode=later)
    assert codes(replay) == ["TOTP_INVALID"]  # a code works once

    plain = await gql("mutation { viewerTotpEnroll { secret errors { code } } }", as_user="pd_user")
    assert plain["data"]["viewerTotpEnroll"]["secret"] is None  # only administrators use a second factor


async def test_an_expired_password_is_replaced_and_old_ones_are_not_reused(demo, gql):
    async with demo.session_factory() as s, s.begin():
        await s.execute(update(User).where(User.username == "pd_user").values(password_changed_at=utcnow() - timedelta(days=91)))
    expired = await login(gql, username="pd_user", password=DEMO_PASSWORD)
    assert expired["token"] is None and codes(expired) == ["PASSWORD_EXPIRED"]
    change = """mutation($i: ExpiredPasswordChangeInput!) { expiredPasswordChange(input: $i) {
      token user { username } errors { code field } } }"""
    same = await gql(change, {"i": {"username": "pd_user", "password": DEMO_PASSWORD, "newPassword": DEMO_PASSWORD}})
    assert [e["code"] for e in same["data"]["expiredPasswordChange"]["errors"]] == ["PASSWORD_REUSED"]
    wrong = await gql(change, {"i": {"username": "pd_user", "password": "Not@ThePassw0rd", "newPassword": "Fresh@Passw0rd26"}})
    assert [e["code"] for e in wrong["data"]["expiredPasswordChange"]["errors"]] == ["INVALID_CREDENTIALS"]
    done = await gql(change, {"i": {"username": "pd_user", "password": DEMO_PASSWORD, "newPassword": "Fresh@Passw0rd26"}})
    assert done["data"]["expiredPasswordChange"]["errors"] == [] and done["data"]["expiredPasswordChange"]["token"]
    token = done["data"]["expiredPasswordChange"]["token"]
    back = await gql(
        "mutation($i: PasswordChangeInput!) { viewerPasswordChange(input: $i) { errors { code } } }",
        {"i": {"oldPassword": "Fresh@Passw0rd26", "newPassword": DEMO_PASSWORD}}, token=token,
    )  # fmt: skip
    assert back["data"]["viewerPasswordChange"]["errors"] == [{"code": "PASSWORD_REUSED"}]
    other = await gql(
        "mutation($i: PasswordChangeInput!) { viewerPasswordChange(input: $i) { errors { code } } }",
        {"i": {"oldPassword": "Fresh@Passw0rd26", "newPassword": "Another@Passw0rd27"}}, token=token,
    )  # fmt: skip
    assert other["data"]["viewerPasswordChange"]["errors"] == []
