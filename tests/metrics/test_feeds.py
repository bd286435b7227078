"""The platforms feed the metric store: the feed jobs run in-process against the simulators served over HTTP (their
gateways registered as the app registers them) store each sample once, whether a page is read twice, the platform
re-sends what it measured, or it fails first or half-way; per-unit series carry the unit's id, so a unit's panel
shows its own traffic only, and the Big Data Center's panel shows the UPFs'."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

import jobs.metrics
from core.clock import utcnow
from core.ids import to_global_id
from domain.catalog.enums import ServiceDomain
from domain.identity.models import OrgUnit
from domain.metrics import feeds
from domain.metrics.models import MetricSample, MetricSeries
from domain.workorders.ports import PlatformRejected, PlatformUnavailable
from integrations import registry as platform_registry
from integrations.base.serve import serve
from integrations.base.sim_metric_feed import SampleLog
from integrations.secure_access_support.gateway import secure_access_gateway
from integrations.secure_access_support.simulator import create_secure_access_simulator
from integrations.wireless_support.gateway import support_gateway
from integrations.wireless_support.sim_metrics import UpfTraffic
from integrations.wireless_support.simulator import create_support_simulator
from jobs.interface_log import recorder
from jobs.metrics import secure_access_feed, wireless_feed
from tests.workorders.test_dispatch import runner

WIRELESS_EACH, SECURE_ACCESS_EACH = 42, 10  # samples the platforms measure every 5 minutes
PANEL = """query($f: MetricSeriesFilter, $from: DateTime, $to: DateTime) {
  metricPanel(filter: $f, from: $from, to: $to, stepSeconds: 300, aggregate: SUM) {
    resolution stepSeconds curves { series { metric resourceType resourceKey labels unit unitId domain } points { at value } }
  }
}"""


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


class Reads:
    """An ASGI wrapper that arms the simulator's own failure injection (a 500) for one coming read of a feed."""

    def __init__(self, app: Any, path: str, operation: str) -> None:
        self.app, self.path, self.operation = app, path, operation
        self.fail_at: int | None = None  # fail the read this many reads from now (1: the next)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and self.fail_at is not None:
            self.fail_at -= 1
            if self.fail_at == 0:
                self.app.state.sim.fail("500", 1, operation=self.operation)
                self.fail_at = None
        await self.app(scope, receive, send)


@dataclass
class Platforms:
    clock: Clock
    wireless: Any
    secure_access: Any
    wireless_reads: Reads

    @property
    def upf(self) -> SampleLog:
        return self.wireless.state.metrics

    @property
    def zone(self) -> SampleLog:
        return self.secure_access.state.metrics


@pytest.fixture
async def platforms(demo: Any) -> AsyncIterator[Platforms]:
    """Both support platforms served over HTTP with their gateways registered, their clocks stopped an hour before
    the test starts (what they measured does not change under the assertions, and a test may move them on by up to
    an hour without measuring the future, which the store refuses)."""
    clock = Clock(utcnow() - timedelta(hours=1))
    wireless, secure_access = create_support_simulator(seed=5), create_secure_access_simulator(seed=5)
    wireless.state.support.clock = secure_access.state.secure_access.clock = clock
    reads = Reads(wireless, "/metrics", "metrics")
    record = recorder(demo.session_factory)
    async with serve(reads) as wireless_url, serve(secure_access) as secure_access_url:
        gateways = [support_gateway(wireless_url, record, timeout=2), secure_access_gateway(secure_access_url, record, timeout=2)]
        for gateway in gateways:
            platform_registry.register(gateway)
        try:
            yield Platforms(clock, wireless, secure_access, reads)
        finally:
            for gateway in gateways:
                platform_registry.unregister(gateway.platform)
                await gateway.client.close()


async def run(services: Any, job: Any) -> dict[str, int]:
    return await job(runner(services).executor.context())  # type: ignore[no-any-return]


async def stored(services: Any) -> tuple[int, int]:
    """(samples, series) in the store."""
    async with services.session_factory() as s:
        samples = (await s.execute(select(func.count()).select_from(MetricSample))).scalar_one()
        series = (await s.execute(select(func.count()).select_from(MetricSeries))).scalar_one()
    return samples, series


async def cursor(services: Any, feed: feeds.Feed) -> int | None:
    async with services.session_factory() as s:
        return await feeds.stored_cursor(s, feed)


def counts(taken: int = 0, duplicates: int = 0, skipped: int = 0, refused: int = 0, unknown_units: int = 0) -> dict[str, int]:
    return {"taken": taken, "duplicates": duplicates, "skipped": skipped, "refused": refused, "unknown_units": unknown_units}


async def test_the_wireless_feed_stores_each_sample_once(platforms, demo):
    assert await run(demo, wireless_feed) == counts(taken=24 * WIRELESS_EACH)  # the two hours the platform had
    assert await stored(demo) == (24 * WIRELESS_EACH, WIRELESS_EACH)
    assert await cursor(demo, feeds.WIRELESS) == platforms.upf.last_id == 24 * WIRELESS_EACH
    assert await run(demo, wireless_feed) == counts()  # nothing new: nothing read twice
    platforms.clock.now += timedelta(minutes=5)
    assert await run(demo, wireless_feed) == counts(taken=WIRELESS_EACH)
    # The platform re-measures and re-sends the last hour under new ids (as after a restart): nothing is stored twice.
    platforms.upf.until -= timedelta(hours=1)
    assert await run(demo, wireless_feed) == counts(duplicates=12 * WIRELESS_EACH)
    assert await stored(demo) == (25 * WIRELESS_EACH, WIRELESS_EACH)
    assert await cursor(demo, feeds.WIRELESS) == platforms.upf.last_id == 37 * WIRELESS_EACH
    async with demo.session_factory() as s:
        domains = set((await s.execute(select(MetricSeries.domain))).scalars())
    assert domains == {ServiceDomain.WIRELESS}


async def test_a_page_read_twice_is_skipped(platforms, demo):
    """Two readers of the same page (a run that overlapped the previous one): the second finds the cursor past it."""
    log = platforms.upf
    page = log.page(None, 100)
    entries = [feeds.FeedEntry(s["id"], s["metric"], s["resourceType"], s["resourceKey"], s["unitCode"], s["value"],
                               datetime.fromisoformat(s["at"]), s["labels"]) for s in page["samples"]]  # fmt: skip
    for expected in (counts(taken=100), counts(skipped=100)):
        async with demo.unit_of_work() as uow:
            assert await feeds.take(uow, feeds.WIRELESS, entries, page["next"]) == expected
    assert (await stored(demo))[0] == 100 and await cursor(demo, feeds.WIRELESS) == 100
    assert await run(demo, wireless_feed) == counts(taken=23 * WIRELESS_EACH - 58)  # the job goes on after the page


async def test_a_platform_that_fails_first_is_read_again_and_one_that_fails_half_way_keeps_the_pages_read(
    platforms, demo, monkeypatch
):
    platforms.wireless.state.sim.fail("500", 1, operation="metrics")
    with pytest.raises(PlatformUnavailable):
        await run(demo, wireless_feed)
    assert (await stored(demo), await cursor(demo, feeds.WIRELESS)) == ((0, 0), None)
    assert await run(demo, wireless_feed) == counts(taken=24 * WIRELESS_EACH)
    monkeypatch.setattr(jobs.metrics, "PAGE", 100)
    platforms.clock.now += timedelta(hours=1)  # 12 more 5 minutes: 504 samples, 6 pages of 100
    platforms.wireless_reads.fail_at = 3
    assert await run(demo, wireless_feed) == counts(taken=200)  # pages 1 and 2, then the platform failed
    assert await cursor(demo, feeds.WIRELESS) == 24 * WIRELESS_EACH + 200
    assert await run(demo, wireless_feed) == counts(taken=12 * WIRELESS_EACH - 200)
    assert (await stored(demo))[0] == 36 * WIRELESS_EACH
    platforms.wireless.state.sim.fail("reject", 1, operation="metrics")  # a refusal on the first page fails the run too
    with pytest.raises(PlatformRejected) as refused:
        await run(demo, wireless_feed)
    assert refused.value.code == "SIMULATED_REJECTION"


async def test_unit_series_are_in_the_units_scope_and_the_panel_shows_the_upf_traffic(platforms, demo, gql):
    await run(demo, wireless_feed)
    log = platforms.upf
    window = {"from": log.start.isoformat(), "to": log.until.isoformat()}
    async with demo.session_factory() as s:
        pd = (await s.execute(select(OrgUnit.id).where(OrgUnit.code == "D-PD"))).scalar_one()
    mine = (await gql(PANEL, {"f": {"metrics": ["upf.uplink_bytes"]}, **window}, as_user="pd_admin"))["data"]["metricPanel"]
    [curve] = mine["curves"]
    assert curve["series"] == {"metric": "upf.uplink_bytes", "resourceType": "UNIT", "resourceKey": "D-PD",
                               "labels": {"upf": "UPF-PD-1"}, "unit": "bytes", "unitId": to_global_id("OrgUnit", pd),
                               "domain": "WIRELESS"}  # fmt: skip
    sent = [(s["at"], s["value"]) for s in log.samples if s["metric"] == "upf.uplink_bytes" and s["resourceKey"] == "D-PD"]
    assert [(datetime.fromisoformat(p["at"]), p["value"]) for p in curve["points"]] == [
        (datetime.fromisoformat(at), v) for at, v in sent
    ]
    assert len(curve["points"]) == 24 and mine["resolution"] == "RAW" and mine["stepSeconds"] == 300
    upfs = {"metrics": ["upf.uplink_bytes", "upf.downlink_bytes"], "resourceTypes": ["UPF"]}
    assert (await gql(PANEL, {"f": upfs, **window}, as_user="pd_admin"))["data"]["metricPanel"]["curves"] == []
    bdc = (await gql(PANEL, {"f": upfs, **window}, as_user="operator"))["data"]["metricPanel"]["curves"]
    assert sorted((c["series"]["metric"], c["series"]["resourceKey"]) for c in bdc) == [
        (m, u) for m in ("upf.downlink_bytes", "upf.uplink_bytes") for u in ("UPF-CORE-1", "UPF-HP-1", "UPF-PD-1")
    ]
    for c in bdc:
        assert {c["series"]["unitId"], len(c["points"])} == {None, 24}
        measured = {s["at"]: s["value"] for s in log.samples
                    if (s["metric"], s["resourceKey"]) == (c["series"]["metric"], c["series"]["resourceKey"])}  # fmt: skip
        assert sum(p["value"] for p in c["points"]) == sum(measured.values()) > 0
    every = (await gql(PANEL, {"f": {"metrics": ["upf.sessions"]}, **window}, as_user="operator"))["data"]["metricPanel"]
    assert len(every["curves"]) == 14  # three UPFs and eleven units


async def test_a_unit_we_do_not_know_is_kept_without_a_unit_and_counted(platforms, demo, gql):
    platforms.upf.measure = UpfTraffic(5, {"UPF-PD-2": ("D-PD", "D-NEW")}).measure  # before the platform's first read
    assert await run(demo, wireless_feed) == counts(taken=24 * 9, unknown_units=24 * 3)
    async with demo.session_factory() as s:
        rows = (
            await s.execute(select(MetricSeries.resource_key, MetricSeries.unit_id).where(MetricSeries.resource_type == "UNIT"))
        ).all()
        pd = (await s.execute(select(OrgUnit.id).where(OrgUnit.code == "D-PD"))).scalar_one()
    assert {(k, u) for k, u in rows} == {("D-PD", pd), ("D-NEW", None)}
    q = '{ metricSeries(filter: {resourceTypes: ["UNIT"]}) { resourceKey } }'
    assert {x["resourceKey"] for x in (await gql(q, as_user="pd_admin"))["data"]["metricSeries"]} == {"D-PD"}
    assert {x["resourceKey"] for x in (await gql(q, as_user="operator"))["data"]["metricSeries"]} == {"D-PD", "D-NEW"}


async def test_the_secure_access_feed_stores_the_zone_statistics(platforms, demo, gql):
    assert await run(demo, secure_access_feed) == counts(taken=24 * SECURE_ACCESS_EACH)
    assert await run(demo, secure_access_feed) == counts()
    assert await cursor(demo, feeds.SECURE_ACCESS) == platforms.zone.last_id and await cursor(demo, feeds.WIRELESS) is None
    async with demo.session_factory() as s:
        series = (await s.execute(select(MetricSeries.metric, MetricSeries.resource_type, MetricSeries.resource_key,
                                         MetricSeries.unit, MetricSeries.domain))).all()  # fmt: skip
    assert {(m, u) for m, _t, _k, u, _d in series} == {("sa.online_users", "count"), ("sa.bandwidth_bps", "bps"),
                                                       ("sa.gateway_cpu", "percent")}  # fmt: skip
    assert {d for *_rest, d in series} == {ServiceDomain.SECURE_ACCESS}
    assert sorted(k for m, t, k, _u, _d in series if m == "sa.gateway_cpu") == ["SA-GW-1", "SA-GW-2"]
    q = '{ metricSeries(filter: {metrics: ["sa.online_users"]}) { resourceType resourceKey } }'
    assert (await gql(q, as_user="pd_admin"))["data"]["metricSeries"] == [{"resourceType": "UNIT", "resourceKey": "D-PD"}]
    assert len((await gql(q, as_user="operator"))["data"]["metricSeries"]) == 6  # the zone and five units


async def test_a_foreign_metric_and_a_malformed_sample_are_refused_alone(demo):
    at = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=10)

    def entry(n: int, metric: str = "sa.online_users", resource_type: str = "UNIT", unit: str | None = "D-PD") -> feeds.FeedEntry:
        return feeds.FeedEntry(n, metric, resource_type, unit or "SA-ZONE-1", unit, float(n), at, {})

    page = [
        entry(1),
        entry(2, "sa.temperature"),
        entry(3, resource_type="unit"),
        entry(4, "sa.online_users", "SECURE_ACCESS_ZONE", None),
    ]
    async with demo.unit_of_work() as uow:
        assert await feeds.take(uow, feeds.SECURE_ACCESS, page, 9) == counts(taken=2, refused=2)
    assert await cursor(demo, feeds.SECURE_ACCESS) == 9  # past the refused ones too: they would be refused again


async def test_without_a_gateway_the_feeds_are_skipped(demo):
    assert platform_registry.gateway(feeds.WIRELESS.platform) is None
    assert (await run(demo, wireless_feed), await run(demo, secure_access_feed)) == ({}, {})
    assert await stored(demo) == (0, 0)
