"""Notifications in the contract: your inbox of things you were told."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from core.ids import to_global_id
from domain.notifications.models import NotificationKind as _Kind
from schema.fastpath import raw
from schema.scalars import gql_enum

NotificationKind = gql_enum(_Kind, "What a notification is about.", {
    _Kind.TASK_WAITING: "A decision waits for you (待审批).",
    _Kind.SLA_WARNING: "A decision you may take is about to miss its time.",
    _Kind.ESCALATED: "An overdue decision came to you as the step's supervisor (督办).",
    _Kind.ORDER_RETURNED: "Your order came back for changes.",
    _Kind.ORDER_FINISHED: "Your order completed, was rejected, or was withdrawn.",
    _Kind.DISPATCH_FAILED: "An order could not reach its platform.",
    _Kind.ALERT_FIRED: "A major or critical alert fired, or its silence ended while it still fires.",
    _Kind.ALERT_RESOLVED: "An alert that fired under your silence resolved.",
    _Kind.ASSET_REMINDER: "年限告警 / 保修到期: an asset of your unit reaches its end of life or warranty end.",
})  # fmt: skip


def _id(root: Any, _info: Any) -> str:
    return to_global_id("Notification", root.id)


def _target(root: Any, _info: Any) -> str | None:
    return None if root.target_type is None or root.target_id is None else to_global_id(root.target_type, root.target_id)


@strawberry.type(description="通知: something you were told, read or unread.")
class Notification:
    kind: NotificationKind = strawberry.field(description="What it is about.")  # type: ignore[valid-type]
    title: str = strawberry.field(description="One line to show.")
    body: str | None = strawberry.field(description="More, if any (e.g. the step).")
    target_type: str | None = strawberry.field(description="The type of what it is about, e.g. WorkOrder.")
    created_at: datetime = strawberry.field(description="When.")
    read_at: datetime | None = strawberry.field(description="When you marked it read; null while unread.")

    @strawberry.field(description="Global id (for notificationsMarkRead).")
    @raw(_id)
    def id(self, root: strawberry.Parent[Any], info: strawberry.Info) -> strawberry.ID:
        return strawberry.ID(_id(root, info))

    @strawberry.field(description="Global id of what it is about (open it with node(id:) or workOrder(id:)).")
    @raw(_target)
    def target_id(self, root: strawberry.Parent[Any], info: strawberry.Info) -> strawberry.ID | None:
        return _target(root, info)  # type: ignore[return-value]


@strawberry.type(description="Result of notificationsMarkRead.")
class NotificationsMarkReadPayload:
    marked: int = strawberry.field(description="How many changed from unread to read.")
    unread: int = strawberry.field(description="Your unread notifications left.")
