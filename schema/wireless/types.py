"""Wireless object types. Sources are domain records; relations come prefetched or via dataloaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.ids import to_global_id
from domain.catalog.repository import ApplicationRecord
from domain.wireless.records import (
    PlanRecord,
    SimCardEventRecord,
    SimCardRecord,
    TerminalAccountRecord,
)
from schema.catalog.types import Application, CatalogStatus
from schema.fastpath import raw, relation
from schema.identity.types import OrgUnit
from schema.node import Node, register_node
from schema.statistics import KeyCount, KindStatusCount, UnitCount
from schema.wireless.enums import (
    Carrier,
    SimCardDomain,
    SimCardEventKind,
    SimCardStatus,
    TerminalAccountStatus,
    WirelessErrorCode,
)
from schema.workorders.types import WorkOrder

Parent = strawberry.Parent[Any]


_plan = relation("plan", "sim_plan", "plan_id")
_next_plan = relation("next_plan", "sim_plan", "next_plan_id")
_unit = relation("unit", "org_unit", "unit_id")
_account = relation("terminal_account", "terminal_account", "id")
_history = relation("events", "sim_card_events", "id")
_orders = relation("work_orders", "sim_card_work_orders", "id")


def _gid(type_name: str) -> Any:
    return lambda root, _info: to_global_id(type_name, root.id)


_plan_id, _account_id = _gid("SimPlan"), _gid("TerminalAccount")


def _order_id(root: SimCardEventRecord, _info: Any) -> str | None:
    return None if root.order_id is None else to_global_id("WorkOrder", root.order_id)


def _replaced_by(root: SimCardRecord, _info: Any) -> str | None:
    return None if root.replaced_by_id is None else to_global_id("SimCard", root.replaced_by_id)


@strawberry.type(description="套餐: a carrier's plan.")
class SimPlan:
    carrier: Carrier = strawberry.field(description="Whose plan.")  # type: ignore[valid-type]
    code: str = strawberry.field(description="The carrier's plan code.")
    name: str = strawberry.field(description="Name.")
    monthly_fee: int = strawberry.field(description="Monthly fee in fen (0.01 CNY).")
    data_gb: int = strawberry.field(description="Data included per month, GB.")
    status: CatalogStatus = strawberry.field(description="Offered or retired.")  # type: ignore[valid-type]

    @strawberry.field(description="Global id.")
    @raw(_plan_id)
    def id(self, root: Parent, info: strawberry.Info) -> strawberry.ID:
        return _plan_id(root, info)  # type: ignore[no-any-return]


@strawberry.type(description="终端安全管控账号: a card's account on the wireless support platform.")
class TerminalAccount:
    account_name: str = strawberry.field(description="Account name, issued by the support platform.")
    holder_name: str = strawberry.field(description="Who holds it.")
    status: TerminalAccountStatus = strawberry.field(description="Open or closed.")  # type: ignore[valid-type]
    online: bool = strawberry.field(description="Online at the last user sync.")
    last_seen_at: datetime | None = strawberry.field(description="Last seen online.")
    created_at: datetime = strawberry.field(description="Opened at.")
    closed_at: datetime | None = strawberry.field(description="Closed at.")

    @strawberry.field(description="Global id.")
    @raw(_account_id)
    def id(self, root: Parent, info: strawberry.Info) -> strawberry.ID:
        return _account_id(root, info)  # type: ignore[no-any-return]

    applications: list[Application] = strawberry.field(description="The applications it may reach.")


@strawberry.type(description="One entry of a card's history.")
class SimCardEvent:
    kind: SimCardEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    from_status: SimCardStatus | None = strawberry.field(description="Status before.")  # type: ignore[valid-type]
    to_status: SimCardStatus | None = strawberry.field(description="Status after.")  # type: ignore[valid-type]
    actor_name: str = strawberry.field(description="Who (系统 for the system).")
    at: datetime = strawberry.field(description="When.")
    detail: JSON = strawberry.field(description="Particulars (old and new plan, IMEI, applications).")

    @strawberry.field(description="The work order that caused it, if any.")
    @raw(_order_id)
    def work_order_id(self, root: Parent, info: strawberry.Info) -> strawberry.ID | None:
        return _order_id(root, info)  # type: ignore[return-value]


@strawberry.type(description="专网卡: a 5G private-network SIM card.")
class SimCard(Node):
    iccid: str = strawberry.field(description="ICCID (19-20 digits, Luhn-checked).")
    msisdn: str = strawberry.field(description="Phone number (sealed at rest; searchable exactly).")
    imsi: str = strawberry.field(description="IMSI.")
    domain: SimCardDomain = strawberry.field(description="Single or dual domain.")  # type: ignore[valid-type]
    carrier: Carrier = strawberry.field(description="Carrier.")  # type: ignore[valid-type]
    holder_name: str | None = strawberry.field(description="Who uses it.")
    holder_phone: str | None = strawberry.field(description="The holder's contact phone (sealed at rest).")
    status: SimCardStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    imei: str | None = strawberry.field(description="The device it is bound to.")
    activated_at: datetime | None = strawberry.field(description="Activated by the carrier at.")
    cancelled_at: datetime | None = strawberry.field(description="Cancelled at.")
    created_at: datetime = strawberry.field(description="Registered at.")
    updated_at: datetime = strawberry.field(description="Last change.")

    @strawberry.field(description="Its plan.")
    @raw(_plan)
    def plan(self, root: Parent, info: strawberry.Info) -> SimPlan | None:
        return _plan(root, info)  # type: ignore[no-any-return]

    next_plan_from: date | None = strawberry.field(
        description="The day a plan change the carrier confirmed takes effect (null when none is waiting)."
    )

    @strawberry.field(description="The plan it moves to on nextPlanFrom (null when no change is waiting).")
    @raw(_next_plan)
    def next_plan(self, root: Parent, info: strawberry.Info) -> SimPlan | None:
        return _next_plan(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The unit it belongs to.")
    @raw(_unit)
    def unit(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _unit(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Its terminal security control account, if opened.")
    @raw(_account)
    def terminal_account(self, root: Parent, info: strawberry.Info) -> TerminalAccount | None:
        return _account(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Its history, oldest first.")
    @raw(_history)
    def history(self, root: Parent, info: strawberry.Info) -> list[SimCardEvent]:
        return _history(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Every work order that touched it, newest first (those in your data scope).")
    @raw(_orders)
    def work_orders(self, root: Parent, info: strawberry.Info) -> list[WorkOrder]:
        return _orders(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The card that replaced it, if it was replaced.")
    @raw(_replaced_by)
    def replaced_by_id(self, root: Parent, info: strawberry.Info) -> strawberry.ID | None:
        return _replaced_by(root, info)  # type: ignore[return-value]

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, SimCardRecord)


register_node(SimCardRecord, "SimCard")
__all__ = ["ApplicationRecord", "PlanRecord", "TerminalAccountRecord"]


@strawberry.type(description="Result of a pushed alert batch.")
class WirelessSecurityAlertPushPayload:
    stored: int = strawberry.field(description="Alerts stored (new, or counted onto one that fires).")
    unknown_cards: int = strawberry.field(
        description="Of those, alerts whose card is not in the registry (stored without a card)."
    )


@strawberry.type(description="Why a wireless request was refused; nothing was changed.")
class WirelessError:
    code: WirelessErrorCode = strawberry.field(description="Machine-readable reason.")  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="Input field at fault, if one is.")
    message: str = strawberry.field(description="Message for people, Chinese / English.")


@strawberry.type(description="Result of a terminal account change.")
class TerminalAccountPayload:
    terminal_account: TerminalAccount | None = strawberry.field(description="The account after the change.")
    errors: list[WirelessError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Traffic of one Beijing day, from the carriers' daily reports.")
class DailyTraffic:
    day: date = strawberry.field(description="The day.")
    uplink_bytes: float = strawberry.field(description="Bytes sent by the cards (a Float: totals pass 2^31).")
    downlink_bytes: float = strawberry.field(description="Bytes received by the cards.")


@strawberry.type(description="Cards on one plan.")
class PlanCount:
    code: str = strawberry.field(description="Plan code.")
    name: str = strawberry.field(description="Plan name.")
    count: int = strawberry.field(description="Cards.")


@strawberry.type(description="无线网总览: the wireless service at a glance, within your data scope.")
class WirelessOverview:
    cards: int = strawberry.field(description="Cards in the registry.")
    by_status: list[KeyCount] = strawberry.field(description="Cards by status.")
    by_carrier: list[KeyCount] = strawberry.field(description="Cards by carrier.")
    by_domain: list[KeyCount] = strawberry.field(description="Cards by domain.")
    by_plan: list[PlanCount] = strawberry.field(description="Cards by plan, most first.")
    top_units: list[UnitCount] = strawberry.field(description="The units with the most cards.")
    terminal_accounts: int = strawberry.field(description="Terminal accounts.")
    online_users: int = strawberry.field(description="Accounts online at the last user sync.")
    open_alerts: int = strawberry.field(description="Firing terminal-behaviour and UPF alerts.")
    open_faults: int = strawberry.field(
        description="Wireless faults being handled now (faults: repairs by carrier and "
        "units ranked by faults are in faultStatistics)."
    )
    faults: int = strawberry.field(description="Wireless faults reported in the period.")
    applications: list[KindStatusCount] = strawberry.field(
        description="Wireless work orders submitted in the period, by kind and status."
    )
    traffic: list[DailyTraffic] = strawberry.field(description="Daily traffic in the period.")
    computed_at: datetime = strawberry.field(
        description="When these figures were computed: they are shared by viewers with the same data scope for up to "
        "GOVOPS_SCREEN_CACHE_SECONDS (60 s by default) and recomputed in the background after that."
    )
