"""Telling people things. Areas call `notify`; outbound channels (the office platform's messaging) will read
the same rows later, so no area ever sends a message itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, update

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.identity.actor import Actor
from domain.notifications.models import Notification, NotificationKind

CHANNEL = "govops.notifications"
N = Notification.__table__.c


def notify(uow: UnitOfWork, recipients: Iterable[int], kind: NotificationKind, title: str, *, body: str | None = None,
           target: tuple[str, int] | None = None, now: datetime | None = None, skip: int | None = None) -> int:  # fmt: skip
    """One notification per recipient (each once; `skip` is the person who caused it), published after commit."""
    now = now or utcnow()
    sent = 0
    for recipient in sorted(set(recipients) - {skip}):
        uow.session.add(Notification(
            recipient_id=recipient, kind=kind, title=title[:300], body=body, target_type=target[0] if target else None,
            target_id=target[1] if target else None, created_at=now,
        ))  # fmt: skip
        uow.publish(CHANNEL, {"recipient": recipient, "kind": kind.value})
        sent += 1
    return sent


async def mark_read(uow: UnitOfWork, actor: Actor, ids: list[int] | None, now: datetime | None = None) -> int:
    """Mark the actor's own notifications read (`ids`, or all of them when None); others' ids are ignored."""
    where = and_(N.recipient_id == actor.user_id, N.read_at.is_(None))
    if ids is not None:
        where = and_(where, N.id.in_(ids))
    result = await uow.session.execute(update(Notification.__table__).where(where).values(read_at=now or utcnow()))
    return int(result.rowcount or 0)
