"""Notification resolvers: the inbox, marking read, and the live feed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from core.db.pagination import PageRequest
from core.ids import InvalidGlobalId, decode_id
from domain.notifications import repository, service
from schema.lookahead import selection
from schema.notifications import types
from schema.pagination import ConnectionValue


async def mine(info: strawberry.Info, unread_only: bool, first: int, after: str | None) -> Any:
    actor = info.context.require_actor()
    page_req = PageRequest(first, after)
    async with info.context.read_session() as db:
        page = await repository.mine(db, actor, unread_only=unread_only, page=page_req)
        total = None
        if "totalCount" in selection(info):
            total = await repository.count_unread(db, actor) if unread_only else await repository.count_all(db, actor)
    return ConnectionValue(page, total)


async def unread_count(info: strawberry.Info) -> int:
    actor = info.context.require_actor()
    async with info.context.read_session() as db:
        return await repository.count_unread(db, actor)


async def mark_read(info: strawberry.Info, ids: list[strawberry.ID] | None) -> types.NotificationsMarkReadPayload:
    actor = info.context.require_actor()
    wanted = None
    if ids is not None:
        wanted = []
        for gid in ids:
            with contextlib.suppress(InvalidGlobalId):
                wanted.append(decode_id(str(gid), "Notification"))
    async with info.context.unit_of_work() as uow:
        marked = await service.mark_read(uow, actor, wanted)
    return types.NotificationsMarkReadPayload(marked=marked, unread=await unread_count(info))


async def received(info: strawberry.Info) -> AsyncGenerator[Any, None]:
    """Each new notification of the subscriber, as it is written (a bus message wakes the read)."""
    ctx = info.context
    actor = ctx.require_actor()
    async with ctx.read_session() as db:
        last = await repository.last_id(db, actor)
    async for _channel, message in ctx.services.bus.subscribe(service.CHANNEL):
        if message.get("recipient") != actor.user_id:
            continue
        async with ctx.read_session() as db:
            rows = await repository.newer_than(db, actor, last)
        for row in rows:
            last = row.id
            yield row
