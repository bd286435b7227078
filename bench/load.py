"""Load benchmark: simulated users cycling through the real screens, alert subscribers, or one operation closed-loop.

    python bench/load.py --database postgresql://postgres@127.0.0.1:5432/govops_bench \\
        --redis redis://127.0.0.1:6379/13 --accounts var/bench/accounts.json \\
        --users 150 --subscribers 50 --think 1.0 --duration 600 --workers 2
    python bench/load.py ... --closed workOrders,simCardsByUnit    # wrk, --users connections, no think time
    python bench/load.py --write-demo-accounts var/bench/demo-accounts.json --master-key K --password P

The database must already hold the organisation (bench/generate.py fills it and writes the accounts file:
{"master_key", "password", "users": [{"username", "role", "unit_code"}]}); this script never creates,
migrates or seeds it. Without --url it starts the API like bench/smoke.py: production profile, a release
signed with a throw-away key, GOVOPS_WORKERS=--workers, the given PostgreSQL and Redis, the accounts'
master key; the limiter stays on (the per-user limit is raised for --closed, whose wrk sends one token).

User model: each simulated user logs in with its own token, discovers what its screens need (unit, MSISDNs,
an asset, a metric series; not measured), then cycles through the operations of bench/load_ops.py as
persisted queries (Apollo APQ: hash first, text on a miss; full text if the server has no APQ), waiting
--think seconds after each answer. After --warmup seconds every request is counted for --duration seconds.
Meanwhile --subscribers WebSocket clients (graphql-transport-ws) follow `alertFired`, and a platform_service
account (--pusher; default the accounts file's platform_service user, else the demo seed's platform_svc, with
the accounts' password; or the file's "api_client": {"key_id", "secret"}, signed) pushes --alert-rate alerts
per second on known cards through wirelessSecurityAlertPush (severity MINOR: no duty-desk notice, no fault);
each subscriber's expected deliveries follow its data scope (checked with `nodes` on the cards pushed).
An answer with `errors`, an HTTP status other than 200 or no answer at all is an error of its operation.
Accounts with the roles in load_ops.NON_SCREEN_ROLES (the three administrators, service accounts) have no
business screens and are not simulated. The client's own CPU use and event-loop lag are reported.

Prints a Markdown table and writes bench/results/load-<mode>.json and a block in bench/RESULTS.md between
<!-- load-users:begin/end --> or <!-- load-closed-<op>:begin/end --> (unless --no-write).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect as ws_connect
from websockets.typing import Subprotocol

BENCH = Path(__file__).resolve().parent  # RESULTS.md, results/, the wrk script
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench import load_ops as ops  # noqa: E402
from bench.load_wrk import render as render_raw  # noqa: E402
from bench.load_wrk import start_baseline, wrk  # noqa: E402

# --- the server ------------------------------------------------------------------------------------


def start_server(args: argparse.Namespace, accounts: ops.Accounts, tmp: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """The API under production settings on a free port; returns (process, /graphql URL, log file)."""
    from core import release

    port = ops.free_port()
    private, public = release.generate_keypair()
    (tmp / "release-public.pem").write_bytes(public)
    user_limit = 1_000_000 if args.closed else max(600, int(120 * -(-args.users // len(accounts.screen_users)) / args.think))
    env = {
        **os.environ, "GOVOPS_PROFILE": "production", "GOVOPS_WORKERS": str(args.workers), "GOVOPS_PORT": str(port),
        "GOVOPS_HOST": "127.0.0.1", "GOVOPS_DATABASE_URL": args.database.replace("postgresql://", "postgresql+asyncpg://", 1),
        "GOVOPS_REDIS_URL": args.redis, "GOVOPS_MASTER_KEY": accounts.master_key, "GOVOPS_LOG_LEVEL": "WARNING",
        "GOVOPS_RELEASE_PUBLIC_KEY_FILE": str(tmp / "release-public.pem"),
        # --closed sends every request with one token; the user model stays under the real limit unless the
        # accounts file has far fewer accounts than simulated users. Logins all come from 127.0.0.1.
        "GOVOPS_RATE_LIMIT_USER_PER_MINUTE": str(user_limit),
        "GOVOPS_RATE_LIMIT_ANONYMOUS_PER_MINUTE": str(max(120, 2 * (args.users + args.subscribers) + 20)),
    }  # fmt: skip
    env.pop("GOVOPS_DEMO_PASSWORD", None)
    for attempt in range(3):  # others may edit the checkout between signing and the workers' start-up check
        release.sign_release(ROOT, private)
        log = tmp / f"server-{attempt}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "server.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        if wait_ready(url, proc):
            print(f"API: pid {proc.pid}, {url}, {args.workers} workers, per-user limit {user_limit}/min", flush=True)
            return proc, f"{url}/graphql", log
        stop_server(proc)
        text = log.read_text(errors="replace")
        if "release verification failed" not in text:
            raise SystemExit(f"the API did not start; its log:\n{text[-3000:]}")
    raise SystemExit("the API refused the signed release three times (files changing under it?)")


def wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 90) -> bool:
    deadline, ok = time.monotonic() + seconds, 0
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            ok = ok + 1 if httpx.get(f"{url}/readyz", timeout=2).status_code == 200 else 0
            if ok >= 3:  # a few in a row: more than one worker answers
                return True
        time.sleep(0.3)
    return False


def stop_server(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # its own session: a worker left behind, nothing else
        os.killpg(proc.pid, signal.SIGKILL)


# --- the client ------------------------------------------------------------------------------------


def first_error(status: int, data: dict[str, Any]) -> str | None:
    errors = data.get("errors") or []
    if status == 200 and not errors:
        return None
    e = errors[0] if errors else {}
    code = (e.get("extensions") or {}).get("code")
    return f"HTTP {status}: " * (status != 200) + f"{e.get('message', 'no errors in the answer')}" + f" [{code}]" * bool(code)


@dataclass
class ApqState:
    on: bool = False
    misses: int = 0  # hash-only requests the server did not know (then sent again with the text)


class Gql:
    """POSTs operations as a front end does: the APQ hash first and the text only on a miss, or the full text."""

    def __init__(self, url: str, connections: int = 1, state: ApqState | None = None) -> None:
        self.url, self.state = url, state or ApqState()
        # Keep-alive shorter than uvicorn's 5 s: a reused connection is never one the server is just closing.
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=4.0)
        self.http = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0, connect=10.0))

    def fork(self, connections: int = 1) -> Gql:
        """A client of its own, like a browser tab's: httpcore's pool bookkeeping grows with the square of its size."""
        return Gql(self.url, connections, self.state)

    async def post(
        self, body: dict[str, Any] | bytes, token: str | None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        h = headers or {"content-type": "application/json"}
        if token:
            h = {**h, "authorization": f"Bearer {token}"}
        r = await self.http.post(self.url, content=body if isinstance(body, bytes) else orjson.dumps(body), headers=h)
        try:
            data = orjson.loads(r.content)
        except orjson.JSONDecodeError:
            data = {"errors": [{"message": r.text[:300] or "empty body"}]}
        return r.status_code, data if isinstance(data, dict) else {"errors": [{"message": "not a JSON object"}]}

    async def run(self, op: ops.Op, variables: dict[str, Any], token: str | None) -> tuple[int, dict[str, Any]]:
        if not self.state.on:
            return await self.post({"query": op.document, "operationName": op.operation_name, "variables": variables}, token)
        ext = {"persistedQuery": {"version": 1, "sha256Hash": op.sha256}}
        status, data = await self.post({"operationName": op.operation_name, "variables": variables, "extensions": ext}, token)
        if any((e.get("extensions") or {}).get("code") == "PERSISTED_QUERY_NOT_FOUND" for e in data.get("errors") or []):
            self.state.misses += 1
            body = {"query": op.document, "operationName": op.operation_name, "variables": variables, "extensions": ext}
            status, data = await self.post(body, token)
        return status, data

    async def probe_apq(self, token: str) -> None:
        """Use APQ when the server answers a hash-only request with PERSISTED_QUERY_NOT_FOUND and then the text."""
        probe = ops.Op("probe", ops.PROBE + f" # {time.time_ns()}", lambda d, i: {})
        self.state.on = True
        status, data = await self.run(probe, {}, token)
        self.state.on = self.state.misses == 1 and first_error(status, data) is None
        self.state.misses = 0


async def login(gql: Gql, username: str, password: str) -> str:
    for _ in range(30):
        status, data = await gql.post(
            {"query": ops.LOGIN, "variables": {"input": {"username": username, "password": password}}}, None
        )
        if status == 429:  # the anonymous limit: every login comes from this one address
            await asyncio.sleep(float(((data.get("errors") or [{}])[0].get("extensions") or {}).get("retryAfter") or 2))
            continue
        answer = (data.get("data") or {}).get("login") or {}
        if answer.get("token"):
            return str(answer["token"])
        raise SystemExit(f"login of {username} failed: {answer.get('errors') or data.get('errors')}")
    raise SystemExit(f"login of {username}: still rate-limited after 30 tries")


async def discover(gql: Gql, token: str) -> ops.UserData:
    answers = {}
    for key, document in ops.DISCOVERY.items():
        status, data = await gql.post({"query": document}, token)
        answers[key] = data if status == 200 else {"errors": [{"message": first_error(status, data)}]}
    return ops.discovered(answers)


async def user_loop(gql: Gql, u: ops.SimUser, think: float, win: ops.Window, stats: dict[str, ops.OpStats]) -> None:
    screens = [op for op in ops.CATALOGUE if op.variables(u.data, 0) is not None]
    i = u.index  # users start at different screens, so each screen gets its share from the first second
    await asyncio.sleep(random.uniform(0, think))
    while time.perf_counter() < win.end:
        op = screens[i % len(screens)]
        variables = op.variables(u.data, i // len(screens) + u.index)
        i += 1
        started = time.perf_counter()
        try:
            status, data = await gql.run(op, variables or {}, u.token)
            error = first_error(status, data)
        except Exception as exc:  # a refused connection, a timeout, a body that is not JSON: an error of this screen
            error = f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - started) * 1000
        if win.warm_end <= started < win.end:
            s = stats[op.name]
            s.latencies.append(ms)
            if error is not None:
                s.errors += 1
                s.first_error = s.first_error or error
        await asyncio.sleep(think)


async def subscriber(ws_url: str, sub: ops.Sub, prefix: str, stop: asyncio.Event) -> None:
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    try:
        async with ws_connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=30, max_size=None) as ws:
            await ws.send(orjson.dumps({"type": "connection_init", "payload": {"token": sub.user.token}}).decode())
            ack = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"no connection_ack: {ack}")
            payload = {"query": ops.ALERT_FEED, "operationName": "AlertFeed", "variables": {}}
            await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": payload}).decode())
            sub.ready.set()

            async def read() -> None:
                async for raw in ws:
                    now = time.perf_counter()
                    msg = orjson.loads(raw)
                    if msg.get("type") == "ping":
                        await ws.send('{"type":"pong"}')
                    elif msg.get("type") == "next":
                        body = msg.get("payload") or {}
                        if body.get("errors"):
                            sub.errors.append(str(body["errors"][0].get("message")))
                        match = pattern.search(((body.get("data") or {}).get("alertFired") or {}).get("fingerprint") or "")
                        if match is None:
                            sub.others += 1
                        elif int(match.group(1)) in sub.received:
                            sub.duplicates += 1
                        else:
                            sub.received[int(match.group(1))] = now
                    elif msg.get("type") in ("error", "complete"):
                        sub.errors.append(f"{msg.get('type')}: {msg.get('payload')}")
                        return

            reader = asyncio.create_task(read())
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({reader, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if reader.done() and not stop.is_set():
                sub.errors.append("the subscription ended before the run did")
            stopping.cancel()
            reader.cancel()
    except Exception as exc:
        sub.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        sub.ready.set()


class Pusher:
    """Pushes one alert at a time through wirelessSecurityAlertPush: as a platform_service user, or signed."""

    def __init__(self, gql: Gql, token: str | None, client: dict[str, str] | None) -> None:
        self.gql, self.token, self.client = gql, token, client
        self.op = ops.Op("push", ops.ALERT_PUSH, lambda d, i: {})
        self.document_id = ""
        if client is not None:  # a signed client runs the persisted document, by id
            from core.persisted import PersistedDocuments

            self.document_id = "sha256:" + PersistedDocuments().by_name["WirelessSecurityAlertPush"].id
        self.sent: dict[int, tuple[float, int, str | None, float]] = {}  # seq -> (sent at, pool index, error, ms)

    async def push(self, seq: int, fingerprint: str, pool_index: int, card: ops.Card) -> None:
        alert = {"fingerprint": fingerprint, "accountName": (card.account or "LOADBENCH")[:40], "iccid": card.iccid,
                 "kind": "TERMINAL_BEHAVIOUR", "severity": "MINOR", "title": "压测告警 / load benchmark alert",
                 "detail": "bench/load.py", "occurredAt": datetime.now(UTC).isoformat()}  # fmt: skip
        variables = {"input": {"alerts": [alert]}}
        started = time.perf_counter()
        try:
            if self.client is None:
                status, data = await self.gql.run(self.op, variables, self.token)
            else:
                from integrations.base.signing import signed_headers

                raw = orjson.dumps({"documentId": self.document_id, "variables": variables})
                headers = signed_headers(self.client["key_id"], self.client["secret"], "POST", "/graphql", raw)
                status, data = await self.gql.post(raw, None, headers)
            error = first_error(status, data)
            answer = (data.get("data") or {}).get("wirelessSecurityAlertPush") or {}
            if error is None and answer.get("unknownCards"):
                error = f"unknown card {card.iccid}"
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        self.sent[seq] = (started, pool_index, error, (time.perf_counter() - started) * 1000)

    async def run(self, prefix: str, pool: list[ops.Card], rate: float, win: ops.Window) -> None:
        tasks, seq = set(), 0
        while (at := win.start + seq / rate) < win.end:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            tasks.add(asyncio.create_task(self.push(seq, f"{prefix}{seq}", seq % len(pool), pool[seq % len(pool)])))
            seq += 1
        await asyncio.gather(*tasks)


async def loop_lag(samples: list[float], win: ops.Window) -> None:
    while (now := time.perf_counter()) < win.end:
        await asyncio.sleep(0.05)
        if now >= win.warm_end:
            samples.append((time.perf_counter() - now - 0.05) * 1000)


async def prepare_users(gql: Gql, accounts: ops.Accounts, wanted: list[dict[str, str]], start: int = 0) -> list[ops.SimUser]:
    users = [ops.SimUser(start + i, a) for i, a in enumerate(wanted)]
    gate = asyncio.Semaphore(8)  # logins hash the password (PBKDF2) on the server: do not queue 150 at once

    async def one(u: ops.SimUser) -> None:
        async with gate:
            u.token = await login(gql, u.account["username"], accounts.password)
            u.data = await discover(gql, u.token)

    await asyncio.gather(*(one(u) for u in users))
    return users


async def users_mode(args: argparse.Namespace, accounts: ops.Accounts, url: str, server_pid: int | None) -> dict[str, Any]:
    screen = accounts.screen_users
    gql = Gql(url, 16)
    t0 = time.monotonic()
    users = await prepare_users(gql, accounts, [screen[i % len(screen)] for i in range(args.users)])
    await gql.probe_apq(users[0].token)
    by_name = {u.account["username"]: u for u in reversed(users)}
    names = list(dict.fromkeys(a["username"] for a in screen))
    picked = [names[i % len(names)] for i in range(args.subscribers)]
    missing = [next(a for a in screen if a["username"] == n) for n in dict.fromkeys(picked) if n not in by_name]
    extra = await prepare_users(gql, accounts, missing, 10_000)
    by_name.update({u.account["username"]: u for u in extra})
    subs = [ops.Sub(by_name[n]) for n in picked]
    pool: dict[str | None, ops.Card] = {}
    for u in [s.user for s in subs] + users:
        for card in u.data.cards:
            pool.setdefault(card.unit_id, card)
    cards = list(pool.values())[:100]
    for s in subs:
        status, data = await gql.post({"query": ops.SCOPE, "variables": {"ids": [c.id for c in cards]}}, s.user.token)
        if (error := first_error(status, data)) is not None:
            print(f"  scope check of subscriber {s.user.account['username']} failed (no deliveries expected): {error}")
        s.visible = [n is not None for n in (data.get("data") or {}).get("nodes") or [None] * len(cards)]
    pusher = None
    if subs and cards and accounts.api_client:
        pusher = Pusher(gql.fork(4), None, accounts.api_client)
    elif subs and cards:
        name = args.pusher or (accounts.pusher or {}).get("username") or "platform_svc"
        try:
            pusher = Pusher(gql.fork(4), await login(gql, name, accounts.password), None)
        except SystemExit as exc:
            print(f"  no alerts will be pushed: {exc}")
    print(f"{len(users)} users logged in and discovered their data, {len(extra)} more for subscriptions, "
          f"in {time.monotonic() - t0:.0f} s; APQ {'on' if gql.state.on else 'off'}; {len(cards)} cards to push alerts on", flush=True)  # fmt: skip
    for u in users + extra:
        for problem in u.data.problems[:2]:
            print(f"  discovery of {u.account['username']}: {problem}")

    stop, prefix = asyncio.Event(), f"bench-load-{os.getpid()}-{int(time.time())}-"
    ws_url = url.replace("http", "ws", 1)
    sub_tasks = [asyncio.create_task(subscriber(ws_url, s, prefix, stop)) for s in subs]
    await asyncio.gather(*(s.ready.wait() for s in subs))
    now = time.perf_counter()
    win = ops.Window(now, now + args.warmup, now + args.warmup + args.duration)
    stats = {op.name: ops.OpStats() for op in ops.CATALOGUE}
    pids = ops.worker_pids(server_pid)
    peak: dict[int, float] = {}
    minutes: dict[int, list[float]] = {}
    lag: list[float] = []
    background = [asyncio.create_task(loop_lag(lag, win)), asyncio.create_task(ops.sample_rss(pids, peak, win, minutes))]
    clients = [gql.fork() for _ in users]
    loops = [asyncio.create_task(user_loop(c, u, args.think, win, stats)) for c, u in zip(clients, users, strict=True)]
    if pusher is not None:
        loops.append(asyncio.create_task(pusher.run(prefix, cards, args.alert_rate, win)))
    print(f"running: {args.warmup} s warm-up, then {args.duration} s measured", flush=True)
    await asyncio.sleep(max(0.0, win.warm_end - time.perf_counter()))
    rss_start, cpu0, usage0, busy0, misses0 = (
        {p: ops.rss_mb(p) for p in pids},
        ops.cpu_seconds(pids),
        resource.getrusage(resource.RUSAGE_SELF),
        ops.machine_cpu(),
        gql.state.misses,
    )
    await asyncio.sleep(max(0.0, win.end - time.perf_counter()))
    usage1, cpu1, rss_end = resource.getrusage(resource.RUSAGE_SELF), ops.cpu_seconds(pids), {p: ops.rss_mb(p) for p in pids}
    busy = ops.busy_percent(busy0, ops.machine_cpu())
    await asyncio.gather(*loops, *background)
    await asyncio.sleep(args.grace)  # the last pushes' deliveries
    stop.set()
    await asyncio.gather(*sub_tasks)
    for client in [gql, *clients, *([pusher.gql] if pusher else [])]:
        await client.http.aclose()

    client_cpu = (usage1.ru_utime + usage1.ru_stime - usage0.ru_utime - usage0.ru_stime) / args.duration * 100
    rows = {name: {"requests": len(s.latencies), "errors": s.errors, **ops.summary(s.latencies), "first_error": s.first_error}
            for name, s in stats.items()}  # fmt: skip
    everything = [ms for s in stats.values() for ms in s.latencies]
    skipped = {op.name: sum(op.variables(u.data, 0) is None for u in users) for op in ops.CATALOGUE}
    return {
        "mode": "users", "users": args.users, "think_s": args.think, "warmup_s": args.warmup, "duration_s": args.duration,
        "accounts": len({u.account["username"] for u in users}), "roles": dict(Counter(u.account.get("role", "?") for u in users)),
        "apq": gql.state.on, "apq_misses_measured": gql.state.misses - misses0, "operations": rows,
        "total": {"requests": len(everything), "errors": sum(s.errors for s in stats.values()), **ops.summary(everything)},
        "rps": len(everything) / args.duration, "skipped_users": {k: v for k, v in skipped.items() if v},
        "subscriptions": ops.deliveries(subs, pusher.sent if pusher else None, win, args.alert_rate),
        "server": ops.server_figures(pids, rss_start, rss_end, peak, cpu1 - cpu0, args.duration, busy, minutes),
        "client": {"cpu_percent_of_one_core": client_cpu, "loop_lag_p99_ms": ops.percentile(sorted(lag), 99),
                   "loop_lag_max_ms": max(lag, default=0.0)},
    }  # fmt: skip


# --- closed loop -----------------------------------------------------------------------------------


async def closed_mode(
    args: argparse.Namespace, accounts: ops.Accounts, url: str, server_pid: int | None, name: str
) -> dict[str, Any]:
    op = ops.BY_NAME[name]
    gql = Gql(url, 4)
    candidates = (
        [a for a in accounts.screen_users if a["username"] == args.closed_user] if args.closed_user else accounts.screen_users
    )
    user = None
    for account in candidates[:12]:  # a city-level user if there is one: the widest data scope, the heaviest lists
        [u] = await prepare_users(gql, accounts, [account])
        if op.variables(u.data, 0) is not None and (user is None or u.data.unit_kind == "MANAGEMENT"):
            user = u
            if u.data.unit_kind == "MANAGEMENT":
                break
    if user is None:
        raise SystemExit(f"no user among the first accounts has data for {name}")
    await gql.probe_apq(user.token)
    variables = op.variables(user.data, 0) or {}
    status, data = await gql.run(op, variables, user.token)  # registers the text under its hash, as a front end's first call
    if (error := first_error(status, data)) is not None:
        raise SystemExit(f"{name} fails before the run: {error}")
    await gql.http.aclose()
    ext = {"persistedQuery": {"version": 1, "sha256Hash": op.sha256}}
    body = {
        "operationName": op.operation_name,
        "variables": variables,
        **({"extensions": ext} if gql.state.on else {"query": op.document}),
    }
    raw = orjson.dumps(body)
    pids = ops.worker_pids(server_pid)
    print(f"closed loop {name}: user {user.account['username']} ({user.account.get('role')}), {len(raw)}-byte body, "
          f"APQ {'on' if gql.state.on else 'off'}; {args.warmup} s warm-up, {args.duration} s measured", flush=True)  # fmt: skip
    baseline = None
    if args.raw:  # the raw endpoint must answer the same data, or there is nothing to compare
        baseline = await asyncio.to_thread(
            start_baseline, args.database, accounts.master_key, args.workers, name, raw, data["data"]
        )
        await asyncio.to_thread(wrk, baseline.url, raw, "", args.users, args.warmup)
    await asyncio.to_thread(wrk, url, raw, user.token, args.users, args.warmup)
    rss_start, cpu0, busy0 = {p: ops.rss_mb(p) for p in pids}, ops.cpu_seconds(pids), ops.machine_cpu()
    child0, now, peak, minutes = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter(), {}, {}
    sampler = asyncio.create_task(ops.sample_rss(pids, peak, ops.Window(now, now, now + args.duration), minutes))
    result = await asyncio.to_thread(wrk, url, raw, user.token, args.users, args.duration)
    child1, cpu1, rss_end = resource.getrusage(resource.RUSAGE_CHILDREN), ops.cpu_seconds(pids), {p: ops.rss_mb(p) for p in pids}
    busy = ops.busy_percent(busy0, ops.machine_cpu())
    await sampler
    extra: dict[str, Any] = {}
    if baseline is not None:
        try:
            extra["raw"] = await asyncio.to_thread(wrk, baseline.url, raw, "", args.users, args.duration)
        finally:
            baseline.stop()
        extra.update(raw_workers=args.workers, ratio=result["rps"] / extra["raw"]["rps"])
    wrk_cpu = (child1.ru_utime + child1.ru_stime - child0.ru_utime - child0.ru_stime) / result["duration_s"] * 100
    return {
        "mode": f"closed-{name}", "operation": name, "document": op.operation_name, "variables": variables, "apq": gql.state.on,
        "user": user.account["username"], "role": user.account.get("role"), "connections": args.users,
        "warmup_s": args.warmup, "duration_s": args.duration, "result": result,
        "server": ops.server_figures(pids, rss_start, rss_end, peak, cpu1 - cpu0, result["duration_s"], busy, minutes),
        "client": {"wrk_cpu_percent_of_one_core": wrk_cpu}, **extra,
    }  # fmt: skip


# --- the report ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/govops_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--accounts", type=Path, default=ROOT / "var" / "bench" / "accounts.json")
    parser.add_argument("--users", type=int, default=150, help="simulated users (--closed: wrk connections)")
    parser.add_argument("--subscribers", type=int, default=50, help="alertFired WebSocket subscribers")
    parser.add_argument("--think", type=float, default=1.0, help="seconds each user waits after an answer")
    parser.add_argument("--duration", type=int, default=600, help="measured seconds")
    parser.add_argument("--warmup", type=int, default=20, help="seconds of load before measuring")
    parser.add_argument("--alert-rate", type=float, default=1.0, help="alerts pushed per second")
    parser.add_argument(
        "--pusher", help="account that pushes alerts (default: the accounts' platform_service user, else platform_svc)"
    )
    parser.add_argument("--grace", type=float, default=5.0, help="seconds to wait for the last deliveries")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of the API this script starts")
    parser.add_argument("--url", help="an API already running (http://host:port/graphql): start none")
    parser.add_argument("--server-pid", type=int, help="with --url: the server process, for its workers' RSS and CPU")
    parser.add_argument("--closed", help="comma-separated operations to drive closed-loop with wrk: " + ", ".join(ops.BY_NAME))
    parser.add_argument("--raw", action="store_true", help="--closed: also the raw baseline (bench/raw_screens.py), same run")
    parser.add_argument("--closed-user", help="--closed: the account to use (default: a city-level one)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md and bench/results/ alone")
    parser.add_argument("--write-demo-accounts", type=Path, metavar="FILE", help="write the demo organisation's accounts file")
    parser.add_argument("--master-key", help="--write-demo-accounts: the master key the demo database was made with")
    parser.add_argument("--password", help="--write-demo-accounts: the demo password")
    args = parser.parse_args()
    if args.write_demo_accounts:
        if not (args.master_key and args.password):
            parser.error("--write-demo-accounts needs --master-key and --password")
        print(
            f"{args.write_demo_accounts}: {ops.write_demo_accounts(args.write_demo_accounts, args.master_key, args.password)} users"
        )
        return
    closed = [n.strip() for n in args.closed.split(",")] if args.closed else []
    if unknown := [n for n in closed if n not in ops.BY_NAME]:
        parser.error(f"unknown operations {unknown}; known: {', '.join(ops.BY_NAME)}")
    if closed and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    accounts = ops.read_accounts(args.accounts)
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    records, proc, log = [], None, None
    with tempfile.TemporaryDirectory(prefix="govops-load-") as tmp:
        try:
            if args.url:
                url, server_pid = args.url, args.server_pid
                server_line = f"{url} (already running)"
            else:
                proc, url, log = start_server(args, accounts, Path(tmp))
                server_pid = proc.pid
                db = args.database.rsplit("/", 1)[-1]
                server_line = f"production profile, {args.workers} uvicorn workers, PostgreSQL `{db}`, Redis `{args.redis}`"
            for name in closed or [None]:
                record = asyncio.run(
                    closed_mode(args, accounts, url, server_pid, name) if name else users_mode(args, accounts, url, server_pid)
                )
                record.update(when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), machine=ops.machine(), server_line=server_line,
                              command=("python bench/load.py " + " ".join(sys.argv[1:])).strip())  # fmt: skip
                records.append(record)
        finally:
            stop_server(proc)
            errors = [ln for ln in log.read_text(errors="replace").splitlines() if '"level": "ERROR"' in ln] if log else []
            for record in records:
                record["server_log_errors"] = {"count": len(errors), "first": errors[0][:500] if errors else None}
    for record in records:
        block = ops.render(record) + (render_raw(record) if "raw" in record else "")
        print(block)
        if not args.no_write:
            (BENCH / "results").mkdir(exist_ok=True)
            (BENCH / "results" / f"load-{record['mode']}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False))
            ops.write_block(BENCH / "RESULTS.md", f"load-{record['mode']}", block)


if __name__ == "__main__":
    main()
