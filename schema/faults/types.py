"""Fault object types. Sources are domain records; relations come prefetched or via dataloaders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.faults.enums import LEVEL_TARGETS
from domain.faults.records import FaultRecord
from schema.alerts.types import Alert
from schema.catalog.enums import ServiceDomain
from schema.fastpath import raw, relation
from schema.faults.enums import FaultCategory, FaultLevel, FaultStage
from schema.identity.types import OrgUnit, User
from schema.node import Node, register_node
from schema.secure_access.types import SecureAccessAccount
from schema.statistics import KeyCount, PeriodTotal, UnitCount
from schema.wireless.types import SimCard
from schema.workorders.types import WorkOrder

if TYPE_CHECKING:
    from schema.assets.types import Asset

Parent = strawberry.Parent[Any]

_unit = relation("unit", "org_unit", "unit_id")
_reporter = relation("reporter", "user", "reporter_id")
_order = relation("order", "work_order", "order_id")
_card = relation("sim_card", "sim_card", "sim_card_id")
_account = relation("account", "secure_access_account", "account_id")
_alert = relation("alert", "alert", "alert_id")
_asset = relation("asset", "asset", "asset_id")


def _respond_hours(root: FaultRecord, _info: Any) -> float:
    return LEVEL_TARGETS[root.level][0]


def _resolve_hours(root: FaultRecord, _info: Any) -> float:
    return LEVEL_TARGETS[root.level][1]


@strawberry.type(description="故障报修: a fault report and its rectification (the `faults.rectify` work order).")
class Fault(Node):
    number: str = strawberry.field(description="The rectification order's number.")
    domain: ServiceDomain = strawberry.field(description="The service it is in.")  # type: ignore[valid-type]
    category: FaultCategory = strawberry.field(description="What kind of fault.")  # type: ignore[valid-type]
    level: FaultLevel = strawberry.field(description="How bad.")  # type: ignore[valid-type]
    stage: FaultStage = strawberry.field(description="Where its rectification stands.")  # type: ignore[valid-type]
    title: str = strawberry.field(description="One line that names it.")
    description: str = strawberry.field(description="What happens, as reported (or the alert's detail).")
    location: str | None = strawberry.field(description="Where, as reported.")
    occurred_at: datetime = strawberry.field(description="When it began (an alert's first occurrence).")
    reported_at: datetime = strawberry.field(description="When it was reported (or the alert opened it).")
    responded_at: datetime | None = strawberry.field(description="When the review confirmed it (the response).")
    rectified_at: datetime | None = strawberry.field(description="When it was last reported repaired.")
    closed_at: datetime | None = strawberry.field(description="When it was verified, rejected or withdrawn.")
    response_seconds: int | None = strawberry.field(
        description="Time to respond: the review's clock, around the clock (from the alert, for an alert's fault)."
    )
    resolution_seconds: int | None = strawberry.field(
        description="Time to resolve: the order's clock when the repair was verified (pauses excluded)."
    )
    response_due_at: datetime | None = strawberry.field(description="When the response target runs out, while in review.")
    response_overdue: bool = strawberry.field(description="The response took (or is taking) longer than its target.")
    resolution_due_at: datetime | None = strawberry.field(description="When the resolution target runs out, while open.")
    resolution_overdue: bool = strawberry.field(description="The resolution took (or is taking) longer than its target.")
    updated_at: datetime = strawberry.field(description="Last change.")

    @strawberry.field(description="The response target for its level, in hours.")
    @raw(_respond_hours)
    def response_target_hours(self, root: Parent, info: strawberry.Info) -> float:
        return _respond_hours(root, info)

    @strawberry.field(description="The resolution target for its level, in hours.")
    @raw(_resolve_hours)
    def resolution_target_hours(self, root: Parent, info: strawberry.Info) -> float:
        return _resolve_hours(root, info)

    @strawberry.field(description="The unit it affects.")
    @raw(_unit)
    def unit(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _unit(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Who reported it; null when an alert opened it, or outside your data scope.")
    @raw(_reporter)
    def reporter(self, root: Parent, info: strawberry.Info) -> User | None:
        return _reporter(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The rectification work order: its steps, tasks, timeline, SLA clocks and files.")
    @raw(_order)
    def work_order(self, root: Parent, info: strawberry.Info) -> WorkOrder | None:
        return _order(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The affected card (wireless faults), if named.")
    @raw(_card)
    def sim_card(self, root: Parent, info: strawberry.Info) -> SimCard | None:
        return _card(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The affected account (secure access faults), if named.")
    @raw(_account)
    def secure_access_account(self, root: Parent, info: strawberry.Info) -> SecureAccessAccount | None:
        return _account(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The affected asset, if named.")
    @raw(_asset)
    def asset(self, root: Parent, info: strawberry.Info) -> Annotated[Asset, strawberry.lazy("schema.assets.types")] | None:
        return _asset(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The alert that opened it or that it names, if any.")
    @raw(_alert)
    def alert(self, root: Parent, info: strawberry.Info) -> Alert | None:
        return _alert(root, info)  # type: ignore[no-any-return]

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, FaultRecord)


register_node(FaultRecord, "Fault")


@strawberry.type(description="Fault statistics of a filtered set (故障统计): counts, rankings and response times.")
class FaultStatistics:
    total: int = strawberry.field(description="Faults in the set.")
    open: int = strawberry.field(description="Still being handled.")
    overdue_open: int = strawberry.field(description="Still being handled and past the response or resolution target.")
    by_stage: list[KeyCount] = strawberry.field(description="By stage.")
    by_level: list[KeyCount] = strawberry.field(description="By level.")
    by_category: list[KeyCount] = strawberry.field(description="By category.")
    by_domain: list[KeyCount] = strawberry.field(description="By service.")
    by_carrier: list[KeyCount] = strawberry.field(description="运营商报修统计: faults on each carrier's cards.")
    top_units: list[UnitCount] = strawberry.field(description="故障排行: the units with the most faults.")
    by_period: list[PeriodTotal] = strawberry.field(description="Reported per day, week or month (Beijing time).")
    mean_response_seconds: float | None = strawberry.field(description="Mean time to respond, of those responded to.")
    mean_resolution_seconds: float | None = strawberry.field(description="Mean time to resolve, of those resolved.")
    resolved: int = strawberry.field(description="Resolved (verified).")
    resolved_in_time: int = strawberry.field(description="Resolved within the resolution target.")
