"""Secure access object types. Sources are domain records; relations come prefetched or via dataloaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.ids import to_global_id
from domain.secure_access.records import AccountEventRecord, AccountRecord
from schema.catalog.types import Application
from schema.fastpath import raw, relation
from schema.identity.types import OrgUnit
from schema.node import Node, register_node
from schema.secure_access.enums import SecureAccessAccountStatus, SecureAccessErrorCode, SecureAccessEventKind
from schema.statistics import KeyCount, KindStatusCount, UnitCount
from schema.workorders.types import WorkOrder

Parent = strawberry.Parent[Any]

_unit = relation("unit", "org_unit", "unit_id")
_macs = relation("macs", "secure_access_macs", "id")
_systems = relation("systems", "secure_access_systems", "id")
_history = relation("events", "secure_access_events", "id")
_orders = relation("work_orders", "secure_access_work_orders", "id")


def _order_id(root: AccountEventRecord, _info: Any) -> str | None:
    return None if root.order_id is None else to_global_id("WorkOrder", root.order_id)


@strawberry.type(description="One entry of an account's history.")
class SecureAccessAccountEvent:
    kind: SecureAccessEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    from_status: SecureAccessAccountStatus | None = strawberry.field(description="Status before.")  # type: ignore[valid-type]
    to_status: SecureAccessAccountStatus | None = strawberry.field(description="Status after.")  # type: ignore[valid-type]
    actor_name: str = strawberry.field(description="Who (系统 for the system).")
    at: datetime = strawberry.field(description="When.")
    detail: JSON = strawberry.field(description="Particulars (MACs and systems before and after, edited fields).")

    @strawberry.field(description="The work order that caused it, if any.")
    @raw(_order_id)
    def work_order_id(self, root: Parent, info: strawberry.Info) -> strawberry.ID | None:
        return _order_id(root, info)  # type: ignore[return-value]


@strawberry.type(description="互联网安全加密接入账号: an internet secure encrypted access account.")
class SecureAccessAccount(Node):
    account_name: str = strawberry.field(description="Account name, issued by the secure access support platform.")
    holder_name: str = strawberry.field(description="Who uses it.")
    holder_phone: str = strawberry.field(description="The holder's mobile number (sealed at rest).")
    status: SecureAccessAccountStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    valid_from: date = strawberry.field(description="First day of validity.")
    valid_to: date = strawberry.field(description="Last day of validity.")
    mac_limit: int = strawberry.field(description="MAC addresses it may bind.")
    online_sessions: int = strawberry.field(description="Sessions open now, from the platform's usage feed.")
    last_login_at: datetime | None = strawberry.field(description="Last login, from the usage feed.")
    activated_at: datetime | None = strawberry.field(description="Opened on the platform at.")
    revoked_at: datetime | None = strawberry.field(description="Revoked at.")
    created_at: datetime = strawberry.field(description="Registered at.")
    updated_at: datetime = strawberry.field(description="Last change.")
    version: int = strawberry.field(description="Changes with every edit (pass it as expectedVersion).")

    @strawberry.field(description="The unit it belongs to.")
    @raw(_unit)
    def unit(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _unit(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The MAC addresses of the terminals it may connect from (none once revoked).")
    @raw(_macs)
    def macs(self, root: Parent, info: strawberry.Info) -> list[str]:
        return _macs(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The systems it may reach.")
    @raw(_systems)
    def systems(self, root: Parent, info: strawberry.Info) -> list[Application]:
        return _systems(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Its history, oldest first.")
    @raw(_history)
    def history(self, root: Parent, info: strawberry.Info) -> list[SecureAccessAccountEvent]:
        return _history(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Every work order that touched it, newest first (those in your data scope).")
    @raw(_orders)
    def work_orders(self, root: Parent, info: strawberry.Info) -> list[WorkOrder]:
        return _orders(root, info)  # type: ignore[no-any-return]

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, AccountRecord)


register_node(AccountRecord, "SecureAccessAccount")


@strawberry.type(description="Why a secure access request was refused; nothing was changed.")
class SecureAccessError:
    code: SecureAccessErrorCode = strawberry.field(description="Machine-readable reason.")  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="Input field at fault, if one is.")
    message: str = strawberry.field(description="Message for people, Chinese / English.")


@strawberry.type(description="Result of an account edit.")
class SecureAccessAccountPayload:
    account: SecureAccessAccount | None = strawberry.field(description="The account after the edit.")
    errors: list[SecureAccessError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="互联网安全加密接入总览: the secure access service at a glance, within your data scope.")
class SecureAccessOverview:
    accounts: int = strawberry.field(description="Accounts in the registry, every status.")
    by_status: list[KeyCount] = strawberry.field(description="Accounts by status.")
    units_connected: int = strawberry.field(description="接入单位量: units with an active account.")
    systems_accessed: int = strawberry.field(description="访问应用数量: distinct systems active accounts may reach.")
    online_users: int = strawberry.field(description="Active accounts with a session open now (usage feed).")
    expiring_soon: int = strawberry.field(description="Live accounts whose validity ends within 30 days.")
    open_alerts: int = strawberry.field(description="用户行为异常告警: firing abnormal-user-behaviour alerts.")
    open_faults: int = strawberry.field(description="Secure access faults being handled now.")
    faults: int = strawberry.field(
        description="月度故障: secure access faults reported in the period (units ranked by faults: faultStatistics)."
    )
    top_units: list[UnitCount] = strawberry.field(description="The units with the most active accounts.")
    applications: list[KindStatusCount] = strawberry.field(
        description="接入申请量: secure access work orders submitted in the period, by kind and status."
    )
    computed_at: datetime = strawberry.field(
        description="When these figures were computed: they are shared by viewers with the same data scope for up to "
        "GOVOPS_SCREEN_CACHE_SECONDS (60 s by default) and recomputed in the background after that."
    )
