"""Export resolvers: ask for an export of a list, read yours, follow its progress."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

import strawberry

from core import storage
from core.clock import utcnow
from core.ids import decode_id, to_global_id
from domain.exports import service
from domain.exports.enums import ExportStatus
from domain.exports.registry import Exporter
from resolvers.common import errors_as, run
from schema.exports import types


def to_type(info: strawberry.Info, row: Any) -> types.Export:
    """An export as its owner sees it; a DONE one carries a fresh signed link."""
    url = expires = None
    if row.status is ExportStatus.DONE and row.storage_key:
        seconds = info.context.settings.download_link_seconds
        now = utcnow()
        token = storage.sign_link(row.storage_key, filename=row.filename, expires_in=seconds, now=now, user_id=row.requested_by)
        url, expires = f"/files/{token}", now + timedelta(seconds=seconds)
    return types.Export(
        id=strawberry.ID(to_global_id("Export", row.id)), kind=row.kind, status=row.status, total=row.total, done=row.done,
        progress=types.progress(row.done, row.total), filename=row.filename, size=row.size, sm3=row.sm3, error=row.error,
        created_at=row.created_at, finished_at=row.finished_at, download_url=url, download_expires_at=expires,
    )  # fmt: skip


async def _read_back(info: strawberry.Info, export_id: int) -> types.Export | None:
    actor = info.context.require_actor()
    async with info.context.read_session() as db:
        row = await service.get(db, actor, export_id)
    return to_type(info, row) if row is not None else None


async def request(info: strawberry.Info, exporter: Exporter, params: dict[str, Any]) -> types.ExportPayload:
    """Count, record, and for a small list build it at once; a large one goes to the `exports.build` job."""
    ctx = info.context
    actor = ctx.require_actor()
    async with ctx.read_session() as db:
        total = await exporter.count(db, actor, params)
    export, errors = await run(info, lambda uow: service.request(uow, actor, exporter, params, total))
    if errors or export is None:
        return types.ExportPayload(export=None, errors=errors_as(types.ExportError, errors))
    if total <= service.DIRECT_LIMIT:
        await service.build(ctx.services.read, ctx.services.unit_of_work, ctx.services.storage, export.id)
    return types.ExportPayload(export=await _read_back(info, export.id), errors=[])


async def export(info: strawberry.Info, id: strawberry.ID) -> types.Export | None:
    return await _read_back(info, decode_id(str(id), "Export"))


async def my_exports(info: strawberry.Info) -> list[types.Export]:
    actor = info.context.require_actor()
    async with info.context.read_session() as db:
        rows = await service.mine(db, actor)
    return [to_type(info, r) for r in rows]


FINAL = (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)


async def progress(info: strawberry.Info, id: strawberry.ID) -> AsyncGenerator[types.Export, None]:
    """The export now, then at every step until it is DONE or FAILED. Bus messages wake it; a re-read every
    few seconds covers a message published before the subscription was listening."""
    export_id = decode_id(str(id), "Export")
    messages = info.context.services.bus.subscribe(service.CHANNEL).__aiter__()
    waiting: asyncio.Future[Any] | None = None  # one pending read of the bus, kept across timeouts
    seen: tuple[Any, ...] | None = None
    try:
        while True:
            current = await _read_back(info, export_id)
            if current is None:
                return
            if (current.status, current.done) != seen:
                seen = (current.status, current.done)
                yield current
            if current.status in FINAL:
                return
            while True:
                waiting = waiting or asyncio.ensure_future(messages.__anext__())
                done, _ = await asyncio.wait({waiting}, timeout=2.0)
                if not done:
                    break  # nothing for a while: look at the row anyway
                _channel, message = waiting.result()
                waiting = None
                if int(message["id"]) == export_id:
                    break
    finally:
        if waiting is not None:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await waiting  # the generator must be idle before it can be closed
        await messages.aclose()
