"""Work order mutation payloads: the order, or errors that say what to fix."""

from __future__ import annotations

import strawberry

from schema.workorders.enums import WorkOrderErrorCode
from schema.workorders.types import WorkOrder


@strawberry.type(description="Why a work order request was refused; nothing was changed.")
class WorkOrderError:
    code: WorkOrderErrorCode = strawberry.field(description="Machine-readable reason.")  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="Input field at fault (form fields as form.<path>), if one is.")
    message: str = strawberry.field(description="Message for people, Chinese / English.")


@strawberry.type(description="Result of a work order mutation.")
class WorkOrderPayload:
    work_order: WorkOrder | None = strawberry.field(description="The order after the change.")
    errors: list[WorkOrderError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Result of a platform's callback.")
class WorkOrderDispatchConfirmPayload:
    accepted: bool = strawberry.field(description="True when this answer moved the order; false for a repeat (no change).")
    errors: list[WorkOrderError] = strawberry.field(description="Why it was refused; empty on success.")
