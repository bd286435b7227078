"""Work order enums exposed in the contract (the domain owns the values)."""

from __future__ import annotations

from domain.workorders import enums as e
from domain.workorders.errors import WorkOrderErrorCode as Code
from domain.workorders.periods import Grain as _Grain
from domain.workorders.sla import SlaState as _SlaState
from schema.scalars import gql_enum

WorkOrderStatus = gql_enum(e.WorkOrderStatus, "Where a work order stands.", {
    e.WorkOrderStatus.PROCESSING: "处理中: waiting on people at a step (approval, review, handling).",
    e.WorkOrderStatus.RETURNED: "已退回: back with the applicant for changes; the SLA clocks are paused.",
    e.WorkOrderStatus.DISPATCHING: "平台处理中: sent to an external platform, waiting for its confirmation.",
    e.WorkOrderStatus.DISPATCH_FAILED: "派发失败: the platform could not be reached after the last try; an operator may retry.",
    e.WorkOrderStatus.COMPLETED: "已完成.",
    e.WorkOrderStatus.REJECTED: "已驳回: refused by an approver or by the platform.",
    e.WorkOrderStatus.WITHDRAWN: "已撤回: taken back by the applicant.",
})  # fmt: skip
StepKind = gql_enum(e.StepKind, "What kind of step.", {
    e.StepKind.APPROVAL: "People decide: approve, reject or return.",
    e.StepKind.DISPATCH: "The order goes to an external platform and waits for its answer.",
})  # fmt: skip
TaskStatus = gql_enum(e.TaskStatus, "Where one decision stands.", {
    e.TaskStatus.OPEN: "Waiting for a decision.",
    e.TaskStatus.APPROVED: "Approved.",
    e.TaskStatus.REJECTED: "Rejected (in a countersign, this vetoes the step).",
    e.TaskStatus.RETURNED: "Returned to the applicant for changes.",
    e.TaskStatus.CANCELLED: "No longer needed: the step was decided without it, or the order left the step.",
})  # fmt: skip
EventKind = gql_enum(e.EventKind, "What happened, on a work order's timeline.", {
    e.EventKind.SUBMITTED: "The applicant submitted the order.",
    e.EventKind.RESUBMITTED: "The applicant answered a return with changes.",
    e.EventKind.STEP_ENTERED: "The order reached a step.",
    e.EventKind.APPROVED: "Somebody approved (or a timeout approved by silence).",
    e.EventKind.REJECTED: "Somebody rejected, with a reason.",
    e.EventKind.RETURNED: "Somebody sent it back to the applicant, with a reason.",
    e.EventKind.WITHDRAWN: "The applicant withdrew it.",
    e.EventKind.COMMENTED: "A comment (or the list of form changes on a resubmission).",
    e.EventKind.ATTACHED: "Files were attached.",
    e.EventKind.DELEGATED: "A decision was delegated to somebody for a while.",
    e.EventKind.REASSIGNED: "A decision was given to a named person.",
    e.EventKind.DISPATCHED: "Sent to an external platform.",
    e.EventKind.DISPATCH_ACCEPTED: "The platform took it and will confirm later.",
    e.EventKind.DISPATCH_CONFIRMED: "The platform confirmed it.",
    e.EventKind.DISPATCH_REFUSED: "The platform refused it.",
    e.EventKind.DISPATCH_DEAD: "The platform could not be reached after the last try.",
    e.EventKind.DISPATCH_RETRIED: "An operator sent a failed dispatch again.",
    e.EventKind.SLA_WARNING: "75 % of an SLA target is used.",
    e.EventKind.SLA_BREACHED: "An SLA target was missed.",
    e.EventKind.ESCALATED: "An overdue decision went to the step's supervisor role.",
    e.EventKind.COMPLETED: "The order completed.",
})  # fmt: skip
DispatchStatus = gql_enum(e.DispatchStatus, "Where a dispatch to an external platform stands.", {
    e.DispatchStatus.PENDING: "Waiting for the job to reach the platform (retries with backoff).",
    e.DispatchStatus.ACCEPTED: "The platform took it; its confirmation comes by callback.",
    e.DispatchStatus.CONFIRMED: "Confirmed by the platform.",
    e.DispatchStatus.REFUSED: "Refused by the platform.",
    e.DispatchStatus.DEAD: "Out of tries (dead letter): waits for workOrderRetryDispatch.",
})  # fmt: skip
SlaScope = gql_enum(e.SlaScope, "What an SLA clock times.", {
    e.SlaScope.ORDER: "The whole order.",
    e.SlaScope.STEP: "One step (its clock resumes if the order comes back to it).",
})  # fmt: skip
SlaState = gql_enum(_SlaState, "How an SLA clock stands.", {
    _SlaState.ON_TRACK: "Within 75 % of the target.",
    _SlaState.WARNING: "75 % or more of the target used.",
    _SlaState.BREACHED: "The target was missed.",
})  # fmt: skip
WorkOrderSort = gql_enum(e.WorkOrderSort, "Order of a work order list.", {
    e.WorkOrderSort.CREATED_DESC: "Newest first (default).",
    e.WorkOrderSort.CREATED_ASC: "Oldest first.",
    e.WorkOrderSort.UPDATED_DESC: "Most recently changed first.",
    e.WorkOrderSort.DUE_ASC: "Soonest due first; orders without a running clock last.",
})  # fmt: skip
DispatchOutcome = gql_enum(e.DispatchOutcome, "A platform's answer to a dispatch, in its callback.", {
    e.DispatchOutcome.CONFIRMED: "Done; `result` holds what the platform issued.",
    e.DispatchOutcome.FAILED: "Refused; `message` says why.",
})  # fmt: skip
WorkOrderErrorCode = gql_enum(Code, "Why a work order request was refused; nothing was changed.", {
    Code.INVALID_INPUT: "Input fails validation; `field` names it (form fields under `form.`).",
    Code.NOT_FOUND: "No such work order in your data scope.",
    Code.UNKNOWN_KIND: "No work order kind by that name.",
    Code.INVALID_TRANSITION: "The order's flow does not allow this now.",
    Code.STALE_STATE: "The order changed since you loaded it (someone else acted first): reload and try again.",
    Code.NOT_ASSIGNEE: "You may not act at the current step.",
    Code.NOT_APPLICANT: "Only the applicant may do this.",
    Code.REASON_REQUIRED: "Rejecting or returning needs a reason.",
    Code.ALREADY_APPROVED: "Approved at a step already: it can no longer be withdrawn.",
    Code.NO_APPROVERS: "Nobody may act at the next step (no active holder of its role in scope).",
    Code.GUARD_FAILED: "A rule of the step refused it; the message says which.",
    Code.INVALID_DELEGATE: "The person named is unknown, disabled, outside the order's data scope, or the applicant.",
    Code.DISPATCH_NOT_RETRYABLE: "The order has no failed dispatch to retry.",
    Code.ATTACHMENT_REFUSED: "The attachment is too large or of a type not allowed.",
})  # fmt: skip
Grain = gql_enum(_Grain, "The time dimension of a statistic.", {
    _Grain.DAY: "By day (Beijing time).",
    _Grain.WEEK: "By ISO week, Monday first.",
    _Grain.MONTH: "By month.",
})  # fmt: skip
