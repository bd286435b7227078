"""The platforms' metric feeds: the wireless support platform's UPF traffic (GET /metrics) and the secure access
support platform's zone statistics (GET /resource-stats), served by their simulators over uvicorn and read through
the real clients: the last two hours on a fresh platform and more as its clock moves, paging and a page read again,
the base's injected failures, the figures themselves (deterministic, busier in office hours), and a reader that
refuses a page that could make it take a sample twice or skip one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from domain.integration.ports import CallOutcome, CallRecord
from domain.workorders.ports import PlatformRejected, PlatformUnavailable
from integrations.base.client import PlatformClient
from integrations.base.metric_feed import SampleFeedClient
from integrations.base.serve import serve
from integrations.base.sim_metric_feed import SampleLog, floor_step, working_hours
from integrations.secure_access_support.gateway import secure_access_client
from integrations.secure_access_support.metrics import ResourceStatsClient
from integrations.secure_access_support.sim_metrics import GATEWAYS, UNITS, ZONE, ZoneStats
from integrations.secure_access_support.simulator import create_secure_access_simulator
from integrations.wireless_support.gateway import support_client
from integrations.wireless_support.metrics import MetricFeedClient
from integrations.wireless_support.sim_metrics import UPFS, UpfTraffic
from integrations.wireless_support.simulator import create_support_simulator

T0 = datetime(2026, 11, 27, 6, 3, tzinfo=UTC)  # 14:03 in Beijing, a Friday
START = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)  # two hours before the 5 minutes T0 falls in
WIRELESS_EACH = 3 * (len(UPFS) + sum(len(u) for u in UPFS.values()))  # samples of one 5 minutes: 42
SECURE_ACCESS_EACH = len(UNITS) + 1 + 2 + len(GATEWAYS)  # 10


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Kind:
    """One platform's feed: how to make its simulator and client, and what one 5 minutes holds."""

    name: str
    make: Callable[[Clock], Starlette]
    client: Callable[[str, Any], PlatformClient]
    reader: type[SampleFeedClient]
    each: int


def _wireless(clock: Clock) -> Starlette:
    app = create_support_simulator(seed=1)
    app.state.support.clock = clock
    return app


def _secure_access(clock: Clock) -> Starlette:
    app = create_secure_access_simulator(seed=1)
    app.state.secure_access.clock = clock
    return app


WIRELESS = Kind("wireless", _wireless, support_client, MetricFeedClient, WIRELESS_EACH)
SECURE_ACCESS = Kind("secure_access", _secure_access, secure_access_client, ResourceStatsClient, SECURE_ACCESS_EACH)


@dataclass
class Platform:
    kind: Kind
    url: str
    app: Starlette
    feed: SampleFeedClient
    clock: Clock
    records: list[CallRecord] = field(default_factory=list)

    @property
    def log(self) -> SampleLog:
        return self.app.state.metrics

    async def control(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url) as http:
            return await (http.get(path) if body is None else http.post(path, json=body))

    async def everything(self, after: int | None = None, limit: int = 500) -> tuple[list[dict[str, Any]], int | None, int]:
        """Every sample after `after`, page by page: (samples in wire form, the last cursor, pages read)."""
        taken, pages = [], 0
        while True:
            page = await self.feed.samples(after, limit)
            taken += [s.wire() for s in page.samples]
            after, pages = page.next, pages + 1
            if not page.more:
                return taken, after, pages


@pytest.fixture(params=[WIRELESS, SECURE_ACCESS], ids=lambda k: k.name)
async def platform(request: pytest.FixtureRequest) -> AsyncIterator[Platform]:
    kind: Kind = request.param
    clock = Clock(T0)
    app = kind.make(clock)
    records: list[CallRecord] = []

    async def recorder(record: CallRecord) -> None:
        records.append(record)

    async with serve(app) as url:
        client = kind.client(url, recorder)
        async with client:
            yield Platform(kind, url, app, kind.reader(client), clock, records)


# --- the feed on the simulators ------------------------------------------------------------------------------------


async def test_a_fresh_platform_has_the_last_two_hours_and_more_as_its_clock_moves(platform: Platform):
    first, cursor, _ = await platform.everything()
    each = platform.kind.each
    assert len(first) == 24 * each and [s["id"] for s in first] == list(range(1, 24 * each + 1)) and cursor == 24 * each
    assert (first[0]["at"], first[-1]["at"]) == ("2026-11-27T04:00:00Z", "2026-11-27T05:55:00Z")
    assert [s["at"] for s in first] == sorted(s["at"] for s in first)  # oldest first
    platform.clock.now = T0 + timedelta(minutes=7)  # 06:05 to 06:10 is not over yet
    later, cursor, _ = await platform.everything(cursor)
    assert [s["id"] for s in later] == list(range(24 * each + 1, 26 * each + 1)) and cursor == 26 * each
    assert {s["at"] for s in later} == {"2026-11-27T06:00:00Z", "2026-11-27T06:05:00Z"}
    state = (await platform.control(f"/_sim{platform.kind.reader.path}")).json()
    assert state == {"start": START.isoformat(), "until": "2026-11-27T06:10:00+00:00", "lastId": 26 * each,
                     "kept": 26 * each, "oldestId": 1}  # fmt: skip


async def test_pages_give_every_sample_once_and_a_page_read_again_is_the_same(platform: Platform):
    taken, cursor, pages = await platform.everything(limit=100)
    total = 24 * platform.kind.each
    assert taken == platform.log.samples and cursor == total and pages == -(-total // 100)
    again = await platform.feed.samples(100, 100)  # the second page, read again (a crash before its commit)
    assert ([s.wire() for s in again.samples], again.next, again.more) == (taken[100:200], 200, True)
    empty = await platform.feed.samples(cursor, 100)
    assert (empty.samples, empty.next, empty.more) == ([], cursor, False)
    op = platform.kind.reader.operation
    urls = [r.url.split("?")[1] for r in platform.records if r.operation == op]
    assert urls[:2] == ["limit=100", "limit=100&after=100"]
    assert {(r.method, r.outcome, r.idempotency_key) for r in platform.records} == {("GET", CallOutcome.OK, None)}


async def test_the_platform_keeps_two_days_and_ids_go_on(platform: Platform):
    _, cursor, _ = await platform.everything()
    platform.clock.now = T0 + timedelta(days=3)
    state = (await platform.control(f"/_sim{platform.kind.reader.path}")).json()
    assert state["until"] == floor_step(T0 + timedelta(days=3)).isoformat()
    assert state["kept"] == 2 * 288 * platform.kind.each and state["oldestId"] > (cursor or 0)
    page = await platform.feed.samples(cursor, 10)  # a consumer that fell behind gets the oldest kept
    assert page.samples[0].id == state["oldestId"]
    assert page.samples[0].at == floor_step(T0 + timedelta(days=3)) - timedelta(days=2)


@pytest.mark.parametrize(
    ("mode", "failure", "outcome"),
    [
        ("500", PlatformUnavailable, CallOutcome.FAILED),
        ("down", PlatformUnavailable, CallOutcome.FAILED),
        ("429", PlatformUnavailable, CallOutcome.THROTTLED),
        ("drop", PlatformUnavailable, CallOutcome.UNREACHABLE),
        ("reject", PlatformRejected, CallOutcome.REJECTED),
    ],
)
async def test_an_injected_failure_fails_one_read_and_the_next_gets_the_page(
    platform: Platform, mode: str, failure: type[Exception], outcome: CallOutcome
):
    op = platform.kind.reader.operation
    armed = await platform.control("/_sim/fail", {"mode": mode, "times": 1, "operation": op})
    assert armed.json() == {"failures": [{"mode": mode, "remaining": 1, "operation": op}]}
    with pytest.raises(failure):
        await platform.feed.samples(None, 50)
    page = await platform.feed.samples(None, 50)
    assert [s.id for s in page.samples] == list(range(1, 51))
    assert [r.outcome for r in platform.records] == [outcome, CallOutcome.OK]
    state = (await platform.control("/_sim/state")).json()
    assert (state["failures"], state["calls_by_operation"]) == ([], {op: 2})


async def test_a_failure_armed_for_another_operation_leaves_the_feed_alone(platform: Platform):
    await platform.control("/_sim/fail", {"mode": "500", "times": 1, "operation": "account_open"})
    assert len((await platform.feed.samples(None, 5)).samples) == 5
    assert len((await platform.control("/_sim/state")).json()["failures"]) == 1


@pytest.mark.parametrize(
    ("after", "limit", "message"),
    [
        (-1, 10, "参数 after 须为不小于 0 的整数 / after must be a whole number, at least 0"),
        (None, 0, "参数 limit 须为 1 至 500 的整数 / limit must be a whole number from 1 to 500"),
        (None, 501, "参数 limit 须为 1 至 500 的整数 / limit must be a whole number from 1 to 500"),
    ],
)
async def test_a_bad_cursor_or_limit_is_refused(platform: Platform, after: int | None, limit: int, message: str):
    with pytest.raises(PlatformRejected) as refused:
        await platform.feed.samples(after, limit)
    assert (refused.value.code, str(refused.value)) == ("BAD_REQUEST", message)


# --- what the platforms measure ------------------------------------------------------------------------------------


def _by_resource(samples: list[Any]) -> dict[tuple[str, str], dict[str, float]]:
    out: dict[tuple[str, str], dict[str, float]] = {}
    for s in samples:
        out.setdefault((s.resource_type, s.resource_key), {})[s.metric] = s.value
    return out


def test_upf_traffic_per_upf_and_unit_adds_up_and_is_fixed_by_the_seed():
    at = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    measured = UpfTraffic(1).measure(at)
    figures = _by_resource(measured)
    metrics = {"upf.uplink_bytes", "upf.downlink_bytes", "upf.sessions"}
    assert len(measured) == WIRELESS_EACH and all(set(f) == metrics for f in figures.values())
    for upf, units in UPFS.items():
        for unit in units:
            assert [(m.unit_code, m.labels) for m in measured if m.resource_key == unit] == [(unit, {"upf": upf})] * 3
            assert figures["UNIT", unit]["upf.downlink_bytes"] > figures["UNIT", unit]["upf.uplink_bytes"] > 0
        assert {m.unit_code for m in measured if m.resource_key == upf} == {None}
        for metric in metrics:  # a UPF carries its units' traffic and that of users in no unit
            assert figures["UPF", upf][metric] > sum(figures["UNIT", u][metric] for u in units)
    assert all(m.value == int(m.value) for m in measured)
    assert UpfTraffic(1).measure(at) == measured and UpfTraffic(2).measure(at) != measured


def test_the_networks_are_busier_in_beijing_office_hours():
    office, night = datetime(2026, 11, 27, 6, 0, tzinfo=UTC), datetime(2026, 11, 26, 19, 0, tzinfo=UTC)  # 14:00, 03:00
    saturday = office + timedelta(days=1)
    assert (working_hours(office), working_hours(night), working_hours(saturday)) == (1.0, 0.15, 0.35)
    for who in ("UPF-PD-1", "UPF-CORE-1"):
        sessions = [_by_resource(UpfTraffic(1).measure(t))["UPF", who]["upf.sessions"] for t in (office, night, saturday)]
        assert sessions[0] > sessions[2] > sessions[1]
    users = [_by_resource(ZoneStats(1).measure(t))["SECURE_ACCESS_ZONE", ZONE]["sa.online_users"] for t in (office, night)]
    assert users[0] > 3 * users[1]


def test_zone_statistics_cover_users_bandwidth_and_gateways():
    at = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    measured = ZoneStats(1).measure(at)
    assert len(measured) == SECURE_ACCESS_EACH
    units = [m for m in measured if m.resource_type == "UNIT"]
    assert [(m.metric, m.resource_key, m.unit_code, m.labels) for m in units] == [
        ("sa.online_users", u, u, {"zone": ZONE}) for u in UNITS
    ]
    [zone] = [m for m in measured if m.metric == "sa.online_users" and m.resource_type == "SECURE_ACCESS_ZONE"]
    assert (zone.resource_key, zone.unit_code) == (ZONE, None) and zone.value > sum(m.value for m in units)
    bandwidth = {m.labels["direction"]: m.value for m in measured if m.metric == "sa.bandwidth_bps"}
    assert set(bandwidth) == {"in", "out"} and bandwidth["out"] > bandwidth["in"] > 0
    cpu = {m.resource_key: m.value for m in measured if m.metric == "sa.gateway_cpu"}
    assert set(cpu) == set(GATEWAYS) and all(0 < v <= 100 for v in cpu.values())
    assert {m.resource_type for m in measured if m.metric == "sa.gateway_cpu"} == {"GATEWAY"}
    assert ZoneStats(1).measure(at) == measured and ZoneStats(2).measure(at) != measured


# --- the reader against answers outside the contract ---------------------------------------------------------------


def sample(n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "id": n, "metric": "upf.uplink_bytes", "resourceType": "UPF", "resourceKey": "UPF-PD-1", "unitCode": None,
        "labels": {}, "value": 1024.0, "at": "2026-11-27T06:00:00Z",
    } | overrides  # fmt: skip


@pytest.mark.parametrize("reader", [MetricFeedClient, ResourceStatsClient], ids=["wireless", "secure_access"])
@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"samples": [sample(7), sample(6)], "next": 7}, "samples are not in ascending id order"),
        ({"samples": [sample(6), sample(6)], "next": 6}, "samples are not in ascending id order"),
        ({"samples": [sample(5)], "next": 5}, "sample 5 is not after the cursor 5"),
        ({"samples": [sample(6), sample(7)], "next": 6}, "next is before the last sample of the page"),
        ({"samples": [], "next": 2}, "next 2 goes back before the cursor 5"),
        ({"samples": [], "next": 5, "more": True}, "more samples are promised after an empty page"),
        ({"samples": [sample(6, at="2026-11-27T06:00:00")], "next": 6}, "samples.0.at: Input should have timezone info"),
        ({"samples": [sample(6, value="lots")], "next": 6}, "samples.0.value"),
        ({"samples": [sample(6, id=0)], "next": 6}, "samples.0.id"),
        ({"samples": [sample(n) for n in range(6, 9)], "next": 8}, "3 samples, more than the 2 asked for"),
        ({"events": []}, "samples: Field required"),
    ],
)
async def test_the_reader_refuses_a_page_that_could_lose_or_repeat_samples(
    reader: type[SampleFeedClient], answer: dict[str, Any], why: str
):
    app = Starlette(routes=[Route(reader.path, lambda _r: JSONResponse(answer), methods=["GET"])])
    async with serve(app) as url, reader.connect(url) as feed:  # type: ignore[attr-defined]
        with pytest.raises(PlatformRejected) as refused:
            await feed.samples(5, 2)
    assert (refused.value.code, why in str(refused.value)) == ("UNEXPECTED_ANSWER", True), str(refused.value)
    assert str(refused.value).startswith(f"{feed.platform} {reader.operation}: unexpected answer (")


async def test_the_reader_ignores_fields_it_does_not_know_and_keeps_the_cursor_of_an_empty_page():
    page = {"samples": [sample(6, quality="GOOD", unitCode="D-PD", labels={"upf": "UPF-PD-1"})], "next": 6, "region": "SH"}
    answers = iter([page, {"samples": [], "next": None, "more": False}])
    app = Starlette(routes=[Route("/metrics", lambda _r: JSONResponse(next(answers)), methods=["GET"])])
    async with serve(app) as url, MetricFeedClient.connect(url) as feed:
        got = await feed.samples(5)
        empty = await feed.samples(6)
    [s] = got.samples
    assert (s.id, s.unit_code, s.labels, s.at, got.next, got.more) == (
        6,
        "D-PD",
        {"upf": "UPF-PD-1"},
        T0.replace(minute=0),
        6,
        False,
    )
    assert (empty.samples, empty.next) == ([], 6)  # no `next` on an empty page: the cursor stays where it was
