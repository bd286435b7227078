"""Alert object types. Sources are domain records; relations come prefetched or via dataloaders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.ids import to_global_id
from domain.alerts.records import AlertEventRecord, AlertRecord
from schema.alerts.enums import AlertErrorCode, AlertEventKind, AlertKind, AlertSeverity, AlertStatus, SilenceStatus
from schema.fastpath import raw, relation
from schema.identity.types import OrgUnit, User
from schema.node import Node, register_node
from schema.statistics import KeyCount

Parent = strawberry.Parent[Any]

_unit = relation("unit", "org_unit", "unit_id")
_owner = relation("owner", "user", "owner_id")
_history = relation("events", "alert_events", "id")


def _target(root: AlertRecord, _info: Any) -> str | None:
    if root.target_type is None or root.target_id is None:
        return None
    return to_global_id(root.target_type, root.target_id)


def _silenced(root: AlertRecord, _info: Any) -> bool:
    return root.silenced_by_id is not None


def _actor_id(root: AlertEventRecord, _info: Any) -> str | None:
    return None if root.actor_id is None else to_global_id("User", root.actor_id)


@strawberry.type(description="One entry of an alert's history.")
class AlertEvent:
    kind: AlertEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    actor_name: str = strawberry.field(description="Who: a person, the source (on a resolve by the source), or 系统.")
    at: datetime = strawberry.field(description="When.")
    comment: str | None = strawberry.field(description="What they said.")
    detail: JSON = strawberry.field(description="Particulars (the owner before and after, how it was resolved).")

    @strawberry.field(description="The person who acted (null: the source or the system).")
    @raw(_actor_id)
    def actor_id(self, root: Parent, info: strawberry.Info) -> strawberry.ID | None:
        return _actor_id(root, info)  # type: ignore[return-value]


@strawberry.type(description="告警: a problem a source reported; repeats with the same fingerprint count on it while it fires.")
class Alert(Node):
    kind: AlertKind = strawberry.field(description="What it is about.")  # type: ignore[valid-type]
    severity: AlertSeverity = strawberry.field(description="How serious (the latest occurrence's).")  # type: ignore[valid-type]
    status: AlertStatus = strawberry.field(description="Firing or resolved.")  # type: ignore[valid-type]
    source: str = strawberry.field(description="What raised it: a platform, a job or a rule.")
    fingerprint: str = strawberry.field(description="Names the problem: the same fingerprint is the same alert while it fires.")
    title: str = strawberry.field(description="What happened.")
    detail: str | None = strawberry.field(description="More (the latest occurrence's).")
    labels: JSON = strawberry.field(description="The source's labels (account, rule, address, ...).")
    target_type: str | None = strawberry.field(
        description="The type of the record it is about (SimCard, SecureAccessAccount, ...)."
    )
    count: int = strawberry.field(description="Occurrences while it fired.")
    first_seen_at: datetime = strawberry.field(description="Fired at.")
    last_seen_at: datetime = strawberry.field(description="Last occurrence.")
    resolved_at: datetime | None = strawberry.field(description="Resolved at.")
    resolution: str | None = strawberry.field(description="How it was resolved.")
    acknowledged_at: datetime | None = strawberry.field(description="Taken on at.")
    version: int = strawberry.field(description="Changes with every act on it (pass it as expectedVersion).")

    @strawberry.field(description="It fired under a silence that still holds: no notice, no automatic fault.")
    @raw(_silenced)
    def silenced(self, root: Parent, info: strawberry.Info) -> bool:
        return _silenced(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="The record it is about, as a global id (fetch it with node).")
    @raw(_target)
    def target_id(self, root: Parent, info: strawberry.Info) -> strawberry.ID | None:
        return _target(root, info)  # type: ignore[return-value]

    @strawberry.field(description="The unit whose record it is about.")
    @raw(_unit)
    def unit(self, root: Parent, info: strawberry.Info) -> OrgUnit | None:
        return _unit(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Who works on it.")
    @raw(_owner)
    def owner(self, root: Parent, info: strawberry.Info) -> User | None:
        return _owner(root, info)  # type: ignore[no-any-return]

    @strawberry.field(description="Its history, oldest first.")
    @raw(_history)
    def history(self, root: Parent, info: strawberry.Info) -> list[AlertEvent]:
        return _history(root, info)  # type: ignore[no-any-return]

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, AlertRecord)


register_node(AlertRecord, "Alert")


@strawberry.type(description="Why an act on an alert was refused; nothing was changed.")
class AlertError:
    code: AlertErrorCode = strawberry.field(description="Machine-readable reason.")  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="Input field at fault, if one is.")
    message: str = strawberry.field(description="Message for people, Chinese / English.")


@strawberry.type(description="Result of an act on an alert.")
class AlertPayload:
    alert: Alert | None = strawberry.field(description="The alert after the act.")
    errors: list[AlertError] = strawberry.field(description="Why it was refused; empty on success.")


@strawberry.type(description="Alerts of one kind fired in one period bucket.")
class AlertPeriodCount:
    period: str = strawberry.field(description="2026-11-28 (day), 2026-W48 (ISO week) or 2026-11 (month), Beijing time.")
    kind: str = strawberry.field(description="Kind.")
    count: int = strawberry.field(description="Alerts fired.")


@strawberry.type(description="Alert statistics within your data scope and the filter.")
class AlertStatistics:
    by_kind: list[KeyCount] = strawberry.field(description="Alerts by kind, most first.")
    by_severity: list[KeyCount] = strawberry.field(description="Alerts by severity, most first.")
    by_source: list[KeyCount] = strawberry.field(description="Alerts by source, most first.")
    by_period: list[AlertPeriodCount] = strawberry.field(description="Alerts fired per period and kind.")


@strawberry.type(description="静默 / 维护窗口: while it holds, alerts that match it fire silenced.")
class AlertSilence:
    id: strawberry.ID = strawberry.field(description="Global id.")
    comment: str = strawberry.field(description="Why.")
    kinds: list[str] = strawberry.field(description="Alert kinds it matches (empty: any).")
    severities: list[str] = strawberry.field(description="Severities it matches (empty: any).")
    sources: list[str] = strawberry.field(description="Sources it matches (empty: any).")
    labels: JSON = strawberry.field(description="Labels the alert must carry with these values.")
    unit_id: strawberry.ID | None = strawberry.field(description="The unit it matches (null: any).")
    starts_at: datetime = strawberry.field(description="From.")
    ends_at: datetime | None = strawberry.field(description="Until (null: a window that recurs without end).")
    recurrence: str | None = strawberry.field(description="RFC 5545 rule of a maintenance window, Beijing time.")
    duration_minutes: int | None = strawberry.field(description="Each window's length.")
    status: SilenceStatus = strawberry.field(description="Whether it still holds.")  # type: ignore[valid-type]
    created_by_name: str = strawberry.field(description="Who made it (told when an alert it silenced resolves).")
    created_at: datetime = strawberry.field(description="Made at.")

    @staticmethod
    def of(row: Any) -> AlertSilence:
        return AlertSilence(
            id=strawberry.ID(to_global_id("AlertSilence", row.id)), comment=row.comment, kinds=list(row.kinds),
            severities=list(row.severities), sources=list(row.sources), labels=dict(row.labels or {}),
            unit_id=strawberry.ID(to_global_id("OrgUnit", row.unit_id)) if row.unit_id else None, starts_at=row.starts_at,
            ends_at=row.ends_at, recurrence=row.recurrence, duration_minutes=row.duration_minutes, status=row.status,
            created_by_name=row.created_by_name, created_at=row.created_at,
        )  # fmt: skip


@strawberry.type(description="Result of making or cancelling a silence.")
class AlertSilencePayload:
    silence: AlertSilence | None = strawberry.field(description="The silence.")
    errors: list[AlertError] = strawberry.field(description="Why it was refused; empty on success.")
