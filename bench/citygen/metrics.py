"""Resource monitoring at city scale: the two platforms' series for every unit, UPF, access zone and gateway, five-
minute samples over the whole raw retention (35 days), and their hourly and daily rollups made by the store's own
`roll` (so the rollups are exactly what production would have).

At scale 1: 40 UPFs, 8 access zones and 240 gateways, and each of the 400 units' own UPF traffic, sessions and
online users: 1,984 series, 10,080 samples each, 20.0 million samples.
"""

from __future__ import annotations

import time
from datetime import timedelta

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.citygen.base import Gen, Progress
from bench.citygen.identity import Organisation
from core.db.engine import create_session_factory
from core.db.uow import UnitOfWork
from domain.metrics import partitions, service
from domain.metrics.enums import RETENTION, Resolution
from domain.metrics.service import labels_key

STEP = timedelta(minutes=5)
SERIES_COLUMNS = ["id", "domain", "metric", "resource_type", "resource_key", "labels", "labels_key", "unit", "unit_id", "created_at",
                  "last_sample_at"]  # fmt: skip
# metric: (measure, typical value per 5 minutes at the daily peak)
WIRELESS = {"upf.uplink_bytes": ("bytes", 4e8), "upf.downlink_bytes": ("bytes", 1.6e9), "upf.sessions": ("count", 900.0)}
ZONE = {"sa.online_users": ("count", 2500.0), "sa.bandwidth_bps": ("bps", 6e8)}


def _series(g: Gen, org: Organisation) -> list[tuple[tuple[object, ...], float]]:
    """(series row, peak value) of every series."""
    out: list[tuple[tuple[object, ...], float]] = []
    upfs = [f"UPF-{k:02d}" for k in range(1, g.n(40) + 1)]
    zones = [f"SA-ZONE-{k}" for k in range(1, g.n(8) + 1)]
    created = g.now - timedelta(days=400)

    def add(domain: str, metric: str, rtype: str, key: str, labels: dict[str, str], measure: str, unit_id: int | None,
            peak: float) -> None:  # fmt: skip
        out.append(
            ((domain, metric, rtype, key, orjson.dumps(labels).decode(), labels_key(labels), measure, unit_id, created), peak)
        )

    for upf in upfs:
        for metric, (measure, peak) in WIRELESS.items():
            add("WIRELESS", metric, "UPF", upf, {}, measure, None, peak * 10 * g.rng.uniform(0.5, 1.5))
    for zone in zones:
        add("SECURE_ACCESS", "sa.online_users", "SECURE_ACCESS_ZONE", zone, {}, "count", None, ZONE["sa.online_users"][1])
        for direction in ("in", "out"):
            add("SECURE_ACCESS", "sa.bandwidth_bps", "SECURE_ACCESS_ZONE", zone, {"direction": direction}, "bps", None,
                ZONE["sa.bandwidth_bps"][1] * (1 if direction == "in" else 0.3))  # fmt: skip
    for k in range(1, g.n(240) + 1):
        add("SECURE_ACCESS", "sa.gateway_cpu", "GATEWAY", f"SA-GW-{k:03d}", {"zone": zones[k % len(zones)]}, "percent", None,
            g.rng.uniform(35, 85))  # fmt: skip
    for i, unit in enumerate(org.units):
        size = 3.0 / (1 + i) ** 0.5
        upf = upfs[i % len(upfs)]
        for metric, (measure, peak) in WIRELESS.items():
            add("WIRELESS", metric, "UNIT", unit.code, {"upf": upf}, measure, unit.id, peak * size)
        add("SECURE_ACCESS", "sa.online_users", "UNIT", unit.code, {"zone": zones[i % len(zones)]}, "count", unit.id, 80 * size)
    return out


async def generate(g: Gen, org: Organisation, engine: AsyncEngine, progress: Progress) -> None:
    started = time.monotonic()
    specs = _series(g, org)
    ids = await g.ids("metric_series", len(specs))
    end = g.now.replace(minute=g.now.minute - g.now.minute % 5, second=0, microsecond=0)
    start = end - RETENTION[Resolution.RAW] + STEP
    await g.copy("metric_series", SERIES_COLUMNS, [(sid, *row, end) for sid, (row, _peak) in zip(ids, specs, strict=True)])
    # The partitions the samples fall in (the store makes them ahead; here the past days too).
    day = start.date()
    while day <= end.date() + timedelta(days=2):
        await g.conn.execute(partitions.ddl(day))
        day += timedelta(days=1)
    await g.conn.execute("SELECT setseed(0.2026)")
    # One statement: a daily curve peaking in the Beijing afternoon, quieter at weekends, with noise. The peak of
    # each series rides in from a VALUES list.
    peaks = [(sid, peak) for sid, (_row, peak) in zip(ids, specs, strict=True)]
    await g.conn.execute("CREATE TEMP TABLE bench_peak (series_id bigint PRIMARY KEY, peak float8)")
    await g.conn.copy_records_to_table("bench_peak", records=peaks)
    await g.conn.execute(
        """
        INSERT INTO metric_sample (series_id, at, value)
        SELECT p.series_id, t,
               CASE WHEN s.unit = 'percent' THEN least(100, round((p.peak * shape * (0.9 + random() * 0.2))::numeric, 1))::float8
                    WHEN s.unit IN ('count') THEN round(p.peak * shape * (0.85 + random() * 0.3))
                    ELSE round(p.peak * shape * (0.7 + random() * 0.6)) END
        FROM bench_peak p JOIN metric_series s ON s.id = p.series_id
        CROSS JOIN generate_series($1::timestamptz, $2::timestamptz, interval '5 minutes') t
        CROSS JOIN LATERAL (SELECT (0.15 + 0.85 * greatest(0, sin(pi() * (extract(hour FROM t AT TIME ZONE 'Asia/Shanghai') - 6) / 14)))
                                   * CASE WHEN extract(isodow FROM t AT TIME ZONE 'Asia/Shanghai') >= 6 THEN 0.35 ELSE 1 END
                                   AS shape) c
        """,
        start,
        end,
    )
    n = int(await g.conn.fetchval("SELECT count(*) FROM metric_sample"))
    g.counts["metric_sample"] = n
    progress.stage("metric_sample (5-min, 35 days)", n, started)
    started = time.monotonic()
    # The store's own rollup, run until it has caught up (72 hours a run, as the cron does it).
    factory = create_session_factory(engine)
    hours = days = 0
    while True:
        async with UnitOfWork(factory) as uow:
            done = await service.roll(uow, g.now)
        hours, days = hours + done["hours"], days + done["days"]
        if not done["hours"] and not done["days"]:
            break
    rolled = int(await g.conn.fetchval("SELECT count(*) FROM metric_rollup"))
    g.counts["metric_rollup"] = rolled
    progress.stage(f"metric_rollup ({hours:,} hours, {days} days)", rolled, started)
