"""Smoke benchmark: the users screen at 150 connections, GraphQL server vs a raw asyncpg endpoint.

    python bench/smoke.py [--duration 20] [--connections 150] [--workers 2] [--rounds 2]

Needs the local PostgreSQL and Redis (see README) and wrk (`apt-get install wrk`). It creates the
database named by --database, migrates it, seeds the demo organisation, starts both servers with
the same worker count, checks that they return the same rows, loads each from a separate wrk
process (alternating rounds), and writes the figures to bench/RESULTS.md and bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
QUERY = "{ users(first: 50) { edges { node { username orgUnit { name parent { name } } roles { name } } } } }"
PASSWORD = "Bench#Passw0rd2026"
LOGIN = "mutation($input: LoginInput!) { login(input: $input) { token } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def fresh_database(dsn: str) -> None:
    """A new database each run: the same starting point every time (and no rows sealed with another key)."""
    base, name = dsn.rsplit("/", 1)
    conn = await asyncpg.connect(base + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def wait_up(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not start")


def wrk(url: str, body: str, auth: str | None, connections: int, duration: int) -> dict[str, float]:
    env = {**os.environ, "BENCH_BODY": body, "BENCH_AUTH": auth or ""}
    threads = min(4, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(ROOT / "bench" / "wrk_post.lua"), url],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"BENCH_JSON (\{.*\})", out)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["duration_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/govops_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured round")
    parser.add_argument("--connections", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of the GraphQL server")
    parser.add_argument("--raw-workers", type=int, default=2, help="uvicorn workers of the raw endpoint")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    asyncio.run(fresh_database(args.database))
    sa_url = args.database.replace("postgresql://", "postgresql+asyncpg://", 1)
    env = {
        **os.environ, "GOVOPS_DATABASE_URL": sa_url, "GOVOPS_REDIS_URL": args.redis, "GOVOPS_LOG_LEVEL": "WARNING",
        "GOVOPS_PROFILE": "demo", "GOVOPS_DEMO_PASSWORD": PASSWORD, "GOVOPS_MASTER_KEY": secrets.token_hex(32),
    }  # fmt: skip
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "cli", *command], cwd=ROOT, env=env, check=True, capture_output=True)

    api_port, raw_port = free_port(), free_port()
    # Production checks a signed release at start-up: sign this checkout with a throw-away key.
    sys.path.insert(0, str(ROOT))
    from core import release

    keys = Path(tempfile.mkdtemp(prefix="govops-bench-"))
    private, public = release.generate_keypair()
    (keys / "release-public.pem").write_bytes(public)
    release.sign_release(ROOT, private)
    api_env = {**env, "GOVOPS_PROFILE": "production", "GOVOPS_WORKERS": str(args.workers),
               "GOVOPS_PORT": str(api_port), "GOVOPS_RELEASE_PUBLIC_KEY_FILE": str(keys / "release-public.pem"),
               # wrk sends every request with the one admin token: a per-user limit would measure the limiter's
               # refusals. The limiter itself still runs (anonymous and client rules stay on).
               "GOVOPS_RATE_LIMIT_USER_PER_MINUTE": "0"}  # fmt: skip
    api_env.pop("GOVOPS_DEMO_PASSWORD")
    raw_env = {**os.environ, "BENCH_RAW_DSN": args.database}
    procs = [
        subprocess.Popen([sys.executable, "server.py"], cwd=ROOT, env=api_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.raw_server:app", "--port", str(raw_port), "--workers", str(args.raw_workers),
             "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env=raw_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
    ]  # fmt: skip
    try:
        api, raw = f"http://127.0.0.1:{api_port}/graphql", f"http://127.0.0.1:{raw_port}/users"
        wait_up(f"http://127.0.0.1:{api_port}/healthz", procs[0], "API server")
        wait_up(raw, procs[1], "raw server")
        login = httpx.post(api, json={"query": LOGIN, "variables": {"input": {"username": "admin", "password": PASSWORD}}})
        token = login.json()["data"]["login"]["token"]
        auth = f"Bearer {token}"
        body = json.dumps({"query": QUERY})
        ours = httpx.post(api, content=body, headers={"Authorization": auth, "Content-Type": "application/json"}).json()
        theirs = httpx.post(raw).json()
        if "errors" in ours or ours["data"] != theirs["data"]:
            raise SystemExit("the two servers disagree on the rows; fix that before measuring")
        wrk(api, body, auth, args.connections, 3)  # warm-up: caches, pools, JIT-free but lazy imports
        wrk(raw, "", None, args.connections, 3)
        rounds: dict[str, list[dict[str, float]]] = {"graphql": [], "raw": []}
        for _ in range(args.rounds):
            rounds["raw"].append(wrk(raw, "", None, args.connections, args.duration))
            rounds["graphql"].append(wrk(api, body, auth, args.connections, args.duration))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)

    summary = {name: {
        "rps": sum(r["rps"] for r in rs) / len(rs),
        "p50_ms": max(r["p50_ms"] for r in rs), "p95_ms": max(r["p95_ms"] for r in rs), "p99_ms": max(r["p99_ms"] for r in rs),
        "errors": sum(r["errors"] for r in rs), "requests": sum(r["requests"] for r in rs),
    } for name, rs in rounds.items()}  # fmt: skip
    ratio = summary["graphql"]["rps"] / summary["raw"]["rps"]
    command = "python bench/smoke.py " + " ".join(sys.argv[1:])
    record = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "command": command.strip(), "query": QUERY,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "connections": args.connections, "workers": args.workers, "raw_workers": args.raw_workers, "duration_s": args.duration, "rounds": args.rounds,
        "summary": summary, "ratio": ratio, "raw_rounds": rounds,
    }  # fmt: skip
    table = render(record)
    print(table)
    if not args.no_write:
        (ROOT / "bench" / "results").mkdir(exist_ok=True)
        (ROOT / "bench" / "results" / f"smoke-raw{args.raw_workers}.json").write_text(json.dumps(record, indent=2))
        write_results(table, f"raw{args.raw_workers}")


def render(r: dict) -> str:  # type: ignore[type-arg]
    s = r["summary"]
    lines = [
        f"### Smoke: users screen ({r['when']})", "",
        f"- Command: `{r['command']}`",
        f"- Machine: {r['machine']}; PostgreSQL and Redis on the same box; load from wrk in a separate process",
        f"- Load: {r['connections']} connections, no think time, {r['rounds']} alternating rounds of {r['duration_s']} s each;"
        f" GraphQL server with {r['workers']} uvicorn workers, raw endpoint with {r['raw_workers']}",
        f"- Query: `{r['query']}` (50 users, their unit, its parent, their roles)", "",
        "| server | req/s | p50 ms | p95 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|",
        f"| GovOps GraphQL (production settings) | {s['graphql']['rps']:.0f} | {s['graphql']['p50_ms']:.1f} | {s['graphql']['p95_ms']:.1f} | {s['graphql']['p99_ms']:.1f} | {s['graphql']['errors']} |",
        f"| raw Starlette + asyncpg + orjson ({r['raw_workers']} worker{'s' if r['raw_workers'] > 1 else ''}) | {s['raw']['rps']:.0f} | {s['raw']['p50_ms']:.1f} | {s['raw']['p95_ms']:.1f} | {s['raw']['p99_ms']:.1f} | {s['raw']['errors']} |",
        "", f"**Ratio GraphQL / raw: {r['ratio']:.2f}×** (target ≥ 0.25×)", "",
    ]  # fmt: skip
    return "\n".join(lines)


def write_results(table: str, tag: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    begin, end = f"<!-- smoke-{tag}:begin -->", f"<!-- smoke-{tag}:end -->"
    block = f"{begin}\n{table}\n{end}"
    text = (
        re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
        if begin in text
        else text + block + "\n"
    )
    path.write_text(text)


if __name__ == "__main__":
    main()
