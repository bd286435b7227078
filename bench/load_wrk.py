"""bench/load.py's closed loop: wrk runs, and the raw baseline (bench/raw_screens.py) measured in the same run.

With --raw, the raw endpoint of the operation is started with the same worker count, asked the same body and
checked to answer the same `data` as the GraphQL server (the run stops if they differ), then loaded by wrk with the
same connections right after the GraphQL window: the report gives both and their ratio.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.smoke import free_port, wait_up

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RAW_ROUTES = {"workOrders": "/workOrders", "simCardsByUnit": "/simCardsByUnit"}


def wrk(url: str, body: bytes, token: str, connections: int, seconds: int) -> dict[str, Any]:
    env = {**os.environ, "BENCH_BODY": body.decode(), "BENCH_AUTH": f"Bearer {token}" if token else ""}
    cmd = ["wrk", f"-t{min(4, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s",
           str(BENCH / "wrk_ops.lua"), url]  # fmt: skip
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    match = re.search(r"BENCH_JSON (\{.*\})", out)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    result: dict[str, Any] = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["duration_s"]
    error = re.search(r"BENCH_FIRST_ERROR (.*)", out)
    result["first_error"] = error.group(1)[:400] if error else None
    return result


@dataclass
class Baseline:
    proc: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_baseline(
    database: str, master_key: str, workers: int, operation: str, body: bytes, expected: dict[str, Any]
) -> Baseline:
    """Start the raw endpoint and check it answers `body` with `expected` (the GraphQL server's `data`)."""
    if operation not in RAW_ROUTES:
        raise SystemExit(f"no raw baseline for {operation}: one of {', '.join(RAW_ROUTES)}")
    port = free_port()
    env = {**os.environ, "BENCH_RAW_DSN": database, "GOVOPS_MASTER_KEY": master_key}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.raw_screens:app", "--port", str(port), "--workers", str(workers),
         "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    baseline = Baseline(proc, f"http://127.0.0.1:{port}{RAW_ROUTES[operation]}")
    try:
        wait_up(baseline.url, proc, "the raw endpoint")  # a GET: the POST-only route answers 405 once it is up
        answer = httpx.post(baseline.url, content=body, timeout=30)
    except BaseException:
        baseline.stop()
        raise
    if orjson.loads(answer.content).get("data") != expected:
        baseline.stop()
        raise SystemExit(f"the raw endpoint's answer to {operation} differs from the GraphQL server's; fix that before measuring")
    return baseline


def render(r: dict[str, Any]) -> str:
    x, raw = r["result"], r["raw"]
    return "\n".join([
        f"Raw baseline of the same run (bench/raw_screens.py: Starlette + asyncpg + orjson, one statement, same `data`, "
        f"{r['raw_workers']} workers, no authentication or data scope), loaded right after the GraphQL window:", "",
        "| server | req/s | p50 ms | p95 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|",
        f"| GovOps GraphQL | {x['rps']:.0f} | {x['p50_ms']:.1f} | {x['p95_ms']:.1f} | {x['p99_ms']:.1f} | {x['errors'] + x['gql_errors']} |",
        f"| raw | {raw['rps']:.0f} | {raw['p50_ms']:.1f} | {raw['p95_ms']:.1f} | {raw['p99_ms']:.1f} | {raw['errors'] + raw['gql_errors']} |",
        "", f"**Ratio GraphQL / raw: {r['ratio']:.2f}×** (target ≥ 0.5×)", "",
    ])  # fmt: skip
