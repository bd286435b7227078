"""Read models: slotted records built from Core rows, with slots for what look-ahead prefetches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.identity.records import NOT_LOADED
from domain.workorders.enums import DispatchStatus, EventKind, ScopeKind, SlaScope, TaskStatus, WorkOrderStatus
from domain.workorders.sla import SlaState


@dataclass(slots=True, eq=False)
class WorkOrderRecord:
    id: int
    number: str
    kind: str
    status: WorkOrderStatus
    step: str | None
    title: str
    payload: dict[str, Any]
    applicant_id: int | None  # None: the system opened it
    unit_id: int
    round: int
    version: int
    overdue: bool
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    applicant: Any = field(default=NOT_LOADED)
    unit: Any = field(default=NOT_LOADED)
    tasks: list[TaskRecord] = field(default=NOT_LOADED)
    events: list[EventRecord] = field(default=NOT_LOADED)
    clocks: list[SlaRecord] = field(default=NOT_LOADED)
    dispatches: list[DispatchRecord] = field(default=NOT_LOADED)
    links: list[tuple[str, int]] = field(default=NOT_LOADED)
    attachments: list[AttachmentRecord] = field(default=NOT_LOADED)
    open_tasks: list[TaskRecord] = field(default=NOT_LOADED)  # when only those were read (else: tasks, filtered)


@dataclass(slots=True, eq=False)
class TaskRecord:
    id: int
    order_id: int
    step: str
    round: int
    role_code: str | None
    scope_kind: ScopeKind
    assignee_id: int | None
    delegate_id: int | None
    delegate_until: datetime | None
    status: TaskStatus
    acted_by: int | None
    acted_at: datetime | None
    comment: str | None
    created_at: datetime
    kind: str = ""  # the order's kind, for step labels
    assignee: Any = field(default=NOT_LOADED)
    delegate: Any = field(default=NOT_LOADED)


@dataclass(slots=True, eq=False)
class EventRecord:
    id: int
    order_id: int
    kind: EventKind
    actor_id: int | None
    actor_name: str
    at: datetime
    step: str | None
    from_status: WorkOrderStatus | None
    to_status: WorkOrderStatus | None
    from_step: str | None
    to_step: str | None
    comment: str | None
    detail: dict[str, Any]


@dataclass(slots=True, eq=False)
class SlaRecord:
    id: int
    order_id: int
    scope: SlaScope
    step: str
    target_seconds: int
    intervals: list[list[str | None]]
    state: SlaState
    warn_at: datetime | None
    due_at: datetime | None
    warned_at: datetime | None
    breached_at: datetime | None
    escalated_at: datetime | None
    stopped_at: datetime | None
    around_the_clock: bool


@dataclass(slots=True, eq=False)
class DispatchRecord:
    id: int
    order_id: int
    step: str
    round: int
    platform: str
    operation: str
    idempotency_key: str
    status: DispatchStatus
    reference: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None


@dataclass(slots=True, eq=False)
class AttachmentRecord:
    id: int
    order_id: int
    storage_key: str
    filename: str
    content_type: str
    size: int
    sm3: str
    uploaded_by: int
    uploaded_at: datetime
