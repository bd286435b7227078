"""The metric store: idempotent ingestion with refusals, exact hourly and daily rollups (late samples included), panels
that read the coarsest data that answers them (asserted on the statements), data scope, partitions and retention,
and the live resource panel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from core.clock import utcnow
from domain.catalog.enums import ServiceDomain
from domain.identity.models import OrgUnit
from domain.metrics import repository as repo
from domain.metrics import service
from domain.metrics.enums import Aggregate, Resolution
from domain.metrics.models import MetricRollup
from domain.metrics.service import Sample, beijing_day_start
from tests.resolvers.identity.test_subscriptions import open_subscription
from tests.workorders.helpers import actor


def day_start() -> datetime:
    """Yesterday's Beijing midnight (in UTC): a whole day within the raw retention."""
    return beijing_day_start(utcnow()) - timedelta(days=1)


def upf(value: float, at: datetime, key: str = "UPF-PD-1", unit_id: int | None = None, **labels: Any) -> Sample:
    return Sample("upf.uplink_bytes", "UPF", key, value, at, ServiceDomain.WIRELESS, unit="bytes", labels=labels,
                  unit_id=unit_id)  # fmt: skip


async def ingest(services: Any, samples: list[Sample], now: datetime | None = None) -> service.Ingested:
    async with services.unit_of_work() as uow:
        return await service.ingest(uow, samples, now)


async def roll(services: Any, now: datetime) -> dict[str, int]:
    async with services.unit_of_work() as uow:
        return await service.roll(uow, now)


async def rollups(services: Any, resolution: Resolution) -> list[tuple[datetime, int, float, float, float]]:
    r = MetricRollup.__table__.c
    async with services.session_factory() as s:
        rows = await s.execute(select(r.bucket_start, r.count, r.sum, r.min, r.max).where(r.resolution == resolution)
                               .order_by(r.bucket_start))  # fmt: skip
        return [tuple(x) for x in rows]  # type: ignore[misc]


async def test_a_day_of_five_minute_samples_rolls_up_to_exact_hours_and_day(services):
    start = day_start()
    samples = [upf(float(i), start + timedelta(minutes=5 * i)) for i in range(288)]
    assert (await ingest(services, samples)).accepted == 288
    done = await roll(services, start + timedelta(days=1, hours=1))
    assert done == {"hours": 24, "days": 1}
    hours = await rollups(services, Resolution.HOUR)
    assert len(hours) == 24
    for h, (at, count, total, low, high) in enumerate(hours):
        values = range(12 * h, 12 * h + 12)
        assert (at, count, total, low, high) == (start + timedelta(hours=h), 12, float(sum(values)), values[0], values[-1])
    assert await rollups(services, Resolution.DAY) == [(start, 288, float(sum(range(288))), 0.0, 287.0)]
    assert await roll(services, start + timedelta(days=1, hours=1)) == {"hours": 0, "days": 0}  # nothing new

    late = await ingest(services, [upf(1000.0, start + timedelta(hours=3, minutes=2))])  # a sample the platform sent late
    assert late.accepted == 1
    await roll(services, start + timedelta(days=1, hours=2))
    hours = await rollups(services, Resolution.HOUR)
    assert hours[3][1:] == (13, float(sum(range(36, 48)) + 1000), 36.0, 1000.0)
    assert await rollups(services, Resolution.DAY) == [(start, 289, float(sum(range(288)) + 1000), 0.0, 1000.0)]


async def test_ingestion_stores_a_sample_once_and_refuses_the_malformed(services):
    now = utcnow()
    batch = [upf(1.0, now - timedelta(minutes=10)), upf(2.0, now - timedelta(minutes=5))]
    assert (await ingest(services, batch)).accepted == 2
    again = await ingest(services, batch)
    assert (again.accepted, again.duplicates) == (0, 2)
    bad = await ingest(services, [
        Sample("UPF Bytes", "UPF", "UPF-1", 1.0, now, ServiceDomain.WIRELESS),
        upf(float("nan"), now), upf(1.0, now + timedelta(hours=1)), upf(1.0, now - timedelta(days=60)),
        Sample("upf.sessions", "upf", "UPF-1", 1.0, now, ServiceDomain.WIRELESS),
    ])  # fmt: skip
    assert (bad.accepted, [i for i, _why in bad.refused]) == (0, [0, 1, 2, 3, 4])


async def test_a_thirty_day_panel_reads_the_daily_rollup_and_a_short_one_the_samples(services, demo):
    start = day_start() - timedelta(days=29)
    samples = [upf(float(d), start + timedelta(days=d, minutes=m)) for d in range(30) for m in (0, 600, 1200)]
    await ingest(services, samples)
    while (await roll(services, utcnow()))["hours"]:  # the job takes 72 hours a run: catch up as it would
        pass
    statements: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    who = await actor(services, "operator")
    event.listen(services.engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with services.session_factory() as s:
            month = await repo.panel(s, who, repo.SeriesFilter(metrics=("upf.uplink_bytes",)), start, start + timedelta(days=30),
                                     None, Aggregate.SUM)  # fmt: skip
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", capture)
    assert month.resolution is Resolution.DAY and month.step == timedelta(days=1)
    assert not any("metric_sample" in s for s in statements) and any("metric_rollup" in s for s in statements)
    [curve] = month.points.values()
    assert [v for _at, v in curve] == [3.0 * d for d in range(30)]
    async with services.session_factory() as s:
        day = await repo.panel(s, who, repo.SeriesFilter(), start, start + timedelta(days=1), timedelta(hours=1), Aggregate.MAX)
    assert day.resolution is Resolution.RAW and [v for _at, v in day.points[month.series[0].id]] == [0.0, 0.0, 0.0]


async def test_series_keep_to_the_data_scope(demo):
    async with demo.session_factory() as s:
        pd = (await s.execute(select(OrgUnit.id).where(OrgUnit.code == "D-PD"))).scalar_one()
    now = utcnow() - timedelta(minutes=1)
    await ingest(demo, [upf(5.0, now, key="UPF-PD-1", unit_id=pd), upf(9.0, now, key="UPF-CORE")])
    async with demo.session_factory() as s:
        mine = await repo.series(s, await actor(demo, "pd_admin"), repo.SeriesFilter())
        every = await repo.series(s, await actor(demo, "operator"), repo.SeriesFilter())
    assert [x.resource_key for x in mine] == ["UPF-PD-1"] and len(every) == 2


async def test_retention_drops_old_data(services):
    now = utcnow()
    await ingest(services, [upf(1.0, now - timedelta(days=30))], now)
    async with services.unit_of_work() as uow:
        if uow.session.bind.dialect.name == "postgresql":
            from domain.metrics import partitions

            have = await partitions.existing(uow.session)
            assert partitions.name_of(now.date()) in have and partitions.name_of((now + timedelta(days=2)).date()) in have
        gone = await service.prune(uow, now + timedelta(days=10))  # the sample is 40 days old by then
    assert gone["samples"] == 1 or gone.get("partitions", 0) >= 1


async def test_the_live_panel_pushes_fresh_samples_of_its_series(demo, gql, served):
    now = utcnow() - timedelta(minutes=1)
    await ingest(demo, [upf(1.0, now - timedelta(minutes=5))])  # the series exists before the panel opens
    query = """subscription { resourcePanel(scope: {metrics: ["upf.uplink_bytes"]}) { at points { seriesId value } } }"""
    ws, sub = await open_subscription(served, await gql.token("operator"), query)
    try:
        await ingest(demo, [Sample("sa.online_users", "ZONE", "SA-ZONE", 3.0, now, ServiceDomain.SECURE_ACCESS)])  # another
        await ingest(demo, [upf(42.0, now)])
        message = await sub.next()
    finally:
        await ws.close()
    update = message["payload"]["data"]["resourcePanel"]
    assert [p["value"] for p in update["points"]] == [42.0]


def test_panel_points_fall_on_whole_hours_and_beijing_midnights():
    at = datetime(2026, 11, 29, 3, 16, 20, tzinfo=UTC)
    assert repo.aligned(at, timedelta(hours=1)) == datetime(2026, 11, 29, 3, tzinfo=UTC)
    assert repo.aligned(at, timedelta(minutes=5)) == datetime(2026, 11, 29, 3, 15, tzinfo=UTC)
    assert repo.aligned(at, timedelta(days=1)) == datetime(2026, 11, 28, 16, tzinfo=UTC)  # 00:00 on the 29th, Beijing
