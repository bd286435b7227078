"""Work order statuses and their transition table, task and event kinds."""

from __future__ import annotations

import enum


class WorkOrderStatus(str, enum.Enum):
    PROCESSING = "PROCESSING"  # at a step where people act (approve, review, handle)
    RETURNED = "RETURNED"  # sent back to the applicant for changes: the SLA clocks pause
    DISPATCHING = "DISPATCHING"  # waiting on an external platform
    DISPATCH_FAILED = "DISPATCH_FAILED"  # the platform could not be reached after the last try (dead letter)
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({WorkOrderStatus.COMPLETED, WorkOrderStatus.REJECTED, WorkOrderStatus.WITHDRAWN})

S = WorkOrderStatus
# Every status change goes through this table; anything else is refused and changes nothing.
TRANSITIONS: frozenset[tuple[WorkOrderStatus, WorkOrderStatus]] = frozenset(
    {
        (S.PROCESSING, S.PROCESSING),  # the next step is another human step
        (S.PROCESSING, S.DISPATCHING),
        (S.PROCESSING, S.COMPLETED),
        (S.PROCESSING, S.REJECTED),
        (S.PROCESSING, S.RETURNED),
        (S.PROCESSING, S.WITHDRAWN),
        (S.RETURNED, S.PROCESSING),  # resubmitted with changes
        (S.RETURNED, S.WITHDRAWN),
        (S.DISPATCHING, S.PROCESSING),  # confirmed; a human step follows
        (S.DISPATCHING, S.DISPATCHING),  # confirmed; another platform follows
        (S.DISPATCHING, S.COMPLETED),
        (S.DISPATCHING, S.REJECTED),  # the platform refused the request
        (S.DISPATCHING, S.DISPATCH_FAILED),
        (S.DISPATCH_FAILED, S.DISPATCHING),  # retried by an operator
    }
)


def can_transition(before: WorkOrderStatus, after: WorkOrderStatus) -> bool:
    return (before, after) in TRANSITIONS


class StepKind(str, enum.Enum):
    APPROVAL = "APPROVAL"  # people decide: approve, reject, return
    DISPATCH = "DISPATCH"  # the order goes to an external platform and waits for its answer


class ApprovalMode(str, enum.Enum):
    SINGLE = "SINGLE"  # any one eligible person decides
    COUNTERSIGN = "COUNTERSIGN"  # each eligible person votes; N of M approvals pass, one rejection vetoes


class ScopeKind(str, enum.Enum):
    ORDER_UNIT = "ORDER_UNIT"  # people whose data scope covers the order's unit
    MANAGEMENT = "MANAGEMENT"  # people of the management unit


class TaskStatus(str, enum.Enum):
    OPEN = "OPEN"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    RETURNED = "RETURNED"
    CANCELLED = "CANCELLED"  # the step was decided without this vote, or the order left the step


class EventKind(str, enum.Enum):
    SUBMITTED = "SUBMITTED"
    RESUBMITTED = "RESUBMITTED"
    STEP_ENTERED = "STEP_ENTERED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    RETURNED = "RETURNED"
    WITHDRAWN = "WITHDRAWN"
    COMMENTED = "COMMENTED"
    ATTACHED = "ATTACHED"
    DELEGATED = "DELEGATED"
    REASSIGNED = "REASSIGNED"
    DISPATCHED = "DISPATCHED"
    DISPATCH_ACCEPTED = "DISPATCH_ACCEPTED"
    DISPATCH_CONFIRMED = "DISPATCH_CONFIRMED"
    DISPATCH_REFUSED = "DISPATCH_REFUSED"
    DISPATCH_DEAD = "DISPATCH_DEAD"
    DISPATCH_RETRIED = "DISPATCH_RETRIED"
    SLA_WARNING = "SLA_WARNING"
    SLA_BREACHED = "SLA_BREACHED"
    ESCALATED = "ESCALATED"
    COMPLETED = "COMPLETED"


class DispatchStatus(str, enum.Enum):
    PENDING = "PENDING"  # written with the order's transaction; the job has not reached the platform yet
    ACCEPTED = "ACCEPTED"  # the platform took it and will confirm by callback
    CONFIRMED = "CONFIRMED"
    REFUSED = "REFUSED"  # the platform rejected the request itself
    DEAD = "DEAD"  # out of tries: waits for an operator's retry


class SlaScope(str, enum.Enum):
    ORDER = "ORDER"
    STEP = "STEP"


class DispatchOutcome(str, enum.Enum):
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"


class WorkOrderSort(str, enum.Enum):
    CREATED_DESC = "CREATED_DESC"
    CREATED_ASC = "CREATED_ASC"
    UPDATED_DESC = "UPDATED_DESC"
    DUE_ASC = "DUE_ASC"  # soonest due first; orders without a running clock last
