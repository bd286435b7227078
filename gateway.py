"""The front door of /graphql, before anything executes: signed requests of API clients, rate limits,
persisted documents and automatic persisted queries. A refusal is a `Reply` in the GraphQL error shape.

Kept apart from server.py (which wires the app) so the request checks read in one place.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from core import audit
from core.audit import AuditOutcome
from core.clock import utcnow
from core.persisted import document_id
from core.ratelimit import Rule, rate_limited_error
from domain.identity import apiclients, auth
from domain.integration import repository as interface_log
from domain.integration.ports import CallDirection, CallOutcome, CallRecord, clip, redact
from domain.workorders import dispatching

if TYPE_CHECKING:
    from schema.context import Context
    from server import AppServices


log = logging.getLogger("govops.server")


class Reply(Exception):
    """A request answered before execution, in the GraphQL error shape (`extensions.code`)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        extensions: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.extensions, self.headers = extensions or {}, headers

    def response(self) -> Response:
        body = {"errors": [{"message": self.message, "extensions": {"code": self.code, **self.extensions}}]}
        return Response(orjson.dumps(body), status_code=self.status, media_type="application/json", headers=self.headers)


# --- rate limits ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _rule(name: str, per_minute: int) -> Rule:
    return Rule(name, per_minute)


async def limit(services: AppServices, rule_name: str, key: str, per_minute: int) -> None:
    """Per-user, per-client and per-address limits (shared through Redis across replicas); 429 with a retry time."""
    limiter = services.limiter
    if limiter is None or per_minute <= 0:
        return
    decision = await limiter.hit(_rule(rule_name, per_minute), key, remaining=False)  # one round trip when allowed
    if not decision.allowed:
        body = rate_limited_error(decision)
        retry = int(body["extensions"]["retryAfter"])  # type: ignore[index]
        raise Reply(
            429, "RATE_LIMITED", str(body["message"]), extensions={"retryAfter": retry}, headers={"retry-after": str(retry)}
        )


# --- signed requests of API clients ----------------------------------------------------------------


async def authenticate_signed(services: AppServices, request: Request, client_ip: str | None) -> apiclients.SignedCaller:
    body = await request.body()
    try:
        return await apiclients.authenticate_signed(
            services.session_factory, dict(request.headers), request.method, request.url.path, body, client_ip
        )
    except apiclients.ApiAuthError as refusal:
        services.spawn_write(record_refusal(services, refusal, request.headers.get("x-api-key", ""), client_ip, None))
        raise Reply(401, refusal.code, refusal.message) from None
    except auth.IntegrityViolation as violation:
        services.spawn_write(record_violation(services, violation, client_ip))
        raise Reply(401, "UNAUTHENTICATED", "未登录或登录已过期 / Authentication required") from None


async def record_refusal(services: AppServices, refusal: Any, key_id: str, client_ip: str | None, operation: str | None) -> None:
    with contextlib.suppress(Exception):
        async with services.unit_of_work() as uow:
            apiclients.record_refusal(uow, refusal, key_id, client_ip, operation)


async def record_call(services: AppServices, ctx: Context, request: Request, operation: str | None, result: Any) -> None:
    """Every call of a third party: in the operation log (who, what, outcome) and in the interface log (what was sent
    and answered, redacted, with its latency; a platform's dispatch callback is filed under its work order)."""
    caller = ctx.api_caller
    failed = bool(result.errors)
    raw = await _raw_request(request)
    variables = raw.get("variables") if isinstance(raw.get("variables"), dict) else {}
    given = variables.get("input") if isinstance(variables.get("input"), dict) else {}
    key = given.get("idempotencyKey") if isinstance(given.get("idempotencyKey"), str) else None
    answer = {"data": result.data, "errors": [e.message for e in result.errors or []]}
    started = request.scope.get("govops.started_at") or utcnow()
    with contextlib.suppress(Exception):
        async with services.unit_of_work() as uow:
            audit.record(
                uow.session, operation="api.call", outcome=AuditOutcome.FAILURE if failed else AuditOutcome.SUCCESS,
                actor_id=caller.actor.user_id, actor_username=caller.actor.username, org_unit_id=caller.actor.org_unit_id,
                target_type="ApiClient", target_id=caller.client_id, client_ip=ctx.client_ip,
                detail={"keyId": caller.key_id, "operation": operation},
            )  # fmt: skip
            dispatch = await dispatching.by_key(uow, key) if key else None
            await interface_log.record_call(uow.session, CallRecord(
                platform=caller.name, operation=operation or "?", direction=CallDirection.INBOUND, method=request.method,
                url=request.url.path, idempotency_key=key, request=clip(redact(variables)), response=clip(redact(answer)),
                status_code=200, latency_ms=int((utcnow() - started).total_seconds() * 1000),
                outcome=CallOutcome.REJECTED if failed else CallOutcome.OK, error="; ".join(answer["errors"])[:500] or None,
                started_at=started, order_id=dispatch.order_id if dispatch and dispatch.platform in caller.platforms else None,
            ))  # fmt: skip


async def record_violation(services: AppServices, violation: Any, client_ip: str | None) -> None:
    async with services.unit_of_work() as uow:
        auth.record_violation(uow, violation, client_ip)


# --- persisted documents and automatic persisted queries -----------------------------------------


async def _raw_request(request: Request) -> dict[str, Any]:
    """The request's top-level JSON members (or query parameters) that strawberry does not keep."""
    if request.method == "GET":
        return dict(request.query_params)
    try:
        raw = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return {}
    return raw if isinstance(raw, dict) else {}


async def authenticate_bearer(services: AppServices, token: str, client_ip: str | None) -> Any:
    """The actor behind a bearer token, or None: from the auth cache when verified moments ago (authcache.py), else
    read and verified; an integrity violation refuses the request and tells the security administrator."""
    key, now = auth.token_hash(token), utcnow()
    actor = services.auth_cache.get(key, now, client_ip)
    if actor is not None:
        return actor
    try:
        async with services.read() as conn:
            actor, stale = await auth.authenticate(conn, token, client_ip=client_ip)
    except auth.IntegrityViolation as violation:  # fail closed
        log.error("integrity violation: %s", violation.detail)
        services.spawn_write(record_violation(services, violation, client_ip))
        return None
    if actor is not None:
        services.auth_cache.put(key, actor)
        if stale and actor.token_id is not None:
            services.spawn_write(_touch(services, actor.token_id))
    return actor


async def _touch(services: AppServices, token_id: int) -> None:
    with contextlib.suppress(Exception):
        async with services.unit_of_work() as uow:
            await auth.touch(uow, token_id)


def replay(body: bytes, receive: Any) -> Any:
    """An ASGI `receive` for a request whose body was already read: the body once, then the connection's own."""
    sent = False

    async def again() -> Any:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


def compiled_screen(screens: dict[str, Any], body: bytes) -> tuple[Any, Any] | None:
    """The compiled screen (schema/compiled.py) a request body asks for by its APQ hash, with its variables; None for
    anything else (no hash, another text or operation name, not JSON), which the executor then answers."""
    if b"persistedQuery" not in body:  # most requests: not parsed twice
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    extensions = data.get("extensions") if isinstance(data, dict) else None
    apq = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    sha = apq.get("sha256Hash") if isinstance(apq, dict) else None
    screen = screens.get(sha.lower()) if isinstance(sha, str) else None
    if screen is None or data.get("query") not in (None, screen.text) or data.get("operationName") not in (None, screen.name):
        return None
    return screen, data.get("variables")


async def resolve_document(services: AppServices, request: Request, ctx: Context | None, data: Any) -> Any:
    """Fill in the text of a persisted document or an automatic persisted query; API clients may run
    only allow-listed persisted documents. An ordinary request (a query, no hash) passes untouched."""
    extensions = data.extensions or {}
    apq = extensions.get("persistedQuery") if isinstance(extensions.get("persistedQuery"), dict) else None
    caller = ctx.api_caller if ctx is not None else None
    if caller is not None:
        return await _for_client(services, request, ctx, caller, data, apq)
    if apq is not None:
        sha = str(apq.get("sha256Hash") or "").lower()
        if data.query is None:
            doc = services.documents.get(sha)
            text = doc.text if doc is not None else await services.apq.get(sha)
            if text is None:  # Apollo's link then sends the text with the hash
                raise Reply(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return replace(data, query=text)
        if document_id(data.query) != sha:
            raise Reply(400, "PERSISTED_QUERY_HASH_MISMATCH", "provided sha does not match query")
        await services.apq.put(sha, data.query)
        return data
    if data.query is not None:
        return data  # the hot path: nothing to look up, the body is not parsed a second time
    raw = await _raw_request(request)
    raw_id = raw.get("documentId") or raw.get("id")
    if isinstance(raw_id, str):
        doc = services.documents.get(raw_id)
        if doc is None:
            raise Reply(400, "PERSISTED_DOCUMENT_NOT_FOUND", f"未知的操作编号 / Unknown operation id {raw_id[:80]}")
        return replace(data, query=doc.text, operation_name=doc.name)
    return data


async def _for_client(
    services: AppServices, request: Request, ctx: Any, caller: Any, data: Any, apq: dict[str, Any] | None
) -> Any:
    raw = await _raw_request(request)
    raw_id = raw.get("documentId") or raw.get("id") or (apq or {}).get("sha256Hash")
    doc = services.documents.get(str(raw_id)) if isinstance(raw_id, str) else None
    refusal = None
    if data.query is not None and (doc is None or data.query != doc.text):
        refusal = (
            "DOCUMENT_NOT_PERSISTED",
            "接口客户端只能按编号调用已登记的操作 / API clients may only run persisted operations, by id",
        )
    elif raw_id is None:
        refusal = ("DOCUMENT_ID_REQUIRED", "缺少 documentId / documentId is required")
    elif doc is None:
        refusal = ("PERSISTED_DOCUMENT_NOT_FOUND", f"未知的操作编号 {str(raw_id)[:80]} / Unknown operation id")
    elif doc.name not in caller.operations:
        refusal = ("OPERATION_NOT_ALLOWED", f"客户端无权调用 {doc.name} / This client may not run {doc.name}")
    if refusal is not None:
        denied = apiclients.ApiAuthError(*refusal, client_id=caller.client_id)
        services.spawn_write(record_refusal(services, denied, caller.key_id, ctx.client_ip, doc.name if doc else None))
        raise Reply(403, *refusal)
    request.scope["govops.operation"] = doc.name  # type: ignore[union-attr]
    return replace(data, query=doc.text, operation_name=doc.name)  # type: ignore[union-attr]
