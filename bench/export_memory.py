"""Export memory benchmark: a work order export of N rows, built exactly as the `exports.build` job builds it.

    python bench/export_memory.py [--rows 10000 100000] [--database sqlite|postgresql+asyncpg://...]

For each N it makes a fresh database (migrated, demo organisation, N orders inserted in bulk), asks for the
export as the Big Data Center's operator and builds it, then reports the build time, the Python heap's peak
during the build (tracemalloc) and the process's peak RSS, and opens the file with openpyxl to count its rows.
Flat memory means the heap peak does not grow with N. Writes the figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MASTER_KEY = "bench-master-key-export-memory-0123456789"


def migrate(url: str) -> None:
    env = {**os.environ, "GOVOPS_DATABASE_URL": url, "GOVOPS_PROFILE": "test", "GOVOPS_MASTER_KEY": MASTER_KEY}
    subprocess.run([sys.executable, "-m", "cli", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)


async def reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


async def insert_orders(services: object, n: int) -> None:
    from sqlalchemy import insert, select

    from domain.identity.models import User
    from domain.workorders.enums import WorkOrderStatus
    from domain.workorders.models import WorkOrder

    async with services.session_factory() as s:  # type: ignore[attr-defined]
        users = list((await s.execute(select(User.id, User.org_unit_id).where(User.username.like("%_user")))).all())
    start = datetime.now(UTC) - timedelta(days=365)
    batch = []
    for i in range(n):
        user_id, unit_id = users[i % len(users)]
        at = start + timedelta(seconds=i * 30)
        batch.append({
            "number": f"GD2099{i // 1_000_000 + 1:02d}{i % 1_000_000:08d}"[:16], "kind": "wireless.open",
            "status": WorkOrderStatus.COMPLETED, "step": None, "title": f"专网卡开通申请 第{i}号（{(i % 20) + 1}张）",
            "payload": {"quantity": 1 + i % 20}, "applicant_id": user_id, "unit_id": unit_id, "round": 1, "version": 4,
            "overdue": i % 17 == 0, "due_at": None, "created_at": at, "updated_at": at, "finished_at": at + timedelta(hours=5),
        })  # fmt: skip
        if len(batch) == 5000:
            async with services.engine.begin() as conn:  # type: ignore[attr-defined]
                await conn.execute(insert(WorkOrder.__table__), batch)
            batch = []
    if batch:
        async with services.engine.begin() as conn:  # type: ignore[attr-defined]
            await conn.execute(insert(WorkOrder.__table__), batch)


async def one_run(url: str, n: int, storage_dir: Path) -> dict[str, object]:
    from openpyxl import load_workbook

    import domain.workorders.exports as wo_exports
    import models  # noqa: F401
    from core.settings import Profile, Settings
    from domain.exports import service
    from domain.identity import auth
    from domain.identity.demo import seed_demo
    from server import start_services, stop_services

    settings = Settings(profile=Profile.TEST, database_url=url, master_key=MASTER_KEY, password_iterations=1000,
                        storage_dir=storage_dir)  # fmt: skip
    services = await start_services(settings, run_jobs=False)
    try:
        async with services.unit_of_work() as uow:
            await seed_demo(uow, "Bench#Passw0rd2026", 1000)
        await insert_orders(services, n)
        async with services.read() as db:
            from sqlalchemy import select

            from domain.identity.models import User

            operator_id = (await db.execute(select(User.id).where(User.username == "operator"))).scalar_one()
            actor = await auth.actor_of(db, operator_id)
            assert actor is not None
            total = await wo_exports.EXPORTER.count(db, actor, {})
        async with services.unit_of_work() as uow:
            timed = await service.request(uow, actor, wo_exports.EXPORTER, {}, total)
            export = await service.request(uow, actor, wo_exports.EXPORTER, {}, total)
        began = time.perf_counter()  # the time, from a build without tracemalloc (which slows allocation several-fold)
        await service.build(services.read, services.unit_of_work, services.storage, timed.id)
        seconds = time.perf_counter() - began
        tracemalloc.start()  # the memory, from a second identical build
        status = await service.build(services.read, services.unit_of_work, services.storage, export.id)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        async with services.read() as db:
            row = await service.get(db, actor, export.id)
        data = await services.storage.read(row.storage_key)
        path = storage_dir / "check.xlsx"
        path.write_bytes(data)
        book = load_workbook(path, read_only=True)
        rows = sum(1 for _ in book.active.iter_rows(values_only=True)) - 1
        return {"rows": n, "status": status.value if status else None, "file_rows": rows, "seconds": round(seconds, 1),
                "heap_peak_mb": round(peak / 2**20, 1), "file_mb": round(len(data) / 2**20, 2),
                "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}  # fmt: skip
    finally:
        await stop_services(services)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database", default="sqlite", help="sqlite (a temporary file) or a postgresql+asyncpg URL")
    args = parser.parse_args()
    results = []
    for n in args.rows:
        with tempfile.TemporaryDirectory(prefix="govops-export-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3" if args.database == "sqlite" else args.database
            if url.startswith("postgresql"):
                await reset_postgres(url)
            migrate(url)
            result = await one_run(url, n, Path(tmp) / "files")
            print(result, flush=True)
            results.append(result)
    write_results(args, results)


def write_results(args: argparse.Namespace, results: list[dict[str, object]]) -> None:
    backend = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### Export memory: work orders to .xlsx ({stamp}, {backend})", "",
        f"- Command: `python bench/export_memory.py --rows {' '.join(map(str, args.rows))}"
        + ("" if args.database == "sqlite" else " --database <postgresql url>") + "`",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "- What: the `exports.build` path (keyset batches of 1,000 rows, openpyxl write-only, SM4-sealed into the store); "
        "time from one build, heap peak by tracemalloc during a second identical build, RSS peak of the whole process (includes the bulk insert)", "",
        "| rows | build s | heap peak MB | RSS peak MB | file MB | rows read back |", "|---:|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    lines += [f"| {r['rows']:,} | {r['seconds']} | {r['heap_peak_mb']} | {r['rss_peak_mb']} | {r['file_mb']} | {r['file_rows']:,} |"
              for r in results]  # fmt: skip
    block = "\n".join(lines) + "\n"
    marker_begin, marker_end = f"<!-- export-memory-{backend.lower()}:begin -->", f"<!-- export-memory-{backend.lower()}:end -->"
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    section = f"{marker_begin}\n{block}{marker_end}"
    if marker_begin in text:
        head, rest = text.split(marker_begin, 1)
        text = head + section + rest.split(marker_end, 1)[1]
    else:
        heading = "## Export memory (issue 4)"
        text = text.rstrip() + ("\n\n" if heading in text else f"\n\n{heading}\n\n") + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
