"""Work order object types. Sources are domain records; relations come prefetched or via dataloaders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core import storage
from core.clock import utcnow
from core.ids import to_global_id
from domain.identity.records import NOT_LOADED
from domain.integration.ports import redact
from domain.workorders.flow import kind_label, step_label
from domain.workorders.records import AttachmentRecord, DispatchRecord, EventRecord, SlaRecord, TaskRecord, WorkOrderRecord
from domain.workorders.sla import Interval, SlaClock
from schema.fastpath import raw, relation
from schema.identity.types import OrgUnit, User
from schema.node import Node, register_node
from schema.workorders.enums import DispatchStatus, EventKind, SlaScope, SlaState, StepKind, TaskStatus, WorkOrderStatus

Parent = strawberry.Parent[Any]


_applicant = relation("applicant", "user", "applicant_id")
_unit = relation("unit", "org_unit", "unit_id")
_tasks = relation("tasks", "work_order_tasks", "id")
_events = relation("events", "work_order_events", "id")
_clocks = relation("clocks", "work_order_clocks", "id")
_dispatches = relation("dispatches", "work_order_dispatches", "id")
_links = relation("links", "work_order_links", "id")
_attachments = relation("attachments", "work_order_attachments", "id")


def _then(value: Any, fn: Any) -> Any:
    """Apply `fn` to a prefetched value or to what its dataloader future brings."""
    if hasattr(value, "__await__"):

        async def later() -> Any:
            return fn(await value)

        return later()
    return fn(value)


def _open_tasks(root: WorkOrderRecord, info: Any) -> Any:
    if root.open_tasks is not NOT_LOADED:
        return root.open_tasks
    return _then(_tasks(root, info), lambda ts: [t for t in ts if t.status.value == "OPEN"])


def _comments(root: WorkOrderRecord, info: Any) -> Any:
    return _then(_events(root, info), lambda es: [e for e in es if e.kind.value == "COMMENTED"])


def _link_values(root: WorkOrderRecord, info: Any) -> Any:
    return _then(_links(root, info), lambda ls: [WorkOrderLink(target_type=t, target_id=to_global_id(t, i)) for t, i in ls])


def _form(root: WorkOrderRecord, _info: Any) -> Any:
    return redact(root.payload)  # sealed at rest; ID numbers hidden and phones masked in the API


def _kind_label(root: WorkOrderRecord, _info: Any) -> str:
    return kind_label(root.kind)


def _order_step_label(root: WorkOrderRecord, _info: Any) -> str | None:
    return step_label(root.kind, root.step)


@strawberry.type(description="A place a work order affects (a SIM card, an account, an asset), for tracing both ways.")
class WorkOrderLink:
    target_type: str = strawberry.field(description="The GraphQL type of the record, e.g. SimCard.")
    target_id: strawberry.ID = strawberry.field(description="Its global id.")


@strawberry.type(description="工单: an application that moves through its kind's steps to completion.")
class WorkOrder(Node):
    number: str = strawberry.field(description="Human number, GD + Beijing date + 6-digit daily sequence.")
    kind: str = strawberry.field(description="Kind code, e.g. wireless.open (see workOrderKinds).")
    status: WorkOrderStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    step: str | None = strawberry.field(description="Code of the current step; null once finished.")
    title: str = strawberry.field(description="Title.")
    version: int = strawberry.field(description="Changes with every change; send it back as expectedVersion to act.")
    overdue: bool = strawberry.field(description="The order's SLA target was missed.")
    due_at: datetime | None = strawberry.field(description="When the order's SLA falls due; null while paused or finished.")
    created_at: datetime = strawberry.field(description="Submitted at.")
    updated_at: datetime = strawberry.field(description="Last change.")
    finished_at: datetime | None = strawberry.field(description="Completed, rejected or withdrawn at.")

    @strawberry.field(
        description="The kind's form as submitted (validated against the kind's model); ID numbers show as *** and "
        "phone numbers masked in the middle."
    )
    @raw(_form)
    def form(self, root: Parent, info: strawberry.Info) -> JSON:
        return _form(root, info)

    @strawberry.field(description="Chinese name of the kind.")
    @raw(_kind_label)
    def kind_label(self, root: Parent, info: strawberry.Info) -> str:
        return _kind_label(root, info)

    @strawberry.field(description="Chinese name of the current step.")
    @raw(_order_step_label)
    def step_label(self, root: Parent, info: strawberry.Info) -> str | None:
        return _order_step_label(root, info)

    @strawberry.field(
        description="Who applied; null when outside your data scope, or when the system opened it (a fault from an alert)."
    )
    @raw(_applicant)
    def applicant(self, root: Parent, info: strawberry.Info) -> User | None:
        return _applicant(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The applying unit.")
    @raw(_unit)
    def unit(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _unit(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Decisions waiting now (the mobile approval inbox shows these).")
    @raw(_open_tasks)
    def open_tasks(self, root: Parent, info: strawberry.Info) -> list[WorkOrderTask]:
        return _open_tasks(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Every decision of every step and submission, oldest first.")
    @raw(_tasks)
    def tasks(self, root: Parent, info: strawberry.Info) -> list[WorkOrderTask]:
        return _tasks(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The timeline: every transition and action, oldest first.")
    @raw(_events)
    def timeline(self, root: Parent, info: strawberry.Info) -> list[WorkOrderEvent]:
        return _events(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The comments of the timeline.")
    @raw(_comments)
    def comments(self, root: Parent, info: strawberry.Info) -> list[WorkOrderEvent]:
        return _comments(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The SLA timeline: the order's clock and each step's.")
    @raw(_clocks)
    def sla_clocks(self, root: Parent, info: strawberry.Info) -> list[SlaClockType]:
        return _clocks(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="What was sent to external platforms, and how they answered.")
    @raw(_dispatches)
    def dispatches(self, root: Parent, info: strawberry.Info) -> list[WorkOrderDispatch]:
        return _dispatches(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Records the order affects.")
    @raw(_link_values)
    def links(self, root: Parent, info: strawberry.Info) -> list[WorkOrderLink]:
        return _link_values(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Attached files, oldest first, each with a fresh signed download link.")
    @raw(_attachments)
    def attachments(self, root: Parent, info: strawberry.Info) -> list[WorkOrderAttachment]:
        return _attachments(root, info)  # type: ignore[no-any-return]

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, WorkOrderRecord)


def _task_id(root: TaskRecord, _info: Any) -> str:
    return to_global_id("WorkOrderTask", root.id)


def _task_step_label(root: TaskRecord, info: Any) -> str | None:
    return step_label(root.kind, root.step) if root.kind else root.step


def _user(attr: str) -> Any:
    def resolve(root: Any, info: Any) -> Any:
        ref = getattr(root, attr)
        return None if ref is None else info.context.loaders.user.load(ref)

    return resolve


_assignee, _delegate = relation("assignee", "user", "assignee_id"), relation("delegate", "user", "delegate_id")
_acted_by, _actor = _user("acted_by"), _user("actor_id")


@strawberry.type(description="One decision at a step: open to a role, or to a named person (countersign, reassignment).")
class WorkOrderTask:
    step: str = strawberry.field(description="Step code.")
    round: int = strawberry.field(description="Submission round (2 after the first resubmission).")
    role_code: str | None = strawberry.field(description="The role whose holders may decide it (when no one is named).")
    status: TaskStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    delegate_until: datetime | None = strawberry.field(description="End of the delegation, if delegated.")
    acted_at: datetime | None = strawberry.field(description="Decided (or cancelled) at.")
    comment: str | None = strawberry.field(description="The decision's comment or reason.")
    created_at: datetime = strawberry.field(description="Opened at.")

    @strawberry.field(description="Global id (for workOrderReassign's taskId).")
    @raw(_task_id)
    def id(self, root: Parent, info: strawberry.Info) -> strawberry.ID:
        return strawberry.ID(_task_id(root, info))

    @strawberry.field(description="Chinese name of the step.")
    @raw(_task_step_label)
    def step_label(self, root: Parent, info: strawberry.Info) -> str | None:
        return _task_step_label(root, info)

    @strawberry.field(description="The person named to decide it (countersign voter, or after reassignment).")
    @raw(_assignee)
    def assignee(self, root: Parent, info: strawberry.Info) -> User | None:
        return _assignee(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Who may decide it on the assignee's behalf until delegateUntil.")
    @raw(_delegate)
    def delegate(self, root: Parent, info: strawberry.Info) -> User | None:
        return _delegate(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Who decided it.")
    @raw(_acted_by)
    def acted_by(self, root: Parent, info: strawberry.Info) -> User | None:
        return _acted_by(root, info)  # type: ignore[no-any-return]


@strawberry.type(description="One entry of a work order's timeline.")
class WorkOrderEvent:
    kind: EventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    actor_name: str = strawberry.field(description="Who, as they were called then (系统 for the system).")
    at: datetime = strawberry.field(description="When.")
    step: str | None = strawberry.field(description="The step the order was at.")
    from_status: WorkOrderStatus | None = strawberry.field(description="Status before, for transitions.")  # type: ignore[valid-type]
    to_status: WorkOrderStatus | None = strawberry.field(description="Status after, for transitions.")  # type: ignore[valid-type]
    from_step: str | None = strawberry.field(description="Step before, for transitions.")
    to_step: str | None = strawberry.field(description="Step after, for transitions.")
    comment: str | None = strawberry.field(description="Comment or reason.")
    detail: JSON = strawberry.field(description="Particulars: task, delegate, platform, changed form fields.")

    @strawberry.field(description="Who, when it was a user still in your data scope.")
    @raw(_actor)
    def actor(self, root: Parent, info: strawberry.Info) -> User | None:
        return _actor(root, info)  # type: ignore[no-any-return]


@strawberry.type(description="A stretch of time an SLA clock ran.")
class SlaInterval:
    start: datetime = strawberry.field(description="Started or resumed at.")
    end: datetime | None = strawberry.field(description="Paused or stopped at; null while running.")


def _intervals(root: SlaRecord) -> tuple[Interval, ...]:
    return tuple(Interval(datetime.fromisoformat(s), datetime.fromisoformat(e) if e else None) for s, e in root.intervals if s)


def _elapsed(root: SlaRecord, _info: Any) -> int:
    from domain.workorders.clocks import ALWAYS, calendar

    return SlaClock(root.target_seconds, _intervals(root)).elapsed(ALWAYS if root.around_the_clock else calendar(), utcnow())


def _running(root: SlaRecord, _info: Any) -> bool:
    return bool(root.intervals) and root.intervals[-1][1] is None


def _interval_values(root: SlaRecord, _info: Any) -> list[SlaInterval]:
    return [SlaInterval(start=i.start, end=i.end) for i in _intervals(root)]


@strawberry.type(
    name="SlaClock",
    description="An SLA clock in working time on the government calendar, or around the clock (a fault's clocks).",
)
class SlaClockType:
    scope: SlaScope = strawberry.field(description="The order's clock or a step's.")  # type: ignore[valid-type]
    step: str = strawberry.field(description="The step (empty for the order's clock).")
    target_seconds: int = strawberry.field(description="Target, in working seconds (or plain seconds, around the clock).")
    around_the_clock: bool = strawberry.field(description="It counts every hour, nights and holidays too.")
    state: SlaState = strawberry.field(description="On track, warning or breached.")  # type: ignore[valid-type]
    due_at: datetime | None = strawberry.field(description="When it breaches if it keeps running; null while paused.")
    warned_at: datetime | None = strawberry.field(description="When the 75 % warning fired.")
    breached_at: datetime | None = strawberry.field(description="When it breached.")
    escalated_at: datetime | None = strawberry.field(description="When the decision escalated to the supervisor role.")
    stopped_at: datetime | None = strawberry.field(description="When its step or order ended.")

    @strawberry.field(description="Seconds used so far (working seconds unless it runs around the clock).")
    @raw(_elapsed)
    def elapsed_seconds(self, root: Parent, info: strawberry.Info) -> int:
        return _elapsed(root, info)

    @strawberry.field(description="True while the clock runs (false while paused or stopped).")
    @raw(_running)
    def running(self, root: Parent, info: strawberry.Info) -> bool:
        return _running(root, info)

    @strawberry.field(description="When it ran: pauses are the gaps.")
    @raw(_interval_values)
    def intervals(self, root: Parent, info: strawberry.Info) -> list[SlaInterval]:
        return _interval_values(root, info)


@strawberry.type(description="One operation sent to an external platform for one step.")
class WorkOrderDispatch:
    step: str = strawberry.field(description="The step it belongs to.")
    round: int = strawberry.field(description="The submission round.")
    platform: str = strawberry.field(description="The platform.")
    operation: str = strawberry.field(description="The platform operation.")
    idempotency_key: str = strawberry.field(description="Sent with every try: the platform does the work once.")
    status: DispatchStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    reference: str | None = strawberry.field(description="The platform's own ticket number.")
    attempts: int = strawberry.field(description="Calls made.")
    last_error: str | None = strawberry.field(description="The last failure, if any.")
    created_at: datetime = strawberry.field(description="Written at.")
    updated_at: datetime = strawberry.field(description="Last change.")
    confirmed_at: datetime | None = strawberry.field(description="Confirmed at.")


@strawberry.type(description="One step of a kind's flow.")
class WorkOrderStepInfo:
    name: str = strawberry.field(description="Step code.")
    label: str = strawberry.field(description="Chinese name.")
    kind: StepKind = strawberry.field(description="Approval or dispatch.")  # type: ignore[valid-type]
    role_code: str | None = strawberry.field(description="Who decides it (approval steps).")
    sla_hours: float | None = strawberry.field(description="Target in working hours (the longest, when the form sets it).")


@strawberry.type(description="A kind of work order and its flow.")
class WorkOrderKind:
    kind: str = strawberry.field(description="Kind code.")
    label: str = strawberry.field(description="Chinese name.")
    sla_hours: float | None = strawberry.field(
        description="Target for the whole order, in working hours (the longest, when the form sets it)."
    )
    around_the_clock: bool = strawberry.field(description="Its clocks count every hour, not working hours (faults).")
    steps: list[WorkOrderStepInfo] = strawberry.field(description="Its steps in order.")
    form_schema: JSON = strawberry.field(description="JSON Schema of its form (for building the form screen).")


def _download_url(root: AttachmentRecord, info: Any) -> str:
    # Whoever reads the order may read its files: the link is signed for them now and expires soon.
    ctx = info.context
    actor = ctx.actor
    token = storage.sign_link(root.storage_key, filename=root.filename, expires_in=ctx.settings.download_link_seconds,
                              user_id=actor.user_id if actor else None)  # fmt: skip
    return f"/files/{token}"


def _uploader(root: AttachmentRecord, info: Any) -> Any:
    return info.context.loaders.user.load(root.uploaded_by)


@strawberry.type(description="附件: a file attached to a work order (sealed in the store).")
class WorkOrderAttachment:
    filename: str = strawberry.field(description="The file's name as uploaded.")
    content_type: str = strawberry.field(description="Its declared type.")
    size: int = strawberry.field(description="Bytes.")
    sm3: str = strawberry.field(description="SM3 of the content, to check a copy.")
    uploaded_at: datetime = strawberry.field(description="Attached at.")

    @strawberry.field(description="Path of a signed link that downloads it; it expires (read the order again for a fresh one).")
    @raw(_download_url)
    def download_url(self, root: Parent, info: strawberry.Info) -> str:
        return _download_url(root, info)

    @strawberry.field(description="Who attached it, when in your data scope.")
    @raw(_uploader)
    def uploaded_by(self, root: Parent, info: strawberry.Info) -> User | None:
        return _uploader(root, info)  # type: ignore[no-any-return]


register_node(WorkOrderRecord, "WorkOrder")
__all__ = ["DispatchRecord", "EventRecord", "SlaClockType", "WorkOrder", "WorkOrderDispatch", "WorkOrderEvent"]


@strawberry.type(description="How many orders of one kind are in one status.")
class WorkOrderKindStatusCount:
    kind: str = strawberry.field(description="Kind code.")
    kind_label: str = strawberry.field(description="Chinese name of the kind.")
    status: WorkOrderStatus = strawberry.field(description="Status.")  # type: ignore[valid-type]
    count: int = strawberry.field(description="Orders.")


@strawberry.type(description="Orders submitted in one month (Beijing time).")
class WorkOrderMonthCount:
    month: str = strawberry.field(description="YYYY-MM.")
    count: int = strawberry.field(description="Orders submitted.")


@strawberry.type(description="How long completed orders of a kind took, as a whole or at one step.")
class WorkOrderDurationStat:
    kind: str = strawberry.field(description="Kind code.")
    kind_label: str = strawberry.field(description="Chinese name of the kind.")
    step: str | None = strawberry.field(description="The step; null for the whole order (submission to completion).")
    step_label: str | None = strawberry.field(description="Chinese name of the step.")
    count: int = strawberry.field(description="Samples: orders, or decisions / confirmations at the step.")
    mean_seconds: float = strawberry.field(description="Mean, wall-clock seconds.")
    p50_seconds: float = strawberry.field(description="Median, wall-clock seconds.")
    p90_seconds: float = strawberry.field(description="90th percentile, wall-clock seconds.")


@strawberry.type(description="工单统计: volumes, durations and timeouts of the filtered orders (module 58).")
class WorkOrderStatistics:
    total: int = strawberry.field(description="Orders matching the filter.")
    overdue: int = strawberry.field(description="Of those, orders that missed their SLA or are past due now.")
    overdue_rate: float = strawberry.field(description="overdue / total (0 when there are none).")
    by_kind_status: list[WorkOrderKindStatusCount] = strawberry.field(description="Counts by kind and status.")
    new_per_month: list[WorkOrderMonthCount] = strawberry.field(description="Orders submitted per month.")
    durations: list[WorkOrderDurationStat] = strawberry.field(description="Durations per kind, whole and per step.")
    computed_at: datetime = strawberry.field(
        description="When these figures were computed: they are shared by viewers with the same data scope for up to "
        "five times GOVOPS_SCREEN_CACHE_SECONDS (5 min by default) and recomputed in the background after that."
    )
