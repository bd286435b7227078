"""Attachments of work orders: files uploaded through `POST /uploads`, then attached by their upload tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from core import storage
from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.storage import FileStore, StoredObject
from domain.identity.actor import Actor
from domain.workorders import engine
from domain.workorders import repository as repo
from domain.workorders.enums import EventKind
from domain.workorders.errors import Code, error
from domain.workorders.models import WorkOrder, WorkOrderAttachment

MAX_PER_ORDER = 30
UPLOAD_PREFIX = "uploads/"


async def uploads(store: FileStore, actor: Actor, tokens: list[str], field: str = "uploads") -> list[StoredObject]:
    """The stored uploads the tokens name: the actor's own, unexpired, still in the store (ATTACHMENT_REFUSED)."""
    if len(tokens) > MAX_PER_ORDER:
        raise error(Code.ATTACHMENT_REFUSED, f"一次最多附加{MAX_PER_ORDER}个文件 / At most {MAX_PER_ORDER} files at once", field)
    found: list[StoredObject] = []
    for i, token in enumerate(tokens):
        try:
            grant = storage.verify_link(token)
        except storage.LinkExpired:
            raise error(
                Code.ATTACHMENT_REFUSED, "上传已过期，请重新上传 / The upload expired; upload the file again", f"{field}.{i}"
            ) from None
        except storage.LinkInvalid:
            raise error(Code.ATTACHMENT_REFUSED, "无效的上传凭据 / Not an upload token", f"{field}.{i}") from None
        if grant.user_id != actor.user_id or not grant.key.startswith(UPLOAD_PREFIX):
            raise error(Code.ATTACHMENT_REFUSED, "只能附加自己上传的文件 / Attach only files you uploaded", f"{field}.{i}")
        stored = await store.stat(grant.key)
        if stored is None:
            raise error(Code.ATTACHMENT_REFUSED, "上传的文件已不存在 / The uploaded file is gone", f"{field}.{i}")
        if stored.key not in {f.key for f in found}:
            found.append(stored)
    return found


async def attach(uow: UnitOfWork, actor: Actor, order: WorkOrder, files: list[StoredObject], now: datetime) -> None:
    """Record the files on the order (each upload once) and say so on the timeline."""
    if not files:
        return
    s = uow.session
    count = (await s.execute(select(func.count()).where(WorkOrderAttachment.order_id == order.id))).scalar_one()
    if count + len(files) > MAX_PER_ORDER:
        raise error(
            Code.ATTACHMENT_REFUSED,
            f"每个工单最多{MAX_PER_ORDER}个附件 / At most {MAX_PER_ORDER} attachments per order",
            "uploads",
        )
    used = set((await s.execute(select(WorkOrderAttachment.storage_key).where(
        WorkOrderAttachment.storage_key.in_([f.key for f in files])))).scalars())  # fmt: skip
    if used:
        raise error(Code.ATTACHMENT_REFUSED, "该文件已附加过 / This upload is already attached", "uploads")
    for f in files:
        s.add(WorkOrderAttachment(
            order_id=order.id, storage_key=f.key, filename=f.filename, content_type=f.content_type, size=f.size,
            sm3=f.sm3, uploaded_by=actor.user_id, uploaded_at=now,
        ))  # fmt: skip
    engine.event(
        uow, order, EventKind.ATTACHED, actor, now, detail={"files": [{"name": f.filename, "size": f.size} for f in files]}
    )


async def add(
    uow: UnitOfWork, actor: Actor, order_id: int, files: list[StoredObject], *, now: datetime | None = None
) -> WorkOrder:
    """Attach files to an unfinished order: its applicant, whoever may decide it now, or a work order manager."""
    now = now or utcnow()
    order = await engine.load(uow, actor, order_id, None)
    if order.status.finished:
        raise error(Code.INVALID_TRANSITION, "已结束的工单不能再添加附件 / A finished order takes no more attachments")
    if order.applicant_id != actor.user_id and not actor.can("workorders.manage"):
        roles = await repo.role_codes(uow.session, actor.user_id)
        tasks = await repo.step_tasks(uow.session, order, order.step or "")
        if not any(t.status.value == "OPEN" and repo.task_actionable(t, actor, roles, now) for t in tasks):
            raise error(
                Code.NOT_ASSIGNEE,
                "只有申请人或当前处理人可以添加附件 / Only the applicant or who decides it now may attach files",
            )
    await attach(uow, actor, order, files, now)
    uow.publish(engine.CHANNEL, {"id": order.id, "unitId": order.unit_id, "status": order.status.value})
    return order


async def purge_unattached(uow: UnitOfWork, store: FileStore, before: datetime) -> int:
    """Delete uploads older than `before` that no order took (their tokens expired long ago)."""
    old = [key for key, modified in await store.listing(UPLOAD_PREFIX.rstrip("/")) if modified < before]
    if not old:
        return 0
    kept: set[str] = set()
    for i in range(0, len(old), 500):
        chunk = old[i : i + 500]
        stmt = select(WorkOrderAttachment.storage_key).where(WorkOrderAttachment.storage_key.in_(chunk))
        kept |= set((await uow.session.execute(stmt)).scalars())
    gone = [key for key in old if key not in kept]
    for key in gone:
        await store.delete(key)
    return len(gone)
