"""All notification reads: the inbox, counts, and what is newer than the last one seen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.db.engine import Db
from core.db.pagination import Page, PageRequest, decode_cursor, to_page
from domain.identity.actor import Actor
from domain.notifications.models import Notification

N = Notification.__table__.c


async def mine(db: Db, actor: Actor, *, unread_only: bool, page: PageRequest) -> Page[Any]:
    """The actor's notifications, newest first."""
    stmt = select(*N).where(N.recipient_id == actor.user_id)
    if unread_only:
        stmt = stmt.where(N.read_at.is_(None))
    if page.after is not None:
        stmt = stmt.where(N.id < int(decode_cursor(page.after, 1)[0]))
    rows = list(await db.execute(stmt.order_by(N.id.desc()).limit(page.first + 1)))
    return to_page(rows, rows, lambda r: (r.id,), page)


async def count_unread(db: Db, actor: Actor) -> int:
    stmt = select(func.count()).where(N.recipient_id == actor.user_id, N.read_at.is_(None))
    return int((await db.execute(stmt)).scalar_one())


async def by_id(db: Db, actor: Actor, notification_id: int) -> Any:
    stmt = select(*N).where(N.id == notification_id, N.recipient_id == actor.user_id)
    return (await db.execute(stmt)).first()


async def count_all(db: Db, actor: Actor) -> int:
    return int((await db.execute(select(func.count()).where(N.recipient_id == actor.user_id))).scalar_one())


async def last_id(db: Db, actor: Actor) -> int:
    """The id of the actor's newest notification (0 for none): where a live feed starts."""
    stmt = select(func.coalesce(func.max(N.id), 0)).where(N.recipient_id == actor.user_id)
    return int((await db.execute(stmt)).scalar_one())


async def newer_than(db: Db, actor: Actor, after_id: int) -> list[Any]:
    stmt = select(*N).where(N.recipient_id == actor.user_id, N.id > after_id).order_by(N.id)
    return list(await db.execute(stmt))
