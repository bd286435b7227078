"""The ASGI app: /graphql (HTTP, graphql-transport-ws, explorer), /healthz, /readyz, /metrics, /files/<token>."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import strawberry
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

import gateway
import jobs
import platforms
import transfers
from core import keyring, keys, release, storage
from core.bus import MemoryBus, RedisBus, make_bus
from core.clock import utcnow
from core.db.engine import create_engine, create_session_factory, read_engine
from core.db.uow import UnitOfWork
from core.errors import AccessError
from core.logging import configure_logging, request_id_var
from core.metrics import LATENCY, REQUESTS
from core.persisted import ApqCache, PersistedDocuments
from core.queue.runner import ArqRelay, InProcessRunner, JobExecutor, runner_name
from core.ratelimit import RateLimiter
from core.screencache import ScreenCache
from core.settings import ROOT, Profile, Settings, get_settings
from core.storage import FileStore
from domain.identity import auth
from domain.identity.authcache import GRANTS_CHANNEL, AuthCache
from domain.identity.catalog import ROLE_CHANNEL, ROLES
from gateway import Reply
from resolvers import screens
from schema import compiled
from schema.context import Context
from schema.extensions import limit_rules
from schema.root import build_schema

log = logging.getLogger("govops.server")
EXPLORER_DIST = ROOT / "explorer" / "dist"


@dataclass(eq=False)
class AppServices:
    """What the app wires at start-up; tests build the same thing."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    bus: MemoryBus | RedisBus
    storage: FileStore  # attachments and exports (core.storage), served by /files/<token>
    reader: AsyncEngine | None = None
    executor: JobExecutor | None = None
    runner: InProcessRunner | ArqRelay | None = None
    arq: Any = None
    documents: PersistedDocuments = field(default_factory=PersistedDocuments)
    office_platform: Any = None  # integrations.office_platform.client.OfficePlatformClient when SSO is set up
    platforms: Any = None  # platforms.Platforms: the gateways (and, in the demo, the simulators) this process uses
    limiter: RateLimiter | None = None
    apq: ApqCache = field(default_factory=lambda: ApqCache(None))
    screens: ScreenCache = field(default_factory=lambda: ScreenCache(0))
    auth_cache: AuthCache = field(default_factory=lambda: AuthCache(0))
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _writes: set[asyncio.Task[Any]] = field(default_factory=set)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, publish=self.bus.publish, on_enqueued=self.wake_runner)

    def read(self) -> AsyncConnection:
        """A connection for reads (`async with`): Core statements, no ORM session, no transaction."""
        return (self.reader or self.engine).connect()

    def wake_runner(self) -> None:
        if self.runner is not None:
            self.runner.wake()

    def spawn(self, coro: Any) -> None:
        """A task for the life of the process (bus followers, refreshers); cancelled at shutdown."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def spawn_write(self, coro: Any) -> None:
        """A short write beside a request (an audit record, a token touch); awaited at shutdown, not cancelled."""
        task = asyncio.create_task(coro)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def drain(self) -> None:
        """Wait for the writes in flight (shutdown; tests before they wipe the database)."""
        while self._writes:
            await asyncio.gather(*list(self._writes), return_exceptions=True)


class ReleaseCheckFailed(RuntimeError):
    pass


def check_release(settings: Settings, root: Path = ROOT) -> None:
    """Program integrity at start-up: the shipped files must match the signed manifest. Production
    refuses to start when they do not; elsewhere a configured key that fails is logged loudly."""
    if settings.release_public_key_file is None:
        return
    report = release.verify_release(root, release.read_key_file(settings.release_public_key_file))
    if report.ok:
        log.info("release verified: %d files match the signed manifest", report.checked)
        return
    message = "release verification failed: " + "; ".join(report.problems[:20])
    if settings.profile is Profile.PRODUCTION:
        raise ReleaseCheckFailed(message)
    log.error(message)


async def start_services(settings: Settings, *, run_jobs: bool = True) -> AppServices:
    assert settings.master_key is not None  # the settings refuse to load without one outside the demo
    check_release(settings)
    keys.configure(settings.master_key.get_secret_value())
    engine = create_engine(settings.database_url, settings.database_pool_size)
    services = AppServices(
        settings, engine, create_session_factory(engine), make_bus(settings.redis_url),
        storage=storage.store_from_settings(settings), reader=read_engine(engine),
        apq=ApqCache(settings.redis_url), limiter=RateLimiter(settings.redis_url), screens=ScreenCache(settings.screen_cache_seconds),
        auth_cache=AuthCache(settings.auth_cache_seconds),
    )  # fmt: skip
    services.executor = JobExecutor(
        jobs.registry, services.session_factory, services.bus.publish, services.wake_runner, runner_name("api"),
        extra={"storage": services.storage, "read": services.read},
    )  # fmt: skip
    await keys.load(engine)
    if settings.office_platform_issuer:
        from integrations.office_platform.client import OfficePlatformClient

        secret = settings.office_platform_client_secret.get_secret_value() if settings.office_platform_client_secret else ""
        services.office_platform = OfficePlatformClient(
            settings.office_platform_issuer, settings.office_platform_client_id, secret, settings.office_platform_redirect_uri
        )
    services.spawn(_follow(services.bus, ROLE_CHANNEL, ROLES.invalidate))
    # What a verified token's entry depends on (domain/identity/authcache.py).
    services.spawn(_follow(services.bus, ROLE_CHANNEL, lambda _m: services.auth_cache.clear()))
    services.spawn(_follow(services.bus, GRANTS_CHANNEL, lambda m: services.auth_cache.forget_user(int(m["userId"]))))
    services.spawn(
        _follow(services.bus, auth.TOKEN_REVOKED_CHANNEL, lambda m: services.auth_cache.forget_token(int(m["tokenId"])))
    )
    services.spawn(_follow(services.bus, keyring.KEYS_CHANNEL, lambda _m: services.spawn(keyring.reload(engine))))
    services.spawn(keyring.refresh_forever(engine, settings.key_refresh_seconds))
    # The platforms first: a dispatch job the runner picks up at once must find its gateway registered.
    services.platforms = await platforms.start(services)
    if run_jobs:
        if settings.embedded:
            services.runner = InProcessRunner(services.executor, poll_seconds=settings.job_poll_seconds)
        else:
            from arq import create_pool
            from arq.connections import RedisSettings

            services.arq = await create_pool(RedisSettings.from_dsn(settings.redis_url or ""))
            services.runner = ArqRelay(services.executor, services.arq, poll_seconds=settings.job_poll_seconds)
        await services.runner.start()
    return services


async def stop_services(services: AppServices) -> None:
    await services.drain()  # audit records of the last requests are not lost at shutdown
    if services.runner is not None:
        await services.runner.close()
    tasks = list(services._tasks)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if services.arq is not None:
        await services.arq.aclose()
    await services.bus.close()
    await services.apq.close()
    await services.screens.close()
    if services.limiter is not None:
        await services.limiter.close()
    if services.office_platform is not None:
        await services.office_platform.close()
    if services.platforms is not None:
        await services.platforms.close()
    await services.engine.dispose()


def _client_ip(conn: Request | WebSocket) -> str | None:
    return conn.client.host if conn.client else None


class GovOpsGraphQL(GraphQL):
    """strawberry's ASGI view with our context, authentication, explorer page and orjson."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            if self._screens and scope["method"] == "POST":
                replay = await self._screen(scope, receive, send)
                if replay is None:
                    return
                receive = replay
            await super().__call__(scope, receive, send)
            return
        websocket = WebSocket(scope, receive=receive, send=send)
        try:
            await self.run(websocket)
        finally:  # the socket is gone: so is its watcher
            watcher = self._watchers.pop(id(websocket), None)
            if watcher is not None:
                watcher.cancel()

    def __init__(self, services_ref: dict[str, AppServices], schema: strawberry.Schema, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allowed_origins=settings.allowed_origins,
            keep_alive=True,
            keep_alive_interval=15,
        )
        self._ref = services_ref
        self._watchers: dict[int, asyncio.Task[None]] = {}
        self._max_cost = settings.max_query_cost
        self._screens = (
            compiled.compile_folder(
                schema, screens.SCREENS_DIR, screens.FETCHERS, limit_rules(settings.max_query_depth, settings.max_aliases)
            )
            if settings.compiled_screens
            else {}
        )

    async def _screen(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """Answer a compiled screen (schema/compiled.py) and return None; else a `receive` that gives the executor the
        body again (with the screen's text when it was one, so no APQ round trip follows)."""
        request = Request(scope, receive)
        headers = request.headers
        if "x-api-key" in headers or "json" not in headers.get("content-type", ""):
            return receive
        body = await request.body()
        found = gateway.compiled_screen(self._screens, body)
        if found is None:
            return gateway.replay(body, receive)
        screen, variables = found
        if not headers.get("authorization"):  # the executor refuses it, knowing the text (not "persisted query not found")
            return gateway.replay(orjson.dumps({**orjson.loads(body), "query": screen.text}), receive)
        try:
            ctx = await self.get_context(request, Response())
        except Reply as reply:
            await reply.response()(scope, receive, send)
            return None
        if ctx.actor is not None:
            answer = await compiled.answer(self.schema, screen, ctx, variables, self._max_cost)
            if answer is not None:
                await Response(answer, media_type="application/json")(scope, receive, send)
                return None
        scope["govops.prepared_context"] = ctx  # authenticated and counted once: the executor takes it as it is
        return gateway.replay(orjson.dumps({**orjson.loads(body), "query": screen.text}), receive)

    @property
    def services(self) -> AppServices:
        return self._ref["services"]

    def encode_json(self, data: object) -> str:  # type: ignore[override]
        # str, not bytes: over WebSockets bytes would go out as binary frames, which browsers' clients refuse.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # orjson.JSONDecodeError is a json.JSONDecodeError: same 400 on bad JSON

    def create_response(self, response_data: Any, sub_response: Response) -> Response:  # type: ignore[override]
        # HTTP bodies are bytes anyway: encode once with orjson instead of bytes -> str -> bytes.
        response = Response(
            orjson.dumps(response_data), status_code=sub_response.status_code or 200, media_type="application/json"
        )
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        page = EXPLORER_DIST / "index.html"
        if not page.exists():
            return PlainTextResponse("Explorer not built: run `bash explorer/build.sh` (make run does it).", 503)
        return FileResponse(page, media_type="text/html")

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:  # type: ignore[override]
        prepared = request.scope.pop("govops.prepared_context", None)
        if prepared is not None:
            prepared.request, prepared.response = request, response
            return prepared  # type: ignore[no-any-return]
        services = self.services
        ctx = Context(
            services=services,
            request=request,
            response=response,
            request_id=request.scope.get("govops.request_id") or uuid.uuid4().hex,
            client_ip=_client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
        if request.scope["type"] == "http" and "x-api-key" in request.headers:
            request.scope["govops.started_at"] = utcnow()  # for the interface log's latency
            ctx.api_caller = await gateway.authenticate_signed(self.services, request, ctx.client_ip)
            ctx.actor = ctx.api_caller.actor
            await self._limit("client", str(ctx.api_caller.client_id), services.settings.rate_limit_client_per_minute)
            request.scope["govops.context"] = ctx
            return ctx
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer " and request.scope["type"] == "http":
            ctx.actor = await self._authenticate(header[7:].strip(), ctx.client_ip)
        if request.scope["type"] == "http":
            if ctx.actor is not None:
                await self._limit("user", str(ctx.actor.user_id), services.settings.rate_limit_user_per_minute)
            else:
                await self._limit("anonymous", ctx.client_ip or "unknown", services.settings.rate_limit_anonymous_per_minute)
        request.scope["govops.context"] = ctx
        return ctx

    async def _limit(self, rule_name: str, key: str, per_minute: int) -> None:
        await gateway.limit(self.services, rule_name, key, per_minute)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:  # type: ignore[override]
        token = _REQUEST.set(request)  # parse_http_body sees only strawberry's adapter
        try:
            return await super().run(request, context, root_value)
        except Reply as reply:
            return reply.response()
        finally:
            _REQUEST.reset(token)

    async def parse_http_body(self, request_adapter: Any) -> Any:  # type: ignore[override]
        data = await super().parse_http_body(request_adapter)
        request = _REQUEST.get()
        ctx = request.scope.get("govops.context")
        if isinstance(data, list):
            if ctx is not None and ctx.api_caller is not None:
                raise Reply(400, "BATCH_NOT_ALLOWED", "接口客户端不能批量请求 / API clients send one operation per request")
            return [await gateway.resolve_document(self.services, request, ctx, item) for item in data]
        return await gateway.resolve_document(self.services, request, ctx, data)

    async def process_result(self, request: Any, result: Any) -> Any:  # type: ignore[override]
        ctx = request.scope.get("govops.context")
        if ctx is not None and ctx.api_caller is not None:  # the interface log: every call of a third party
            self.services.spawn_write(
                gateway.record_call(self.services, ctx, request, request.scope.get("govops.operation"), result)
            )
        return await super().process_result(request, result)

    async def _authenticate(self, token: str, client_ip: str | None) -> Any:
        return await gateway.authenticate_bearer(self.services, token, client_ip) if token else None

    async def on_ws_connect(self, context: Context) -> Any:  # type: ignore[override]
        params = context.connection_params or {}
        token = params.get("token") if isinstance(params, dict) else None
        if not token and isinstance(params, dict):
            bearer = str(params.get("Authorization") or params.get("authorization") or "")
            token = bearer[7:].strip() if bearer.lower().startswith("bearer ") else None
        actor = await self._authenticate(str(token), context.client_ip) if token else None
        if actor is None:
            raise ConnectionRejectionError({"message": "未登录或登录已过期 / Authentication required", "code": "UNAUTHENTICATED"})
        context.actor, context.token = actor, str(token)
        watcher = asyncio.create_task(_watch_token(self.services, context))
        self._watchers[id(context.request)] = watcher
        return UNSET  # an ack without a payload


async def _follow(bus: MemoryBus | RedisBus, channel: str, callback: Any) -> None:
    """Call `callback(message)` for every message on a channel, for the life of the process."""
    while True:
        try:
            async for _channel, message in bus.subscribe(channel):
                callback(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("bus subscription failed; resubscribing", extra={"channel": channel})
            await asyncio.sleep(1)


_REQUEST: contextvars.ContextVar[Any] = contextvars.ContextVar("govops_request")


RECHECK_SECONDS = 60.0


async def _watch_token(services: AppServices, context: Context) -> None:
    """Close the socket (4403) when its token is revoked anywhere, expires, or stops authenticating
    (user or unit disabled): told by the bus at once, and checked again every minute in case a message
    was missed (or came between the login check and this subscription)."""
    token_id = context.actor.token_id if context.actor else None
    websocket = context.request

    async def revoked() -> None:
        async for _channel, message in services.bus.subscribe(auth.TOKEN_REVOKED_CHANNEL):
            if message.get("tokenId") == token_id:
                return

    listener = asyncio.create_task(revoked())
    try:
        while True:
            done, _ = await asyncio.wait({listener}, timeout=RECHECK_SECONDS)
            if done:
                break
            try:
                await context.refresh_actor()
            except AccessError:
                break
            except Exception:
                log.exception("token re-check failed; will retry")
        with contextlib.suppress(Exception):
            await websocket.close(code=4403, reason="token revoked or expired")
    finally:
        listener.cancel()
        with contextlib.suppress(BaseException):
            await listener


# Sent with every HTTP response. The explorer page carries its own, stricter Content-Security-Policy.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
NO_STORE = (b"cache-control", b"no-store")  # API answers hold personal data; the explorer's assets may be cached


class RequestIdMiddleware:
    """Gives every HTTP request an id (or keeps a sane X-Request-ID), logs it, returns it, times it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        scope["govops.request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                extra = SECURITY_HEADERS if scope["path"].startswith("/explorer/") else [*SECURITY_HEADERS, NO_STORE]
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode()), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
            if scope["type"] == "http":
                path = scope["path"] if scope["path"] in ("/graphql", "/healthz", "/readyz", "/metrics") else "other"
                REQUESTS.labels(path, str(status)).inc()
                if path == "/graphql":
                    LATENCY.observe(time.perf_counter() - started)


def create_app(settings: Settings | None = None, services: AppServices | None = None) -> ASGIApp:
    """The app; pass `services` to share ones a test already started (the lifespan then leaves them be)."""
    settings = settings or get_settings()
    ref: dict[str, AppServices] = {} if services is None else {"services": services}
    schema = build_schema(settings)
    graphql = GovOpsGraphQL(ref, schema, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = services is None
        ref["services"] = services or await start_services(settings)
        app.state.services = ref["services"]
        # Objects made at start-up live for the whole process: keep them out of the cyclic GC's scans,
        # and collect young objects less often (a request allocates many short-lived ones).
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        try:
            yield
        finally:
            if owned:
                await stop_services(ref["services"])

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        checks: dict[str, str] = {}
        s = ref.get("services")
        try:
            async with s.engine.connect() as conn:  # type: ignore[union-attr]
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        if isinstance(getattr(s, "bus", None), RedisBus):
            try:
                await s.bus.ping()  # type: ignore[union-attr]
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def files(request: Request) -> Response:
        return await transfers.download(request, ref["services"])

    async def uploads(request: Request) -> Response:
        return await transfers.upload(request, ref["services"], _client_ip(request))

    routes: list[Any] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/files/{token}", files, methods=["GET"]),
        Route("/uploads", uploads, methods=["POST"]),
    ]
    if EXPLORER_DIST.exists():
        routes.append(Mount("/explorer", app=StaticFiles(directory=EXPLORER_DIST), name="explorer"))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.graphql = graphql
    # /graphql is nearly every request: it goes straight to the GraphQL view, past Starlette's router
    # and its two exception middlewares (uvicorn answers 500 if the view itself ever raised).
    return RequestIdMiddleware(_Front(app, graphql))


class _Front:
    def __init__(self, app: Starlette, graphql: GovOpsGraphQL) -> None:
        self.app = app
        self.graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan" and scope["path"] == "/graphql" and scope.get("method", "GET") in ("GET", "POST"):
            await self.graphql(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def run() -> None:
    import uvicorn

    settings = get_settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        "server:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,
        timeout_graceful_shutdown=20,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


if __name__ == "__main__":
    run()


__all__ = ["AppServices", "create_app", "run", "start_services", "stop_services"]
