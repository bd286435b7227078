"""Work orders, their tasks (who may act now), event timeline, links, SLA clocks and platform dispatches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from core.db.encrypted import EncryptedJSON
from domain.workorders.enums import DispatchStatus, EventKind, ScopeKind, SlaScope, TaskStatus, WorkOrderStatus
from domain.workorders.sla import SlaState


class WorkOrder(Base):
    __tablename__ = "work_order"
    __table_args__ = (
        Index("ix_work_order_created", "created_at", "id"),
        Index("ix_work_order_unit_created", "unit_id", "created_at"),
        # A unit's orders of some kinds or statuses, counted per unit of the viewer's subtree without touching rows
        # (without it PostgreSQL ANDs a kind bitmap of a third of the table into every unit's: 90 ms instead of 2).
        Index("ix_work_order_unit_kind_status", "unit_id", "kind", "status"),
        Index("ix_work_order_status_created", "status", "created_at"),
        Index("ix_work_order_kind_status", "kind", "status"),
        Index("ix_work_order_applicant", "applicant_id", "created_at"),
        Index("ix_work_order_finished", "finished_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    status: Mapped[WorkOrderStatus] = mapped_column(enum_column(WorkOrderStatus, "work_order_status"))
    step: Mapped[str | None] = mapped_column(String(60), nullable=True)  # None once finished
    title: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("work_order.payload"))  # holders' phones, ID numbers
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)  # None: the system
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    round: Mapped[int] = mapped_column(Integer, default=1)  # submissions: 2 after the first resubmission
    version: Mapped[int] = mapped_column(Integer, default=1)  # +1 on every change: clients send it back to act
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)  # the order's SLA clock has breached
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # None while paused or finished
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # Every UPDATE says WHERE version = <what was read> and bumps it: a write from a stale read fails.
    __mapper_args__ = {"version_id_col": version}


class WorkOrderTask(Base):
    """A decision somebody may take now: one per step for SINGLE, one per voter for COUNTERSIGN."""

    __tablename__ = "work_order_task"
    __table_args__ = (
        Index("ix_work_order_task_order", "order_id", "status"),
        Index("ix_work_order_task_open_role", "status", "role_code"),
        Index("ix_work_order_task_assignee", "assignee_id", "status"),
        Index("ix_work_order_task_delegate", "delegate_id", "status"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(60))
    round: Mapped[int] = mapped_column(Integer)
    role_code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    scope_kind: Mapped[ScopeKind] = mapped_column(enum_column(ScopeKind, "work_order_scope_kind"))
    scope_path: Mapped[str] = mapped_column(String(255))  # the order unit's path when the task was made
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)  # None: any holder of the role
    supervisor_role: Mapped[str | None] = mapped_column(String(60), nullable=True)
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    delegate_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delegated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus, "work_order_task_status"))
    acted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkOrderEvent(Base):
    """The timeline: every transition and action with actor, time, comment and before/after."""

    __tablename__ = "work_order_event"
    __table_args__ = (Index("ix_work_order_event_order", "order_id", "id"), Index("ix_work_order_event_at", "at"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "work_order_event_kind"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)  # None: the system
    actor_name: Mapped[str] = mapped_column(String(100))  # as it was then
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    step: Mapped[str | None] = mapped_column(String(60), nullable=True)
    from_status: Mapped[WorkOrderStatus | None] = mapped_column(
        enum_column(WorkOrderStatus, "work_order_event_from_status"), nullable=True
    )
    to_status: Mapped[WorkOrderStatus | None] = mapped_column(
        enum_column(WorkOrderStatus, "work_order_event_to_status"), nullable=True
    )
    from_step: Mapped[str | None] = mapped_column(String(60), nullable=True)
    to_step: Mapped[str | None] = mapped_column(String(60), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class WorkOrderLink(Base):
    """A record the order affects (a SIM card, an account, an asset): traced both ways."""

    __tablename__ = "work_order_link"
    __table_args__ = (Index("ix_work_order_link_target", "target_type", "target_id"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    target_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class WorkOrderSla(Base):
    """One SLA clock: the order's, or one step's (re-entering a step resumes its clock)."""

    __tablename__ = "work_order_sla"
    __table_args__ = (
        UniqueConstraint("order_id", "scope", "step"),
        Index("ix_work_order_sla_warn", "warn_at"),
        Index("ix_work_order_sla_due", "due_at"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    scope: Mapped[SlaScope] = mapped_column(enum_column(SlaScope, "work_order_sla_scope"))
    step: Mapped[str] = mapped_column(String(60))  # "" for the order's clock
    target_seconds: Mapped[int] = mapped_column(Integer)
    intervals: Mapped[list[list[str | None]]] = mapped_column(JSONType)  # [[start, end|null], ...] ISO UTC
    state: Mapped[SlaState] = mapped_column(enum_column(SlaState, "work_order_sla_state"))
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # next warning, while running
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # breach time, while running
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the step or order ended
    # Counts every hour, nights and holidays too (a fault's clocks), instead of the government's working hours.
    around_the_clock: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WorkOrderDispatch(Base):
    """One operation sent to an external platform for one step of one order."""

    __tablename__ = "work_order_dispatch"
    __table_args__ = (
        Index("ix_work_order_dispatch_order", "order_id"),
        Index("ix_work_order_dispatch_status", "status"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(60))
    round: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(60))
    operation: Mapped[str] = mapped_column(String(60))
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[DispatchStatus] = mapped_column(enum_column(DispatchStatus, "work_order_dispatch_status"))
    request: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("work_order_dispatch.request"))
    result: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("work_order_dispatch.result"), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkOrderAttachment(Base):
    """A file attached to an order: its metadata here, the file sealed in the store (core.storage)."""

    __tablename__ = "work_order_attachment"
    __table_args__ = (Index("ix_work_order_attachment_order", "order_id", "id"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)  # one upload, one attachment
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sm3: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
