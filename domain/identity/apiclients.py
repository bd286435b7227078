"""API clients: third-party platforms calling persisted operations with HMAC-SM3 signed requests.

A request carries four headers:

    X-Api-Key:        the client's key id
    X-Api-Timestamp:  Unix seconds; refused beyond 5 minutes of our clock either way
    X-Api-Nonce:      16-64 characters [A-Za-z0-9_-], never reused by this client
    X-Api-Signature:  hex HMAC-SM3(secret, METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n hex SM3(body))

Checks run in that order, each with its own error code, and nothing executes until all pass: an
unknown key, a disabled client, a stale timestamp, a signature that does not match (a body changed
after signing), a replayed nonce. The client then acts as its service account and may run only the
persisted operations on its allow-list (see core.persisted).
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.audit import AuditOutcome
from core.clock import utcnow
from core.crypto import hmac_sm3, sm3_hex
from core.db.uow import UnitOfWork
from core.persisted import PersistedDocuments
from domain.identity import principals
from domain.identity import repository as repo
from domain.identity.actor import Actor
from domain.identity.auth import _permissions, check_scope
from domain.identity.enums import ApiClientStatus, OrgUnitStatus, UserStatus
from domain.identity.errors import IdentityErrorCode, not_found
from domain.identity.journal import record_change
from domain.identity.models import ApiClient, ApiNonce, User
from domain.identity.validation import Checker
from domain.integration.platforms import PLATFORMS

SKEW = timedelta(minutes=5)
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HEADERS = ("x-api-key", "x-api-timestamp", "x-api-nonce", "x-api-signature")


class ApiAuthError(Exception):
    """A signed request refused before anything ran; `code` is what the caller branches on."""

    def __init__(self, code: str, message: str, client_id: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join((method.upper(), path, timestamp, nonce, sm3_hex(body))).encode()


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """What a client computes (the tests and the integration guide use this very function)."""
    return hmac_sm3(secret.encode(), string_to_sign(method, path, timestamp, nonce, body)).hex()


@dataclass(frozen=True, slots=True)
class SignedCaller:
    client_id: int
    key_id: str
    name: str
    operations: frozenset[str]
    actor: Actor
    platforms: frozenset[str] = frozenset()  # the platforms it speaks for: only their dispatches are its to settle


async def authenticate_signed(
    session_factory: Any, headers: dict[str, str], method: str, path: str, body: bytes, client_ip: str | None
) -> SignedCaller:
    """Verify a signed request and burn its nonce; raises ApiAuthError with a distinct code per failure."""
    key_id, timestamp, nonce, signature = (headers.get(h, "").strip() for h in HEADERS)
    if not (key_id and timestamp and nonce and signature):
        raise ApiAuthError("SIGNATURE_REQUIRED", "签名请求需要 X-Api-Key、X-Api-Timestamp、X-Api-Nonce、X-Api-Signature / "
                           "A signed request needs the X-Api-Key, X-Api-Timestamp, X-Api-Nonce and X-Api-Signature headers")  # fmt: skip
    async with session_factory() as session:
        principal = await principals.client_principal(session, key_id)
        if principal is None:
            raise ApiAuthError("API_KEY_UNKNOWN", "接口密钥不存在 / Unknown API key")
        check_scope(principal)
        if principal.client_status is not ApiClientStatus.ACTIVE:
            raise ApiAuthError("API_CLIENT_DISABLED", "接口客户端已停用 / This API client is disabled", principal.client_id)
        if principal.user_status is not UserStatus.ACTIVE or principal.unit_status is not OrgUnitStatus.ACTIVE:
            raise ApiAuthError(
                "API_CLIENT_DISABLED", "接口客户端的服务账号或其单位已停用 / The client's service account or its unit is disabled",
                principal.client_id,
            )  # fmt: skip
        now = utcnow()
        try:
            sent = datetime.fromtimestamp(int(timestamp), tz=now.tzinfo)
        except (ValueError, OverflowError, OSError):
            sent = None
        if sent is None or abs(now - sent) > SKEW:
            raise ApiAuthError(
                "TIMESTAMP_SKEW", "请求时间戳超出 5 分钟窗口（请校准时钟） / Timestamp outside the 5-minute window (check the clock)",
                principal.client_id,
            )  # fmt: skip
        expected = sign(principal.secret, method, path, timestamp, nonce, body)
        if not hmac.compare_digest(expected, signature.lower()):
            raise ApiAuthError(
                "SIGNATURE_INVALID", "签名不匹配（请求体或参数在签名后被改动，或密钥不对） / "
                "Signature mismatch: the body or a signed field changed after signing, or the secret is wrong",
                principal.client_id,
            )  # fmt: skip
        if not NONCE.match(nonce):
            raise ApiAuthError("NONCE_INVALID", "随机数须为 16-64 位字母数字 / The nonce must be 16-64 of A-Z a-z 0-9 _ -",
                               principal.client_id)  # fmt: skip
        permissions = await _permissions(session, principal.user_id, principal.username, principal.bindings)
    async with UnitOfWork(session_factory) as uow:  # the nonce is burnt in a transaction of its own
        uow.session.add(ApiNonce(client_id=principal.client_id, nonce=nonce, seen_at=now))
        await uow.session.execute(
            ApiClient.__table__.update().where(ApiClient.id == principal.client_id).values(last_used_at=now)
        )
        try:
            await uow.session.flush()
        except IntegrityError:
            raise ApiAuthError("NONCE_REPLAYED", "随机数已使用过（重放请求） / Nonce already used: replayed request",
                               principal.client_id) from None  # fmt: skip
    actor = Actor(
        user_id=principal.user_id, username=principal.username, display_name=principal.display_name,
        org_unit_id=principal.org_unit_id, unit_kind=principal.unit_kind, unit_path=principal.unit_path,
        permissions=permissions, client_ip=client_ip,
    )  # fmt: skip
    return SignedCaller(principal.client_id, principal.key_id, principal.name, frozenset(principal.operations), actor,
                        frozenset(principal.platforms or ()))  # fmt: skip


async def purge_nonces(uow: UnitOfWork, now: datetime) -> int:
    """Nonces older than twice the window can never match a fresh timestamp again."""
    result = await uow.session.execute(delete(ApiNonce).where(ApiNonce.seen_at < now - 2 * SKEW))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- management (the security administrator) ------------------------------------------------------


@dataclass
class ApiClientData:
    name: Any = None
    user_id: Any = None
    operations: Any = None
    platforms: Any = None


def _record(uow: UnitOfWork, actor: Actor, operation: str, client: ApiClient, **detail: Any) -> None:
    record_change(uow, actor, operation, "ApiClient", client.id, keyId=client.key_id, **detail)


def _check_operations(c: Checker, names: list[str] | None, documents: PersistedDocuments) -> list[str]:
    names = sorted(set(names or []))
    for name in names:
        if name not in documents.by_name:
            c.add("operations", f"持久化操作 {name} 不存在 / No persisted operation named {name}",
                  IdentityErrorCode.UNKNOWN_OPERATION)  # fmt: skip
    return names


def _check_platforms(c: Checker, names: list[str] | None) -> list[str]:
    names = sorted(set(names or []))
    for name in names:
        if name not in PLATFORMS:
            c.add("platforms", f"平台 {name} 不存在（可选：{'、'.join(PLATFORMS)}） / No platform named {name}",
                  IdentityErrorCode.INVALID_INPUT)  # fmt: skip
    return names


async def _service_user(uow: UnitOfWork, c: Checker, user_id: int) -> User | None:
    user = await repo.get_user(uow.session, user_id)
    if user is None:
        c.add("userId", "服务账号不存在 / No such user", IdentityErrorCode.NOT_FOUND)
    elif user.status is not UserStatus.ACTIVE:
        c.add("userId", "服务账号已停用 / The service account is disabled", IdentityErrorCode.ACCOUNT_DISABLED)
    return user


async def create_client(
    uow: UnitOfWork, actor: Actor, data: ApiClientData, documents: PersistedDocuments
) -> tuple[ApiClient, str]:
    """Register a client; returns it with its secret, which is shown this once and stored sealed."""
    c = Checker()
    name = c.text("name", data.name, "名称 / Name", 2, 64)
    operations = _check_operations(c, data.operations, documents)
    platforms = _check_platforms(c, data.platforms)
    await _service_user(uow, c, data.user_id)
    c.raise_if_any()
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        key_id="ak_" + secrets.token_hex(12), name=name, user_id=data.user_id, secret=secret, operations=operations,
        platforms=platforms, status=ApiClientStatus.ACTIVE, created_at=now, updated_at=now,
    )  # fmt: skip
    uow.session.add(client)
    await uow.session.flush()
    _record(uow, actor, "identity.api_client_create", client, name=name, userId=data.user_id, operations=operations,
            platforms=platforms)  # fmt: skip
    return client, secret


async def _client(uow: UnitOfWork, client_id: int) -> ApiClient:
    client = await uow.session.get(ApiClient, client_id, with_for_update=True)
    if client is None:
        raise not_found("接口客户端 / API client")
    return client


async def update_client(
    uow: UnitOfWork, actor: Actor, client_id: int, data: ApiClientData, documents: PersistedDocuments
) -> ApiClient:
    client = await _client(uow, client_id)
    c = Checker()
    before = {"name": client.name, "operations": list(client.operations), "platforms": list(client.platforms or [])}
    if data.name is not None:
        client.name = c.text("name", data.name, "名称 / Name", 2, 64)
    if data.operations is not None:
        client.operations = _check_operations(c, data.operations, documents)
    if data.platforms is not None:
        client.platforms = _check_platforms(c, data.platforms)
    c.raise_if_any()
    client.updated_at = utcnow()
    _record(uow, actor, "identity.api_client_update", client, before=before,
            after={"name": client.name, "operations": list(client.operations), "platforms": list(client.platforms)})  # fmt: skip
    return client


async def set_client_status(uow: UnitOfWork, actor: Actor, client_id: int, status: ApiClientStatus) -> ApiClient:
    client = await _client(uow, client_id)
    if client.status is not status:
        before, client.status, client.updated_at = client.status, status, utcnow()
        _record(uow, actor, "identity.api_client_status", client, before=before.value, after=status.value)
    return client


async def rotate_secret(uow: UnitOfWork, actor: Actor, client_id: int) -> tuple[ApiClient, str]:
    """A new secret at once; the old one stops working with this commit."""
    client = await _client(uow, client_id)
    secret = secrets.token_urlsafe(32)
    client.secret, client.updated_at = secret, utcnow()
    _record(uow, actor, "identity.api_client_rotate_secret", client)
    return client, secret


async def list_clients(session: Any, first: int, after_id: int | None) -> list[Any]:
    """A page of clients as rows (the read path is Core); the sealed secret is not selected."""
    t = ApiClient.__table__
    stmt = select(*[c for c in t.c if c.name != "secret"]).order_by(t.c.id).limit(first + 1)
    if after_id is not None:
        stmt = stmt.where(t.c.id > after_id)
    return list(await session.execute(stmt))


def record_refusal(uow: UnitOfWork, refusal: ApiAuthError, key_id: str, client_ip: str | None, operation: str | None) -> None:
    """The interface log keeps refused calls too: a burst of bad signatures is what an attack looks like."""
    audit.record(
        uow.session, operation="api.call", outcome=AuditOutcome.DENIED, target_type="ApiClient", target_id=refusal.client_id,
        client_ip=client_ip, detail={"keyId": key_id[:40], "code": refusal.code, "operation": operation},
    )  # fmt: skip
