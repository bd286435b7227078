"""The secure access support platform's usage feed, taken into the registry: logins and logouts keep each account's
open sessions and last login; an abnormal-behaviour event becomes (or counts up) an alert of kind USER_BEHAVIOUR on
the account. A page is taken in one transaction with the cursor that follows it, so each event is taken once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.alerts import service as alerts
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.integration.models import FeedCursor
from domain.secure_access.flows import PLATFORM, TARGET
from domain.secure_access.models import SecureAccessAccount

FEED = "usage"


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
    found = {a.account_name: a for a in (await uow.session.execute(
        select(SecureAccessAccount).where(SecureAccessAccount.account_name.in_(names)))).scalars()}  # fmt: skip
    counts: dict[str, Any] = {"taken": 0, "skipped": len(events) - len(fresh), "unknown": 0, "alerts": 0}
    for event in fresh:
        account = found.get(event.account_name)
        if account is None:
            counts["unknown"] += 1
            continue
        counts["taken"] += 1
        if event.kind == "LOGIN":
            account.online_sessions += 1
            account.last_login_at = max(account.last_login_at or event.at, event.at)
        elif event.kind == "LOGOUT":
            account.online_sessions = max(0, account.online_sessions - 1)
        elif event.kind == "ABNORMAL":
            counts["alerts"] += 1
            await alerts.fire(
                uow, kind=AlertKind.USER_BEHAVIOUR, severity=AlertSeverity(event.severity or "WARNING"), source=PLATFORM,
                fingerprint=f"{PLATFORM}:{account.account_name}:{event.rule}",
                title=f"用户行为异常 {account.account_name}: {event.rule}", detail=event.description,
                labels={"accountName": account.account_name, "rule": event.rule, "sourceIp": event.source_ip,
                        "eventId": event.id},
                target=(TARGET, account.id), unit_id=account.unit_id, now=event.at,
            )  # fmt: skip
    position = max([done, *(e.id for e in events), next_cursor if next_cursor is not None else -1])
    if position >= 0:
        if row is None:
            uow.session.add(FeedCursor(platform=PLATFORM, feed=FEED, position=position, updated_at=now))
        else:
            row.position, row.updated_at = position, now
    return counts
