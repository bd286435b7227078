"""Flows declared for the engine tests (not by any area): one per approval semantic."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from core.clock import SHANGHAI
from domain.workorders.enums import ApprovalMode, ScopeKind
from domain.workorders.flow import Approvers, Dispatch, Flow, Step, StepContext, register
from domain.workorders.models import WorkOrderLink


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=1, le=100, description="How many.")
    reason: str = Field(min_length=1, max_length=200, description="Why.")


async def at_most_ten(ctx: StepContext) -> str | None:
    return "数量超过10须另行报批 / More than 10 needs a separate approval" if ctx.form.quantity > 10 else None


LEADER = Approvers("unit_admin")
REVIEW = Approvers("management_operator", ScopeKind.MANAGEMENT)

SINGLE = register(Flow("test.single", "测试：单人审批", Form, (Step("leader", "单位领导审批", LEADER, sla_hours=7),), sla_hours=14,
                       title=lambda f: f"申请{f.quantity}件"))  # fmt: skip
SEQUENTIAL = register(Flow("test.sequential", "测试：逐级审批", Form, (
    Step("leader", "单位领导审批", LEADER, sla_hours=7, supervisor=REVIEW),
    Step("review", "管理单位审核", REVIEW, sla_hours=7, on_reject="leader"),
), sla_hours=21))  # fmt: skip
COUNTERSIGN = register(Flow("test.countersign", "测试：会签三取二", Form, (
    Step("board", "专家会签", Approvers("test_reviewer", ScopeKind.MANAGEMENT, ApprovalMode.COUNTERSIGN, required=2)),
)))  # fmt: skip
COUNTERSIGN_ALL = register(Flow("test.countersign_all", "测试：全员会签", Form, (
    Step("board", "专家会签", Approvers("test_reviewer", ScopeKind.MANAGEMENT, ApprovalMode.COUNTERSIGN)),
)))  # fmt: skip
GUARDED = register(Flow("test.guarded", "测试：带条件", Form, (Step("leader", "单位领导审批", LEADER, guard=at_most_ten),)))
NOBODY = register(Flow("test.nobody", "测试：无人审批", Form, (Step("void", "无人环节", Approvers("no_such_role")),)))


def bj(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


async def link_account(ctx: StepContext) -> None:
    """The domain effect of the platform's confirmation: the account it issued becomes a record the order touched."""
    ctx.uow.session.add(WorkOrderLink(order_id=ctx.order.id, target_type="TestAccount", target_id=int(ctx.result["accountId"])))


DISPATCHED = register(Flow("test.dispatch", "测试：审批后提交平台", Form, (
    Step("leader", "单位领导审批", LEADER),
    Step("open", "平台开通", dispatch=Dispatch("testplat", "open", build=lambda ctx: ctx.form.model_dump(), on_confirmed=link_account)),
)))  # fmt: skip

FANOUT = register(Flow("test.fanout", "测试：逐个提交平台", Form, (
    Step("leader", "单位领导审批", LEADER),
    Step("open", "平台逐个开通", dispatch=Dispatch(
        lambda ctx: "testplat", "open",
        build=lambda ctx: [{"n": i + 1, "reason": ctx.form.reason} for i in range(ctx.form.quantity)],
        on_confirmed=link_account,
    )),
)))  # fmt: skip
