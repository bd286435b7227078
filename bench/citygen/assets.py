"""Assets: the demo's 2,974 registered devices, topped up to 3,000 per scale unit by copying demo devices (a fresh
serial, another unit) with a CREATED history row each, and spread over the grown organisation."""

from __future__ import annotations

import time

from bench.citygen.base import Gen, Progress
from bench.citygen.identity import Organisation

COLUMNS = ["serial", "name", "model_id", "domain", "location", "status", "commissioned_on", "warranty_until", "end_of_life",
           "software_version", "management_ip", "notes", "created_at", "updated_at"]  # fmt: skip


async def generate(g: Gen, org: Organisation, progress: Progress) -> None:
    started = time.monotonic()
    have = int(await g.conn.fetchval("SELECT count(*) FROM asset"))
    wanted = g.n(3000) - have
    # Devices of the demo's units move to the units that use them now: sub-units hold most of the street equipment.
    rows = await g.conn.fetch("SELECT id FROM asset WHERE parent_id IS NULL ORDER BY id")
    moves = [(r["id"], org.unit_picker(g.rng).id) for r in rows if g.rng.random() < 0.6]
    await g.conn.executemany("UPDATE asset SET unit_id = $2 WHERE id = $1 OR parent_id = $1", moves)
    if wanted > 0:
        sources = [r["id"] for r in await g.conn.fetch("SELECT id FROM asset WHERE parent_id IS NULL ORDER BY id")]
        picks = [(g.rng.choice(sources), org.unit_picker(g.rng).id, f"BX{g.now:%Y}{k:08d}") for k in range(wanted)]
        cols = ", ".join(COLUMNS)
        await g.conn.executemany(
            f"""
            WITH made AS (
                INSERT INTO asset ({cols}, unit_id, version)
                SELECT $3, {", ".join(f"a.{c}" for c in COLUMNS[1:])}, $2, 1 FROM asset a WHERE a.id = $1
                RETURNING id, created_at)
            INSERT INTO asset_event (asset_id, kind, actor_id, actor_name, at, detail)
            SELECT id, 'CREATED', NULL, 'bench', created_at, '{{}}' FROM made
            """,
            picks,
        )
    g.counts["asset"] = int(await g.conn.fetchval("SELECT count(*) FROM asset"))
    progress.stage(f"asset ({len(moves):,} moved, {max(wanted, 0):,} added)", g.counts["asset"], started)
