"""Work order error codes (machine-readable) with bilingual messages."""

from __future__ import annotations

import enum

from core.errors import DomainError


class WorkOrderErrorCode(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_KIND = "UNKNOWN_KIND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    STALE_STATE = "STALE_STATE"
    NOT_ASSIGNEE = "NOT_ASSIGNEE"
    NOT_APPLICANT = "NOT_APPLICANT"
    REASON_REQUIRED = "REASON_REQUIRED"
    ALREADY_APPROVED = "ALREADY_APPROVED"
    NO_APPROVERS = "NO_APPROVERS"
    GUARD_FAILED = "GUARD_FAILED"
    INVALID_DELEGATE = "INVALID_DELEGATE"
    DISPATCH_NOT_RETRYABLE = "DISPATCH_NOT_RETRYABLE"
    ATTACHMENT_REFUSED = "ATTACHMENT_REFUSED"


Code = WorkOrderErrorCode


class WorkOrderError(DomainError):
    pass


def error(code: WorkOrderErrorCode, message: str, field: str | None = None) -> WorkOrderError:
    return WorkOrderError(code, message, field)


def stale() -> WorkOrderError:
    return error(
        Code.STALE_STATE, "工单状态已变化，请刷新后重试 / The work order changed since you loaded it; reload and try again"
    )


def not_found() -> WorkOrderError:
    return error(Code.NOT_FOUND, "工单不存在或不在您的数据范围内 / No such work order in your data scope", "id")
