"""The wireless overview, the carriers' daily traffic reports and the support platform's user sync."""

from __future__ import annotations

from typing import Any

from core.clock import SHANGHAI, utcnow
from core.screencache import ScreenCache
from jobs.wireless import sync_users, traffic_of
from tests.wireless.test_changes import opened
from tests.workorders.test_dispatch import runner

OVERVIEW = """{ wirelessOverview { cards byStatus { key count } byCarrier { key count } byDomain { key count } byPlan { code count }
  topUnits { unitName count } terminalAccounts onlineUsers openAlerts openFaults applications { kind status count }
  traffic { day uplinkBytes downlinkBytes } } }"""


async def cron(services: Any, job: Any) -> int:
    return await job(runner(services).executor.context())  # type: ignore[no-any-return]


async def test_the_overview_counts_what_the_viewer_may_see(registry, platforms, gql):
    await registry.cards("D-HP", range(1, 4))
    await opened(gql, registry, 2)  # two PD cards through the open flow (TELECOM), with accounts
    today = utcnow().astimezone(SHANGHAI).date()  # the cards opened today: the cron reads yesterday's report
    assert await traffic_of(runner(registry.services).executor.context(), today) == 2
    await cron(registry.services, sync_users)
    online = sum(1 for a in platforms.support.state.support.accounts.values() if a.online and a.closed_at is None)
    everything = (await gql(OVERVIEW, as_user="operator"))["data"]["wirelessOverview"]
    assert (everything["cards"], everything["terminalAccounts"], everything["openFaults"]) == (5, 2, 0)
    assert everything["byCarrier"] == [{"key": "TELECOM", "count": 5}]
    assert everything["byPlan"] == [{"code": "TEL-5G-30G", "count": 5}]
    assert {u["unitName"]: u["count"] for u in everything["topUnits"]} == {"黄浦区大数据中心": 3, "浦东新区大数据中心": 2}
    assert everything["applications"] == [{"kind": "wireless.open", "status": "COMPLETED", "count": 1}]
    assert len(everything["traffic"]) == 1 and everything["traffic"][0]["downlinkBytes"] > 0
    assert everything["onlineUsers"] == online  # as the support platform's user sync reported
    pd = (await gql(OVERVIEW, as_user="pd_user"))["data"]["wirelessOverview"]
    assert (pd["cards"], pd["byDomain"], pd["topUnits"]) == (
        2,
        [{"key": "DUAL", "count": 2}],
        [{"unitName": "浦东新区大数据中心", "count": 2}],
    )


async def test_applications_by_day_week_and_month_in_beijing_time(registry, gql):
    from tests.workorders.flows import bj
    from tests.workorders.helpers import Engine

    wo = Engine(registry.services)
    form = {"carrier": "TELECOM", "domain": "SINGLE", "planCode": "TEL-5G-30G", "quantity": 1,
            "holders": [{"name": "甲"}], "applications": ["YWTB"], "reason": "统计"}  # fmt: skip
    await wo.submit("pd_user", "wireless.open", form, now=bj(2026, 10, 31, 23, 30))  # UTC 31 Oct 15:30
    await wo.submit("pd_user", "wireless.open", form, now=bj(2026, 11, 1, 0, 30))  # UTC 31 Oct 16:30: November in Beijing
    await wo.submit("hp_user", "wireless.open", form, now=bj(2026, 11, 2, 9, 0))
    q = "query($g: Grain, $f: DateTime, $t: DateTime) { wirelessApplicationStatistics(grain: $g, from: $f, to: $t) { period kind status count } }"
    span = {"f": "2026-10-01T00:00:00Z", "t": "2026-12-01T00:00:00Z"}
    months = (await gql(q, {"g": "MONTH", **span}, as_user="operator"))["data"]["wirelessApplicationStatistics"]
    assert [(r["period"], r["count"]) for r in months] == [("2026-10", 1), ("2026-11", 2)]
    weeks = (await gql(q, {"g": "WEEK", **span}, as_user="operator"))["data"]["wirelessApplicationStatistics"]
    assert [(r["period"], r["count"]) for r in weeks] == [("2026-W44", 2), ("2026-W45", 1)]
    days = (await gql(q, {"g": "DAY", **span}, as_user="pd_user"))["data"]["wirelessApplicationStatistics"]
    assert [(r["period"], r["kind"], r["status"], r["count"]) for r in days] == [
        ("2026-10-31", "wireless.open", "PROCESSING", 1), ("2026-11-01", "wireless.open", "PROCESSING", 1),
    ]  # fmt: skip
    overview = (await gql("{ wirelessOverview { byPlan { code count } } }", as_user="operator"))["data"]["wirelessOverview"]
    assert overview["byPlan"] == []  # no cards yet: the orders are still waiting for approval


async def test_overviews_are_shared_per_data_scope_and_say_when_they_were_computed(registry, gql):
    services = registry.services
    services.screens = ScreenCache(300)
    try:
        query = OVERVIEW.replace("wirelessOverview {", "wirelessOverview { computedAt")
        await registry.cards("D-HP", range(1, 3))
        first = (await gql(query, as_user="operator"))["data"]["wirelessOverview"]
        hp = (await gql(query, as_user="hp_user"))["data"]["wirelessOverview"]
        pd = (await gql(query, as_user="pd_user"))["data"]["wirelessOverview"]
        assert (first["cards"], hp["cards"], pd["cards"]) == (2, 2, 0)  # each scope its own figures
        await registry.cards("D-PD", range(3, 6))
        again = (await gql(query, as_user="operator"))["data"]["wirelessOverview"]
        assert again == first  # shared for the ttl: the same figures and the same computedAt
        assert (await gql(query, as_user="pd_user"))["data"]["wirelessOverview"]["cards"] == 0
        services.screens = ScreenCache(0)
        fresh = (await gql(query, as_user="operator"))["data"]["wirelessOverview"]
        assert fresh["cards"] == 5 and fresh["computedAt"] > first["computedAt"]
    finally:
        await services.screens.close()
        services.screens = ScreenCache(0)
