"""The wireless overview, the carriers' daily traffic reports and the support platform's user sync."""

from __future__ import annotations

from typing import Any

from core.clock import SHANGHAI, utcnow
from jobs.workorders import sync_users, traffic_of
from tests.wireless.test_changes import opened
from tests.workorders.test_dispatch import runner

OVERVIEW = """{ wirelessOverview { cards byStatus { key count } byCarrier { key count } byDomain { key count }
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
