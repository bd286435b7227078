"""City-scale data for the benchmarks: a deterministic generator writing straight into PostgreSQL.

    python bench/generate.py [--database postgresql://postgres@127.0.0.1:5432/govops_bench] [--scale 1] [--seed 2026]

It drops and recreates the database, migrates it and seeds the demo organisation with the application's own
commands (catalogues, roles, and orders made by the real engine), then grows it with COPY. At scale 1:

    400 units, 5,000 users, 60,000 SIM cards (with terminal accounts and 35 days of traffic), 20,000 secure-access
    accounts, 500,000 work orders over three years with their tasks, events and clocks, 3,000 assets, 2,000,000
    alerts over two years with their history, 1,984 metric series with 20,000,000 five-minute samples and rollups.

Sealed columns are sealed and MACs computed with the deployment's keys (a fresh master key, written with the
benchmark accounts to --accounts, mode 0600), so the API serves these rows exactly like its own. The random source
is seeded: the same seed, scale and start hour give the same rows (PostgreSQL's random() is seeded too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Bench#Passw0rd2026"
PRODUCTION_ITERATIONS = 200_000


def govops(env: dict[str, str], *command: str) -> None:
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "cli", *command], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"govops {' '.join(command)} failed:\n{out.stdout}\n{out.stderr}")
    print(f"  govops {' '.join(command):<27} {time.monotonic() - started:7.1f} s", flush=True)


async def grow(
    dsn: str, sa_url: str, scale: float, seed: int, now: datetime, master_key: str
) -> tuple[dict[str, int], list[dict[str, str]]]:
    import models  # noqa: F401  (every table)
    from bench.citygen import access, alerts, assets, identity, metrics, orders, wireless
    from bench.citygen.base import Gen, Progress
    from core import keys
    from core.db.engine import create_engine

    keys.configure(master_key)
    engine = create_engine(sa_url)
    await keys.load(engine)
    conn = await asyncpg.connect(dsn)
    progress = Progress()
    try:
        g = Gen(conn, random.Random(seed), now, scale)
        await conn.execute(f"SELECT setseed({(seed % 1000) / 1000})")
        started = time.monotonic()
        org = await identity.grow(g, PASSWORD, PRODUCTION_ITERATIONS)
        progress.stage("org_unit + user_account", len(org.units) + len(org.people), started)
        await wireless.cards(g, org, progress)
        await wireless.traffic(g, engine, progress)
        await access.accounts(g, org, progress)
        await orders.generate(g, org, progress)
        await alerts.generate(g, org, progress)
        await assets.generate(g, org, progress)
        await g.fix_sequences()
        await metrics.generate(g, org, engine, progress)
        await g.fix_sequences()
        started = time.monotonic()
        await conn.execute("VACUUM (ANALYZE)")  # fresh statistics and visibility maps, as autovacuum would leave them
        progress.stage("VACUUM (ANALYZE)", 0, started)
        users = await _accounts(conn)
    finally:
        await conn.close()
        await engine.dispose()
    print(f"  total {progress.total():.0f} s")
    return g.counts, users


async def _accounts(conn: asyncpg.Connection) -> list[dict[str, str]]:
    """The users the load benchmark logs in as, in the roles that use the screens: city operators, administrators of big and
    small units, applicants. Written with the master key the server needs."""
    rows = await conn.fetch(
        """
        SELECT u.username, r.code AS role, o.code AS unit_code
        FROM user_account u JOIN user_role ur ON ur.user_id = u.id JOIN role r ON r.id = ur.role_id
        JOIN org_unit o ON o.id = u.org_unit_id
        WHERE r.code IN ('management_operator', 'unit_admin', 'unit_applicant') ORDER BY u.id
        """
    )
    pick = random.Random(7)
    chosen = {"management_operator": 40, "unit_admin": 120, "unit_applicant": 140}  # the roles that use the screens
    users: list[dict[str, str]] = []
    for role, n in chosen.items():
        mine = [dict(r) for r in rows if r["role"] == role]
        users += pick.sample(mine, min(n, len(mine)))
    pick.shuffle(users)
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/govops_bench")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--accounts", default=str(ROOT / "var" / "bench" / "accounts.json"), help="where to write the logins")
    parser.add_argument("--master-key", default=None, help="default: a fresh random key (written to --accounts)")
    args = parser.parse_args()
    master_key = args.master_key or secrets.token_hex(32)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    sa_url = args.database.replace("postgresql://", "postgresql+asyncpg://", 1)
    env = {**os.environ, "GOVOPS_DATABASE_URL": sa_url, "GOVOPS_PROFILE": "demo", "GOVOPS_DEMO_PASSWORD": PASSWORD,
           "GOVOPS_MASTER_KEY": master_key, "GOVOPS_PASSWORD_ITERATIONS": str(PRODUCTION_ITERATIONS), "GOVOPS_LOG_LEVEL": "WARNING"}  # fmt: skip
    env.pop("GOVOPS_REDIS_URL", None)
    os.environ.update({k: v for k, v in env.items() if k.startswith("GOVOPS_")})
    os.environ.pop("GOVOPS_REDIS_URL", None)
    print(f"generating scale {args.scale:g} into {args.database} (seed {args.seed}, now {now:%Y-%m-%d %H:%M} UTC)", flush=True)
    started = time.monotonic()
    from bench.smoke import fresh_database  # the same fresh start as the smoke benchmark

    asyncio.run(fresh_database(args.database))
    govops(env, "db", "upgrade")
    govops(env, "seed-demo")
    counts, users = asyncio.run(grow(args.database, sa_url, args.scale, args.seed, now, master_key))
    path = Path(args.accounts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps({"database": args.database, "master_key": master_key, "password": PASSWORD, "scale": args.scale,
                                "seed": args.seed, "generated_at": now.isoformat(), "users": users}, ensure_ascii=False, indent=1))  # fmt: skip
    os.chmod(path, 0o600)
    print(f"done in {time.monotonic() - started:.0f} s; logins and the master key in {path}")
    print(json.dumps(counts, indent=1))


if __name__ == "__main__":
    main()
