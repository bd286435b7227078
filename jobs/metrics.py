"""Metric jobs: the platforms' metric feeds taken every minute, rollups every five minutes (hours, then Beijing
days), and the daily retention (old partitions and rollups dropped, the coming days' partitions made ahead)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.queue.context import JobContext
from domain.metrics import feeds, service
from domain.workorders.ports import PlatformRejected, PlatformUnavailable
from integrations import registry as gateways
from integrations.base.client import PlatformClient
from integrations.base.metric_feed import SampleFeedClient
from integrations.secure_access_support.metrics import ResourceStatsClient
from integrations.wireless_support.metrics import MetricFeedClient
from jobs import registry

log = logging.getLogger(__name__)

PAGES, PAGE = 20, 500  # at most 10,000 samples a run (a day of UPF traffic); the rest waits for the next minute


async def take_feed(ctx: JobContext, feed: feeds.Feed, reader: Callable[[PlatformClient], SampleFeedClient]) -> dict[str, int]:
    """The feed since the stored cursor, up to PAGES pages, taken with the new cursor in the job's one transaction
    (a job commits once; the cursor is re-read under lock there, so a page read twice is skipped). A platform that
    fails on the first page fails the run (the next minute tries again); one that fails later leaves the pages
    already read to be taken, so a flaky platform still moves the feed on."""
    gateway = gateways.gateway(feed.platform)
    if gateway is None or not hasattr(gateway, "client"):
        return {}
    client = reader(gateway.client)  # type: ignore[attr-defined]
    async with ctx.session_factory() as session:
        after = await feeds.stored_cursor(session, feed)
    entries: list[feeds.FeedEntry] = []
    for read in range(PAGES):
        try:
            page = await client.samples(after, PAGE)
        except (PlatformUnavailable, PlatformRejected) as exc:
            if read == 0:
                raise
            log.warning("metric feed %s: page %d failed (%s); taking the %d read before it", feed.platform, read + 1, exc, read)
            break
        entries += [
            feeds.FeedEntry(s.id, s.metric, s.resource_type, s.resource_key, s.unit_code, s.value, s.at, dict(s.labels))
            for s in page.samples
        ]
        after = page.next
        if not page.more:
            break
    async with ctx.transaction() as uow:
        return await feeds.take(uow, feed, entries, after)


@registry.cron("metrics.wireless_feed", second=40, timeout=120)
async def wireless_feed(ctx: JobContext) -> dict[str, int]:
    """Every minute: the wireless support platform's UPF traffic (per UPF and per unit, every 5 minutes)."""
    return await take_feed(ctx, feeds.WIRELESS, MetricFeedClient)


@registry.cron("metrics.secure_access_feed", second=50, timeout=120)
async def secure_access_feed(ctx: JobContext) -> dict[str, int]:
    """Every minute: the secure access support platform's zone statistics (users, bandwidth, gateway CPU)."""
    return await take_feed(ctx, feeds.SECURE_ACCESS, ResourceStatsClient)


@registry.cron("metrics.rollup", minute=set(range(2, 60, 5)), timeout=600)
async def rollup(ctx: JobContext) -> dict[str, int]:
    """Every five minutes: the hours complete since the last run (and those late samples changed), then their days."""
    async with ctx.transaction() as uow:
        return await service.roll(uow)


@registry.cron("metrics.retention", hour=17, minute=20, timeout=900)
async def retention(ctx: JobContext) -> dict[str, int]:
    """Daily at 01:20 Beijing: samples past 35 days, hourly rollups past 400, daily ones past five years go; on
    PostgreSQL the sample partitions of the coming days are made and the old ones dropped whole."""
    async with ctx.transaction() as uow:
        return await service.prune(uow)
