"""One way to log what an actor changed: who, from which unit and address, what, and the detail."""

from __future__ import annotations

from typing import Any

from core import audit
from core.db.uow import UnitOfWork
from domain.identity.actor import Actor


def record_change(uow: UnitOfWork, actor: Actor, operation: str, target_type: str, target_id: int, **detail: Any) -> None:
    audit.record(
        uow.session, operation=operation, actor_id=actor.user_id, actor_username=actor.username,
        org_unit_id=actor.org_unit_id, target_type=target_type, target_id=target_id,
        client_ip=actor.client_ip, detail=detail,
    )  # fmt: skip
