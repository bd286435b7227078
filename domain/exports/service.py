"""Asking for an export, and building it: rows streamed from the database into a write-only sheet, progress
published as it goes, the file put in the store. Building runs in its own short transactions (it is called by
the `exports.build` job, and by the request itself for small exports), so a 100,000-row export never holds a
transaction or its rows in memory."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core import audit, xlsx
from core.clock import SHANGHAI, utcnow
from core.db.engine import Db
from core.db.uow import UnitOfWork
from core.errors import DomainError
from core.storage import FileStore
from domain.exports.enums import ExportErrorCode, ExportStatus
from domain.exports.models import DataExport
from domain.exports.registry import EXPORTERS, Exporter
from domain.identity import auth
from domain.identity.actor import Actor

log = logging.getLogger(__name__)

CHANNEL = "govops.exports"
JOB = "exports.build"
DIRECT_LIMIT = 2_000  # at most this many rows are built inside the request that asks
MAX_ROWS = 1_000_000  # one sheet holds 1,048,576 rows
PROGRESS_EVERY = 5_000


def _progress(uow: UnitOfWork, export: DataExport) -> None:
    uow.publish(CHANNEL, {"id": export.id, "status": export.status.value, "done": export.done, "total": export.total})


async def request(uow: UnitOfWork, actor: Actor, exporter: Exporter, params: dict[str, Any], total: int,
                  now: datetime | None = None) -> DataExport:  # fmt: skip
    """Record an export of `total` rows; above DIRECT_LIMIT its job is enqueued (TOO_LARGE above MAX_ROWS)."""
    now = now or utcnow()
    if total > MAX_ROWS:
        raise DomainError(
            ExportErrorCode.TOO_LARGE, f"超过{MAX_ROWS}行，请缩小范围 / More than {MAX_ROWS} rows: narrow the filter", "filter"
        )
    stamp = now.astimezone(SHANGHAI).strftime("%Y%m%d-%H%M%S")
    export = DataExport(
        kind=exporter.kind, params=params, requested_by=actor.user_id, status=ExportStatus.PENDING, total=total, done=0,
        filename=f"{exporter.title}-{stamp}.xlsx", created_at=now,
    )  # fmt: skip
    uow.session.add(export)
    await uow.session.flush()
    audit.record(
        uow.session, operation="exports.request", actor_id=actor.user_id, actor_username=actor.username,
        org_unit_id=actor.org_unit_id, target_type="Export", target_id=export.id, client_ip=actor.client_ip,
        detail={"kind": exporter.kind, "rows": total, "params": params},
    )  # fmt: skip
    if total > DIRECT_LIMIT:
        uow.enqueue(JOB, {"export_id": export.id}, key=f"{JOB}:{export.id}")
    return export


async def _claim(unit_of_work: Callable[[], UnitOfWork], export_id: int, now: datetime) -> DataExport | None:
    async with unit_of_work() as uow:
        export = await uow.session.get(DataExport, export_id, with_for_update=True)
        if export is None or export.status not in (ExportStatus.PENDING, ExportStatus.RUNNING):
            return None  # already built (a repeated job), failed or expired
        export.status, export.started_at, export.done = ExportStatus.RUNNING, now, 0
        _progress(uow, export)
        return export


async def _update(unit_of_work: Callable[[], UnitOfWork], export_id: int, **values: Any) -> None:
    async with unit_of_work() as uow:
        export = await uow.session.get(DataExport, export_id)
        assert export is not None
        for name, value in values.items():
            setattr(export, name, value)
        _progress(uow, export)


async def build(
    read: Callable[[], AbstractAsyncContextManager[Db]], unit_of_work: Callable[[], UnitOfWork], store: FileStore,
    export_id: int,
) -> ExportStatus | None:  # fmt: skip
    """Build one export as the user who asked (their rights as they are now); None when there was nothing to do."""
    export = await _claim(unit_of_work, export_id, utcnow())
    if export is None:
        return None
    exporter = EXPORTERS.get(export.kind)
    try:
        async with read() as db:
            actor = await auth.actor_of(db, export.requested_by)
        if exporter is None:
            raise RuntimeError(f"no exporter {export.kind}")
        if actor is None or not actor.can(exporter.permission):
            raise PermissionError("the requester may no longer export this list")
        with tempfile.TemporaryDirectory(prefix="govops-export-") as tmp:
            path = Path(tmp) / "export.xlsx"
            rows = await _write(read, unit_of_work, exporter, actor, export, path)
            key = f"exports/{export.created_at:%Y/%m}/{export.id}-{uuid.uuid4().hex}.xlsx"
            stored = await store.put_file(key, path, filename=export.filename, content_type=xlsx.MEDIA_TYPE)
        await _update(unit_of_work, export_id, status=ExportStatus.DONE, done=rows, storage_key=stored.key,
                      size=stored.size, sm3=stored.sm3, finished_at=utcnow())  # fmt: skip
        return ExportStatus.DONE
    except Exception as exc:
        log.exception("export %s failed", export_id)
        reason = "导出失败 / The export failed" + (f": {exc}" if isinstance(exc, (PermissionError, RuntimeError)) else "")
        await _update(unit_of_work, export_id, status=ExportStatus.FAILED, error=reason, finished_at=utcnow())
        return ExportStatus.FAILED


async def _write(read: Callable[[], AbstractAsyncContextManager[Db]], unit_of_work: Callable[[], UnitOfWork],
                 exporter: Exporter, actor: Actor, export: DataExport, path: Path) -> int:  # fmt: skip
    sheet = xlsx.SheetWriter(exporter.title, exporter.columns)
    reported = 0
    async with read() as db:
        async for batch in exporter.rows(db, actor, export.params):
            for row in batch:
                sheet.append(row)
            if sheet.rows - reported >= PROGRESS_EVERY:
                reported = sheet.rows
                await _update(unit_of_work, export.id, done=reported)
            await asyncio.sleep(0)  # a batch at a time: let the process serve others between batches
    await asyncio.to_thread(sheet.save, path)
    return sheet.rows


async def get(db: Db, actor: Actor, export_id: int) -> Any:
    """An export the actor asked for (nobody else's), as a row."""
    c = DataExport.__table__.c
    stmt = select(*c).where(c.id == export_id, c.requested_by == actor.user_id)
    return (await db.execute(stmt)).first()


async def mine(db: Db, actor: Actor, limit: int = 20) -> list[Any]:
    """The actor's latest exports, newest first."""
    c = DataExport.__table__.c
    stmt = select(*c).where(c.requested_by == actor.user_id).order_by(c.id.desc()).limit(limit)
    return list(await db.execute(stmt))


async def expire(uow: UnitOfWork, store: FileStore, before: datetime) -> int:
    """Delete the files of exports made before `before` and mark them EXPIRED."""
    stmt = select(DataExport).where(DataExport.created_at < before, DataExport.status != ExportStatus.EXPIRED).limit(1000)
    n = 0
    for export in (await uow.session.execute(stmt)).scalars():
        if export.storage_key:
            await store.delete(export.storage_key)
        export.status, export.storage_key = ExportStatus.EXPIRED, None
        n += 1
    return n
