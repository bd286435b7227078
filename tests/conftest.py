"""Test fixtures: every database test runs on SQLite, and on PostgreSQL + Redis when configured.

GOVOPS_TEST_DATABASE_URL (postgresql+asyncpg://...) and GOVOPS_TEST_REDIS_URL turn the second backend
on; in CI (CI=true) both are required and a missing service fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

import models  # noqa: F401
from core import keys
from core.db.base import Base
from core.settings import ROOT, Profile, Settings
from server import AppServices, create_app, start_services, stop_services

DEMO_PASSWORD = "Test@Passw0rd!"
TEST_MASTER_KEY = "test-master-key-for-the-suite-only-0123456789"
IN_CI = os.environ.get("CI") == "true"
# Under pytest-xdist each worker (gw0, gw1, …) gets a database of its own beside the configured one, and a Redis
# database of its own counting down from the configured one; without xdist the configured ones are used as they are.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _per_worker(pg_url: str | None, redis_url: str | None) -> tuple[str | None, str | None]:
    if not WORKER:
        return pg_url, redis_url
    index = int(WORKER.removeprefix("gw"))
    if pg_url:
        pg_url = f"{pg_url}_{WORKER}"
    if redis_url:
        base, _, db = redis_url.rpartition("/")
        redis_url = f"{base}/{(int(db or 0) - index) % 16}"
    return pg_url, redis_url


PG_URL, REDIS_URL = _per_worker(os.environ.get("GOVOPS_TEST_DATABASE_URL"), os.environ.get("GOVOPS_TEST_REDIS_URL"))

if IN_CI and not (PG_URL and REDIS_URL):
    raise RuntimeError("CI needs GOVOPS_TEST_DATABASE_URL and GOVOPS_TEST_REDIS_URL (run through .ci/run)")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_report_header(config: Any) -> str:
    return f"govops backends: {', '.join(BACKENDS)}" + (f" (redis {REDIS_URL})" if REDIS_URL else "")


STORAGE_DIR = Path(tempfile.mkdtemp(prefix="govops-test-storage-"))  # the suite's file store, apart from var/


def make_settings(database_url: str, redis_url: str | None, **extra: Any) -> Settings:
    extra.setdefault("storage_dir", STORAGE_DIR)
    # The ring is reloaded by rotation messages and by the tests themselves; a periodic reload landing mid-test would
    # make "this process has not reloaded yet" (tests/core/test_encrypted.py) a matter of timing.
    extra.setdefault("key_refresh_seconds", 3600)
    # Figures computed on every request: a test that changes data and reads an overview sees the change
    # (tests/core/test_screencache.py turns sharing on).
    extra.setdefault("screen_cache_seconds", 0)
    # Every request reads its token (tests/resolvers/test_auth_cache.py turns the cache on).
    extra.setdefault("auth_cache_seconds", 0)
    return Settings(
        profile=Profile.TEST, database_url=database_url, redis_url=redis_url, password_iterations=1000,
        master_key=TEST_MASTER_KEY, job_poll_seconds=0.05,
        # The suite logs in hundreds of times a minute from one address; tests/resolvers/test_rate_limits.py turns them on.
        rate_limit_user_per_minute=0, rate_limit_client_per_minute=0, rate_limit_anonymous_per_minute=0,
        **extra,
    )  # fmt: skip


def migrate(database_url: str, revision: str = "head", *, down: bool = False) -> None:
    """Run Alembic exactly as `govops db upgrade` does (a subprocess keeps its event loop apart)."""
    env = {**os.environ, "GOVOPS_DATABASE_URL": database_url, "GOVOPS_PROFILE": "test", "GOVOPS_MASTER_KEY": TEST_MASTER_KEY}
    args = ["downgrade" if down else "upgrade", revision]
    subprocess.run([sys.executable, "-m", "cli", "db", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def reset_postgres(database_url: str) -> None:
    """Start from an empty public schema, whatever an earlier run left behind (making the database if it is new)."""
    script = (
        "import asyncio, asyncpg, sys\n"
        "async def main():\n"
        "    server, _, name = sys.argv[1].rpartition('/')\n"
        "    admin = await asyncpg.connect(server + '/postgres')\n"
        "    if not await admin.fetchval('SELECT 1 FROM pg_database WHERE datname = $1', name):\n"
        "        await admin.execute(f'CREATE DATABASE \"{name}\"')\n"
        "    await admin.close()\n"
        "    c = await asyncpg.connect(sys.argv[1])\n"
        "    await c.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public')\n"
        "    await c.close()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", script, database_url.replace("+asyncpg", "")], check=True)


@dataclass
class Backend:
    name: str
    database_url: str
    redis_url: str | None


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        b = Backend("sqlite", url, None)
    else:
        assert PG_URL is not None
        b = Backend("postgresql", PG_URL, REDIS_URL)
        reset_postgres(PG_URL)
    migrate(b.database_url)
    return b


async def _wipe(services: AppServices) -> None:
    from domain.identity.catalog import ROLES

    await services.drain()  # audit writes of the previous test's requests land before the tables go
    ROLES.invalidate()  # ids restart after a wipe: yesterday's role 3 is not today's
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with services.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # DELETE and a sequence restart per table, in one round trip: for the few rows a test leaves this is several
            # times faster than TRUNCATE, which makes new files for every table.
            sequences = (await conn.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            ))).scalars().all()  # fmt: skip
            script = [f'DELETE FROM "{table}"' for table in tables] + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]
            raw = await conn.get_raw_connection()
            await raw.driver_connection.execute("; ".join(script))  # asyncpg's simple protocol takes a script
        else:
            await conn.execute(text("PRAGMA defer_foreign_keys=ON"))  # org_unit refers to itself
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))
            await conn.execute(text("DELETE FROM sqlite_sequence"))  # every table uses AUTOINCREMENT
    await keys.load(services.engine)  # the data keys went with the rest: start a fresh ring, as on a new database
    # Stored files were sealed under the keys just wiped: they go too, as they would with a new database.
    for child in STORAGE_DIR.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


# The demo organisation as seeded once per backend, table by table: later tests get the same rows back in one insert
# per table instead of seeding again (65 users with their roles, MACs and sealed contacts, a flush each).
_DEMO_ROWS: dict[str, list[tuple[Any, list[dict[str, Any]]]]] = {}


async def _snapshot(services: AppServices) -> list[tuple[Any, list[dict[str, Any]]]]:
    taken = []
    async with services.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in await conn.execute(table.select())]
            if rows:
                taken.append((table, rows))
    return taken


async def _restore(services: AppServices, taken: list[tuple[Any, list[dict[str, Any]]]]) -> None:
    """The snapshot's data keys first (the wipe started a fresh ring), then every other row: sealed columns are read
    in clear and sealed again on the way in, so they must be sealed under the keys the snapshot brings."""
    async with services.engine.begin() as conn:
        await conn.execute(text("DELETE FROM data_key"))
        for table, rows in taken:
            if table.name == "data_key":
                await conn.execute(table.insert(), rows)
    await keys.load(services.engine)
    async with services.engine.begin() as conn:
        for table, rows in taken:
            if table.name != "data_key":
                await conn.execute(table.insert(), rows)
        if conn.dialect.name == "postgresql":  # explicit ids do not move the sequences (SQLite's AUTOINCREMENT moves)
            for table, _rows in taken:
                if "id" in table.c and table.c.id.autoincrement is not False:
                    await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                            f"(SELECT max(id) FROM \"{table.name}\"))"))  # fmt: skip


@pytest.fixture(scope="session")
async def shared_services(backend: Backend) -> AsyncIterator[AppServices]:
    services = await start_services(make_settings(backend.database_url, backend.redis_url), run_jobs=False)
    yield services
    await stop_services(services)


@pytest.fixture
async def services(shared_services: AppServices) -> AppServices:
    """The app's services over an empty (migrated) database."""
    await _wipe(shared_services)
    return shared_services


@pytest.fixture
async def demo(services: AppServices) -> AppServices:
    """Services over the demo organisation (Big Data Center, 30 access units, 65 users)."""
    from domain.identity.catalog import ROLES
    from domain.identity.demo import seed_demo

    backend = services.settings.database_url
    if backend in _DEMO_ROWS:
        await _restore(services, _DEMO_ROWS[backend])
        ROLES.invalidate()
        return services
    async with services.unit_of_work() as uow:
        await seed_demo(uow, DEMO_PASSWORD, 1000)
    _DEMO_ROWS[backend] = await _snapshot(services)
    return services


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.tokens: dict[str, str] = {}

    async def __call__(self, query: str, variables: dict[str, Any] | None = None, *, as_user: str | None = None,
                       token: str | None = None) -> dict[str, Any]:  # fmt: skip
        headers = {}
        if as_user is not None:
            token = await self.token(as_user)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def login(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
        result = await self(
            "mutation($i: LoginInput!) { login(input: $i) { token user { username } errors { code field message } } }",
            {"i": {"username": username, "password": password}},
        )
        return result["data"]["login"]

    async def token(self, username: str) -> str:
        if username not in self.tokens:
            payload = await self.login(username)
            assert payload["token"], payload
            self.tokens[username] = payload["token"]
        return self.tokens[username]


@pytest.fixture
async def app(services: AppServices) -> Any:
    return create_app(services.settings, services)


@pytest.fixture
async def gql(app: Any) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


# --- a real server in another process (explorer e2e, cross-process tests) ---------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "server.py"], cwd=ROOT, env={**env, "GOVOPS_PORT": str(port)},
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture(scope="session")
def live_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn process in embedded mode over a migrated, demo-seeded SQLite database."""
    folder = tmp_path_factory.mktemp("live")
    env = {
        **os.environ, "GOVOPS_PROFILE": "demo", "GOVOPS_DEMO_PASSWORD": DEMO_PASSWORD,
        "GOVOPS_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'live.sqlite3'}", "GOVOPS_PASSWORD_ITERATIONS": "1000",
    }  # fmt: skip
    env.pop("GOVOPS_REDIS_URL", None)
    for args in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    proc = start_server(env, port, folder / "server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Per-backend counts, so CI shows that both backends really ran."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup") or (outcome == "passed" and report.when != "call"):
                continue
            nodeid = getattr(report, "nodeid", "")
            name = next((b for b in ("postgresql", "sqlite") if f"[{b}" in nodeid or f"-{b}" in nodeid), "backend-free")
            counts.setdefault(name, {}).setdefault(outcome, 0)
            counts[name][outcome] += 1
    terminalreporter.section("govops test counts per backend")
    for name, by_outcome in sorted(counts.items()):
        terminalreporter.line(f"{name}: " + ", ".join(f"{n} {o}" for o, n in sorted(by_outcome.items())))


@pytest.fixture
async def served(app: Any) -> AsyncIterator[str]:
    """The test app behind a real uvicorn server in this event loop (for WebSocket tests)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="websockets-sansio")
    )
    task = __import__("asyncio").create_task(server.serve())
    while not server.started:
        await __import__("asyncio").sleep(0.01)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await task


def govops_on(backend: Backend, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a `govops` command against a test backend's database, as an operator on the server would."""
    env = {
        **os.environ,
        "GOVOPS_PROFILE": "test",
        "GOVOPS_MASTER_KEY": TEST_MASTER_KEY,
        "GOVOPS_DATABASE_URL": backend.database_url,
        "GOVOPS_STORAGE_DIR": str(STORAGE_DIR),
    }
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True)
