"""The secure access support platform's usage feed, taken into the registry: logins and logouts keep each account's
open sessions and last login; an abnormal-behaviour event becomes (or counts up) an alert of kind USER_BEHAVIOUR on
the account. A page is taken in one transaction with the cursor that follows it, so each event is taken once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.alerts import service as alerts
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.integration.models import FeedCursor
from domain.secure_access.flows import PLATFORM, TARGET
from domain.secure_access.models import SecureAccessAccount

FEED = "usage"


@dataclass
class _Seen:
    id: int
    unit_id: int
    sessions: int
    last_login: datetime | None
    original: tuple[int, datetime | None] = (0, None)

    def __post_init__(self) -> None:
        self.original = (self.sessions, self.last_login)

    @property
    def changed(self) -> bool:
        return (self.sessions, self.last_login) != self.original


@dataclass(frozen=True)
class UsageEvent:
    """One event of the feed, as the gateway read it."""

    id: int
    kind: str  # LOGIN, LOGOUT, ABNORMAL
    account_name: str
    at: datetime
    source_ip: str
    rule: str | None = None
    severity: str | None = None
    description: str | None = None


async def stored_cursor(session: Any) -> int | None:
    """The last event id taken (None: nothing yet)."""
    row = await session.get(FeedCursor, (PLATFORM, FEED))
    return None if row is None else int(row.position)


async def take(uow: UnitOfWork, events: list[UsageEvent], next_cursor: int | None, now: datetime | None = None) -> dict[str, int]:
    """Apply a page of events and move the cursor past it; events at or before the stored cursor are skipped (a
    page read again). Returns counts: taken, skipped, unknown (no such account here), alerts."""
    now = now or utcnow()
    row = await uow.session.get(FeedCursor, (PLATFORM, FEED), with_for_update=True)
    done = -1 if row is None else row.position
    fresh = [e for e in events if e.id > done]
    names = sorted({e.account_name for e in fresh})
    a = SecureAccessAccount.__table__.c
    rows = await uow.session.execute(select(a.id, a.account_name, a.unit_id, a.online_sessions, a.last_login_at)
                                     .where(a.account_name.in_(names)))  # fmt: skip
    found = {r.account_name: _Seen(r.id, r.unit_id, r.online_sessions, r.last_login_at) for r in rows}
    counts: dict[str, Any] = {"taken": 0, "skipped": len(events) - len(fresh), "unknown": 0, "alerts": 0}
    occurrences = []
    for event in fresh:
        seen = found.get(event.account_name)
        if seen is None:
            counts["unknown"] += 1
            continue
        counts["taken"] += 1
        if event.kind == "LOGIN":
            seen.sessions += 1
            seen.last_login = max(seen.last_login or event.at, event.at)
        elif event.kind == "LOGOUT":
            seen.sessions = max(0, seen.sessions - 1)
        elif event.kind == "ABNORMAL":
            counts["alerts"] += 1
            occurrences.append(alerts.Occurrence(
                AlertKind.USER_BEHAVIOUR, AlertSeverity(event.severity or "WARNING"), PLATFORM,
                f"{PLATFORM}:{event.account_name}:{event.rule}", f"用户行为异常 {event.account_name}: {event.rule}",
                event.description, {"accountName": event.account_name, "rule": event.rule, "sourceIp": event.source_ip,
                                    "eventId": event.id}, (TARGET, seen.id), seen.unit_id, event.at,
            ))  # fmt: skip
    # Core updates: presence is not an edit of the account, so it does not move its version (expectedVersion).
    for seen in found.values():
        if seen.changed:
            await uow.session.execute(update(SecureAccessAccount.__table__).where(a.id == seen.id).values(
                online_sessions=seen.sessions, last_login_at=seen.last_login))  # fmt: skip
    if occurrences:
        await alerts.fire_batch(uow, occurrences, now)
    position = max([done, *(e.id for e in events), next_cursor if next_cursor is not None else -1])
    if position >= 0:
        if row is None:
            uow.session.add(FeedCursor(platform=PLATFORM, feed=FEED, position=position, updated_at=now))
        else:
            row.position, row.updated_at = position, now
    return counts
