"""The platforms' metric feeds, taken into the metric store (资源监控, modules 26-27).

A feed is a platform's log of samples with growing ids (the wireless support platform's UPF traffic, the secure
access support platform's zone statistics). A job reads pages after the stored cursor and hands them here: the
samples are stored and the cursor moved past them in the job's one transaction, so a crash only means the same page
is read again. Entries at or before the stored cursor (a page read twice) are skipped, and a sample the store has
already (the same series and instant, sent again under another id) is stored once.

The feeds' entries name units by code; a unit's series carries the unit's id, so its data is in that unit's scope.
An entry of a unit we do not know is still stored, with no unit (the Big Data Center sees it), and counted, so a
platform whose unit list drifted from ours shows in the job's result rather than losing data. An entry of a metric
the feed does not define, or one the store refuses (a bad name, a time outside the retention), is refused alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.catalog.enums import ServiceDomain
from domain.identity.models import OrgUnit
from domain.integration.models import FeedCursor
from domain.metrics import service
from domain.secure_access.flows import PLATFORM as SECURE_ACCESS_PLATFORM
from domain.wireless.flows import SUPPORT as WIRELESS_PLATFORM

log = logging.getLogger(__name__)

LOGGED = 5  # refusals of one page written to the log (the rest are counted)


@dataclass(frozen=True)
class Feed:
    """One platform's metric feed: whose it is, the service its series belong to, and the measure of each metric
    (what the store shows beside the values: bytes, count, bps, percent)."""

    platform: str
    domain: ServiceDomain
    measures: Mapping[str, str]
    name: str = "metrics"  # the cursor's name (one cursor per platform feed)


WIRELESS = Feed(WIRELESS_PLATFORM, ServiceDomain.WIRELESS,
                {"upf.uplink_bytes": "bytes", "upf.downlink_bytes": "bytes", "upf.sessions": "count"})  # fmt: skip
SECURE_ACCESS = Feed(SECURE_ACCESS_PLATFORM, ServiceDomain.SECURE_ACCESS,
                     {"sa.online_users": "count", "sa.bandwidth_bps": "bps", "sa.gateway_cpu": "percent"})  # fmt: skip


@dataclass(frozen=True)
class FeedEntry:
    """One sample of a feed, as the platform's reader parsed it."""

    id: int
    metric: str
    resource_type: str
    resource_key: str
    unit_code: str | None
    value: float
    at: datetime
    labels: dict[str, Any] = field(default_factory=dict)


async def stored_cursor(session: Any, feed: Feed) -> int | None:
    """The id of the last entry taken from the feed (None: nothing yet)."""
    row = await session.get(FeedCursor, (feed.platform, feed.name))
    return None if row is None else int(row.position)


async def _unit_ids(uow: UnitOfWork, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    u = OrgUnit.__table__.c
    return {code: uid for code, uid in await uow.session.execute(select(u.code, u.id).where(u.code.in_(sorted(codes))))}


async def take(uow: UnitOfWork, feed: Feed, entries: list[FeedEntry], next_cursor: int | None,
               now: datetime | None = None) -> dict[str, int]:  # fmt: skip
    """Store a page (or several) of the feed and move its cursor past them, in the caller's transaction. Returns
    counts: taken (samples new to the store), duplicates (samples it had), skipped (entries at or before the cursor),
    refused, and unknown_units (stored with no unit)."""
    now = now or utcnow()
    row = await uow.session.get(FeedCursor, (feed.platform, feed.name), with_for_update=True)
    done = -1 if row is None else row.position
    fresh = [e for e in entries if e.id > done]
    counts = {"taken": 0, "duplicates": 0, "skipped": len(entries) - len(fresh), "refused": 0, "unknown_units": 0}
    units = await _unit_ids(uow, {e.unit_code for e in fresh if e.unit_code})
    samples, ids, refusals = [], [], []
    for e in fresh:
        measure = feed.measures.get(e.metric)
        if measure is None:
            refusals.append((e.id, f"未知指标 {e.metric} / {e.metric} is not a metric of this feed"))
            continue
        unit_id = units.get(e.unit_code) if e.unit_code else None
        if e.unit_code and unit_id is None:
            counts["unknown_units"] += 1
        samples.append(service.Sample(e.metric, e.resource_type, e.resource_key, e.value, e.at, feed.domain, measure,
                                      dict(e.labels), unit_id))  # fmt: skip
        ids.append(e.id)
    if samples:
        stored = await service.ingest(uow, samples, now)
        counts["taken"], counts["duplicates"] = stored.accepted, stored.duplicates
        refusals += [(ids[i], why) for i, why in stored.refused]
    counts["refused"] = len(refusals)
    for entry_id, why in sorted(refusals)[:LOGGED]:
        log.warning("metric feed %s/%s: entry %s refused: %s", feed.platform, feed.name, entry_id, why)
    position = max([done, *(e.id for e in entries), next_cursor if next_cursor is not None else -1])
    if position >= 0:
        if row is None:
            uow.session.add(FeedCursor(platform=feed.platform, feed=feed.name, position=position, updated_at=now))
        else:
            row.position, row.updated_at = position, now
    return counts
