"""The declarative flow language: each area's flows.py declares its work order kinds with these.

A `Flow` is a kind: its typed form (a pydantic model, validated on submit), its steps in order, its
order-level SLA, and the domain effects of finishing. A `Step` is either an approval (people decide:
who may act is a role within a data scope; SINGLE or COUNTERSIGN N-of-M with a veto) or a dispatch (the
order goes to an external platform and waits for its answer). What reject, return and timeout do is
declared per step; anything a flow does not declare is refused by the engine.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from domain.identity.models import OrgUnit
from domain.workorders.enums import ApprovalMode, ScopeKind, StepKind

if TYPE_CHECKING:
    from core.db.uow import UnitOfWork
    from domain.identity.actor import Actor
    from domain.workorders.models import WorkOrder


@dataclass
class StepContext:
    """What an effect or guard sees: the transaction, the order, its parsed form, who acts, and a platform result."""

    uow: UnitOfWork
    order: WorkOrder
    form: Any  # the flow's pydantic model instance
    actor: Actor | None  # None: the system (a job, a callback, a timer)
    flow: Flow
    step: Step | None = None
    result: dict[str, Any] = field(default_factory=dict)  # a dispatch's confirmed result
    request: dict[str, Any] = field(default_factory=dict)  # the request that result answers


async def in_order_unit(ctx: StepContext, unit_id: int) -> bool:
    """Whether a record of `unit_id` belongs to the order's unit or a unit below it (an applicant acts on their own)."""
    unit = await ctx.uow.session.get(OrgUnit, ctx.order.unit_id)
    own = await ctx.uow.session.get(OrgUnit, unit_id)
    return unit is not None and own is not None and own.path.startswith(unit.path)


Effect = Callable[[StepContext], Awaitable[None]]
Guard = Callable[[StepContext], Awaitable[str | None]]  # a refusal message, or None to let it pass


class OnTimeout(str, enum.Enum):
    ESCALATE = "ESCALATE"  # notify and hand the open decision to the step's supervisor role
    REJECT = "REJECT"  # the order is rejected for lack of an answer
    APPROVE = "APPROVE"  # silence is consent (only for steps that allow it)


@dataclass(frozen=True)
class Approvers:
    """Who may decide a step: holders of `role` whose data scope covers the order (or the management unit)."""

    role: str
    scope: ScopeKind = ScopeKind.ORDER_UNIT
    mode: ApprovalMode = ApprovalMode.SINGLE
    required: int | None = None  # COUNTERSIGN: approvals that pass the step (None: all of them)

    def __post_init__(self) -> None:
        if self.mode is ApprovalMode.SINGLE and self.required is not None:
            raise ValueError("`required` is for countersign steps")
        if self.required is not None and self.required < 1:
            raise ValueError("a countersign needs at least one approval")


@dataclass(frozen=True)
class Dispatch:
    """Send the order to `platform`'s `operation`; `build` makes the request from the context.

    `platform` may depend on the form (the card's carrier). `build` may return a list: one request each (one per
    card), each with its own idempotency key; the step is done when every one is confirmed, and `on_confirmed`
    runs once per confirmation with `ctx.result` and `ctx.request` set to that request's."""

    platform: str | Callable[[StepContext], Any]  # a name, or a function giving one (may be async)
    operation: str
    build: Callable[[StepContext], Any]  # a request, a list of them, or an awaitable of either
    on_confirmed: Effect | None = None  # the domain effect of the platform's confirmation

    def platform_for(self, ctx: StepContext) -> Any:
        """The platform's name, or an awaitable of it."""
        return self.platform if isinstance(self.platform, str) else self.platform(ctx)


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # Chinese, shown on the timeline
    approvers: Approvers | None = None
    dispatch: Dispatch | None = None
    sla_hours: float | None = None  # working hours on the government calendar (the longest, with sla_by_form)
    sla_by_form: Callable[[Any], float | None] | None = None  # the target from the form (a fault's level)
    supervisor: Approvers | None = None  # who an overdue decision escalates to
    on_enter: Effect | None = None
    guard: Guard | None = None  # checked before an approval that would pass the step
    next: str | None = None  # default: the following step; after the last, the order completes
    on_reject: str | None = None  # None: the order is rejected; a step name: it goes back there
    returnable: bool = True  # approvers may send it back to the applicant for changes
    on_timeout: OnTimeout = OnTimeout.ESCALATE

    @property
    def kind(self) -> StepKind:
        return StepKind.DISPATCH if self.dispatch is not None else StepKind.APPROVAL


@dataclass(frozen=True)
class Flow:
    kind: str  # e.g. "wireless.open"
    label: str  # Chinese name of the kind
    form: type[BaseModel]
    steps: tuple[Step, ...]
    sla_hours: float | None = None  # the whole order, in working hours (the longest, with sla_by_form)
    sla_by_form: Callable[[Any], float | None] | None = None  # the order's target from its form
    around_the_clock: bool = False  # its clocks count every hour (an outage), not the government's working hours
    title: Callable[[Any], str] | None = None  # a default title from the form
    links: Callable[[Any], list[tuple[str, int]]] | None = None  # records the order affects
    validate: Callable[[StepContext], Awaitable[None]] | None = None  # domain checks on submit (raise DomainErrors)
    on_complete: Effect | None = None
    on_reject: Effect | None = None
    on_withdraw: Effect | None = None
    withdrawable: bool = True

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if not names:
            raise ValueError(f"flow {self.kind} has no steps")
        if len(set(names)) != len(names):
            raise ValueError(f"flow {self.kind} repeats a step name")
        for s in self.steps:
            if (s.approvers is None) == (s.dispatch is None):
                raise ValueError(f"step {self.kind}.{s.name} must either have approvers or dispatch")
            for target in (s.next, s.on_reject):
                if target is not None and target not in names:
                    raise ValueError(f"step {self.kind}.{s.name} points at unknown step {target}")
            if s.on_timeout is not OnTimeout.ESCALATE and s.approvers is None:
                raise ValueError(f"step {self.kind}.{s.name}: only approval steps time out into a decision")

    def order_hours(self, form: Any) -> float | None:
        """The order's SLA target for this form, in hours."""
        return self.sla_by_form(form) if self.sla_by_form is not None else self.sla_hours

    def step_hours(self, step: Step, form: Any) -> float | None:
        return step.sla_by_form(form) if step.sla_by_form is not None else step.sla_hours

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(f"{self.kind} has no step {name}")

    def after(self, step: Step) -> Step | None:
        """The step that follows `step` (None: the order completes)."""
        if step.next is not None:
            return self.step(step.next)
        i = self.steps.index(step)
        return self.steps[i + 1] if i + 1 < len(self.steps) else None


FLOWS: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    """Declare a kind (at import of its area's flows.py); a kind is declared once."""
    if flow.kind in FLOWS and FLOWS[flow.kind] is not flow:
        raise ValueError(f"work order kind {flow.kind} declared twice")
    FLOWS[flow.kind] = flow
    return flow


def get_flow(kind: str) -> Flow | None:
    return FLOWS.get(kind)


def kind_label(kind: str) -> str:
    """The Chinese name of a kind (its code when no flow declares it any more)."""
    flow = FLOWS.get(kind)
    return flow.label if flow else kind


def step_label(kind: str, step: str | None) -> str | None:
    """The Chinese name of a kind's step (its code when the flow no longer has it; None for no step)."""
    flow = FLOWS.get(kind)
    if flow is None or not step:
        return step or None
    return next((s.label for s in flow.steps if s.name == step), step)


# The usual approvals of a service application: the applicant unit's leader, then the Big Data Center's review.
UNIT_LEADER = Approvers("unit_admin")
MANAGEMENT_REVIEW = Approvers("management_operator", ScopeKind.MANAGEMENT)
