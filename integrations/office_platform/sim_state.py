"""The simulator's state: registered clients, users, issued codes and tokens, signing keys, armed failures.

Kept apart from the HTTP endpoints (simulator.py) so tests and the demo can build and inspect it directly.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

SCOPES = ("openid", "profile", "email", "phone", "org")
ENDPOINTS = ("discovery", "authorize", "token", "jwks", "userinfo")
FORGE_MODES = (
    "tampered", "foreign_key", "same_kid_other_key", "wrong_audience", "wrong_issuer", "wrong_nonce", "expired", "alg_none",
)  # fmt: skip
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.1
CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")  # base64url(SHA-256), unpadded
CLAIMS = (
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "name", "preferred_username", "email",
    "email_verified", "phone_number", "phone_number_verified", "org_code", "org_name", "groups",
)  # fmt: skip
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class SimClient:
    """A registered relying party: redirect URIs are matched exactly, as OIDC requires."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True)
class SimUser:
    """A platform account with its organisation; `sub` stays the same when the user is replaced."""

    username: str
    password: str
    name: str
    sub: str
    email: str | None = None
    phone: str | None = None
    org_code: str | None = None
    org_name: str | None = None
    groups: tuple[str, ...] = ()

    def claims(self, scopes: Iterable[str], *, org: bool = True) -> dict[str, Any]:
        """The user's claims as the requested scopes release them (OIDC Core §5.4, plus the platform's `org`)."""
        scopes = set(scopes)
        out: dict[str, Any] = {"sub": self.sub}
        if "profile" in scopes:
            out |= {"name": self.name, "preferred_username": self.username}
        if "email" in scopes and self.email:
            out |= {"email": self.email, "email_verified": True}
        if "phone" in scopes and self.phone:
            out |= {"phone_number": self.phone, "phone_number_verified": True}
        if "org" in scopes and org:
            out |= {"org_code": self.org_code, "org_name": self.org_name, "groups": list(self.groups)}
        return out


def stable_sub(issuer: str, username: str) -> str:
    """A pairwise-looking but deterministic subject: the same user keeps the same `sub` across restarts."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer}#user:{username}"))


def make_user(issuer: str, username: str, password: str, name: str, **extra: Any) -> SimUser:
    groups = tuple(str(g) for g in extra.pop("groups", ()) or ())
    return SimUser(username=username, password=password, name=name, sub=stable_sub(issuer, username), groups=groups, **extra)


@dataclass
class IssuedCode:
    code: str
    client_id: str
    redirect_uri: str
    username: str
    scopes: tuple[str, ...]
    nonce: str | None
    code_challenge: str
    issued_at: float
    auth_time: int
    redeemed: bool = False
    access_tokens: list[str] = field(default_factory=list)


@dataclass
class IssuedToken:
    token: str
    username: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float
    revoked: bool = False


@dataclass
class FailRule:
    """The next `remaining` requests to an endpoint answer `status` ("error") or stall `seconds` first ("hang")."""

    mode: str
    remaining: int
    status: int = 500
    seconds: float = 0.0


def new_signing_key() -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = RSAKey.import_key(private, parameters={"use": "sig", "alg": "RS256"})
    key.ensure_kid()  # RFC 7638 thumbprint: a new key always has a new kid
    return key


@dataclass
class SimulatorState:
    """Everything the simulator knows; tests reach it as `app.state.sim`."""

    issuer: str
    clients: dict[str, SimClient] = field(default_factory=dict)
    users: dict[str, SimUser] = field(default_factory=dict)
    key: RSAKey = field(default_factory=new_signing_key)
    retired_kids: list[str] = field(default_factory=list)
    codes: dict[str, IssuedCode] = field(default_factory=dict)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    failures: dict[str, FailRule] = field(default_factory=dict)
    forge: tuple[str, int] | None = None  # (mode, remaining) for the next ID tokens
    requests: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    code_ttl: float = 60.0
    access_token_ttl: float = 3600.0
    id_token_ttl: float = 600.0
    clock_skew: float = 0.0  # seconds added to the simulator's clock
    id_token_org_claims: bool = True  # False: org claims only at /userinfo, as some platform versions do

    def now(self) -> float:
        return time.time() + self.clock_skew

    def add_user(self, user: SimUser) -> None:
        self.users[user.username] = user

    def snapshot(self) -> dict[str, Any]:
        now = self.now()
        active = sum(1 for t in self.tokens.values() if not t.revoked and t.expires_at > now)
        return {
            "codes_issued": self.counts["codes_issued"],
            "codes_redeemed": self.counts["codes_redeemed"],
            "code_replays": self.counts["code_replays"],
            "tokens_issued": self.counts["tokens_issued"],
            "tokens_revoked": self.counts["tokens_revoked"],
            "tokens_active": active,
            "users": sorted(self.users),
            "kid": self.key.kid,
            "retired_kids": list(self.retired_kids),
            "requests": dict(self.requests),
            "failures": {k: vars(v) for k, v in self.failures.items()},
            "forge": {"mode": self.forge[0], "remaining": self.forge[1]} if self.forge else None,
            "config": self.config(),
        }

    def config(self) -> dict[str, Any]:
        return {
            "code_ttl": self.code_ttl, "access_token_ttl": self.access_token_ttl, "id_token_ttl": self.id_token_ttl,
            "clock_skew": self.clock_skew, "id_token_org_claims": self.id_token_org_claims,
        }  # fmt: skip
