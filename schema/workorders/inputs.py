"""Work order inputs. Shapes are checked here; the rules (flows, scope, forms) by the domain."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from schema.workorders.enums import DispatchOutcome, WorkOrderStatus

VERSION = "The order's version as you loaded it; a mismatch is refused with STALE_STATE (omit to skip the check)."


@strawberry.input(description="Narrow a work order list. Every condition must hold.")
class WorkOrderFilter:
    kinds: list[str] | None = strawberry.field(default=None, description="Only these kinds.")
    statuses: list[WorkOrderStatus] | None = strawberry.field(default=None, description="Only these statuses.")  # type: ignore[valid-type]
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this applying unit.")
    applicant_id: strawberry.ID | None = strawberry.field(default=None, description="Only this applicant.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only orders this user decides, decided, or was delegated."
    )
    created_from: datetime | None = strawberry.field(default=None, description="Submitted at or after.")
    created_to: datetime | None = strawberry.field(default=None, description="Submitted before.")
    finished_from: datetime | None = strawberry.field(default=None, description="Finished at or after.")
    finished_to: datetime | None = strawberry.field(default=None, description="Finished before.")
    overdue: bool | None = strawberry.field(default=None, description="True: missed (or missing) the SLA; false: on time.")
    keyword: str | None = strawberry.field(default=None, description="Number prefix, or words of the title.")


@strawberry.input(description="Apply for something: a kind and its form.")
class WorkOrderSubmitInput:
    kind: str = strawberry.field(description="Kind code (see workOrderKinds).")
    form: JSON = strawberry.field(description="The kind's form (see workOrderKinds.formSchema).")
    title: str | None = strawberry.field(default=None, description="Title; the kind's default when omitted.")
    uploads: list[str] | None = strawberry.field(
        default=None, description="Files to attach: the `upload` tokens `POST /uploads` answered (yours, within the hour)."
    )


@strawberry.input(description="Approve the current step.")
class WorkOrderApproveInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    comment: str | None = strawberry.field(default=None, description="Opinion (审批意见).")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input(description="Reject, or return for changes: a reason is required.")
class WorkOrderDecisionInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    reason: str = strawberry.field(description="Why; the applicant reads it.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input(description="Answer a return: the corrected form (omit to resubmit it unchanged).")
class WorkOrderResubmitInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    form: JSON | None = strawberry.field(default=None, description="The corrected form.")
    comment: str | None = strawberry.field(default=None, description="What was changed.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input(description="Take your order back (before the first approval, or while it is returned).")
class WorkOrderWithdrawInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    reason: str | None = strawberry.field(default=None, description="Why (optional).")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input(description="A comment on an order's timeline.")
class WorkOrderCommentInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    text: str = strawberry.field(description="The comment, at most 2000 characters.")


@strawberry.input(description="Let somebody decide your task for a while.")
class WorkOrderDelegateInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    delegate_id: strawberry.ID = strawberry.field(description="The user who may decide in your place.")
    until: datetime = strawberry.field(description="End of the delegation (within 30 days).")
    comment: str | None = strawberry.field(default=None, description="Why.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input(description="Give an open task to a named user (managers, or the step's supervisor role).")
class WorkOrderReassignInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    assignee_id: strawberry.ID = strawberry.field(description="The user who decides it from now on.")
    task_id: strawberry.ID | None = strawberry.field(default=None, description="Which task, when the step has several.")
    comment: str | None = strawberry.field(default=None, description="Why.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input(description="Send a dead-lettered dispatch to its platform again (same idempotency key).")
class WorkOrderRetryDispatchInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input(description="A platform's answer to a dispatch (third-party API clients, as a persisted operation).")
class WorkOrderDispatchConfirmInput:
    idempotency_key: str = strawberry.field(description="The Idempotency-Key the dispatch was sent with.")
    outcome: DispatchOutcome = strawberry.field(description="Confirmed or failed.")  # type: ignore[valid-type]
    result: JSON | None = strawberry.field(default=None, description="What the platform issued (card numbers, accounts).")
    reference: str | None = strawberry.field(default=None, description="The platform's own ticket number.")
    message: str | None = strawberry.field(default=None, description="Why it failed.")


@strawberry.input(description="Attach uploaded files to an order.")
class WorkOrderAttachmentAddInput:
    id: strawberry.ID = strawberry.field(description="The work order.")
    uploads: list[str] = strawberry.field(description="The `upload` tokens `POST /uploads` answered (yours, within the hour).")
