"""Wireless inputs. Shapes are checked here; formats and scope by the domain."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.wireless.enums import Carrier, SimCardDomain, SimCardStatus, TerminalAccountStatus


@strawberry.input(description="Narrow a card list. Every condition must hold.")
class SimCardFilter:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's cards.")
    carriers: list[Carrier] | None = strawberry.field(default=None, description="Only these carriers.")  # type: ignore[valid-type]
    domains: list[SimCardDomain] | None = strawberry.field(default=None, description="Only these domains.")  # type: ignore[valid-type]
    plan_id: strawberry.ID | None = strawberry.field(default=None, description="Only this plan.")
    statuses: list[SimCardStatus] | None = strawberry.field(default=None, description="Only these statuses.")  # type: ignore[valid-type]
    iccid: str | None = strawberry.field(default=None, description="Exactly this ICCID.")
    msisdn: str | None = strawberry.field(default=None, description="Exactly this phone number (found through its blind index).")
    holder_name: str | None = strawberry.field(default=None, description="Exactly this holder.")
    activated_from: datetime | None = strawberry.field(default=None, description="Activated at or after.")
    activated_to: datetime | None = strawberry.field(default=None, description="Activated before.")


@strawberry.input(description="One terminal abnormal-behaviour alert from the wireless support platform.")
class WirelessAlertInput:
    fingerprint: str = strawberry.field(description="Stable across re-sends: a repeat counts up the alert that fires.")
    account_name: str = strawberry.field(description="The terminal account.")
    iccid: str = strawberry.field(description="Its card.")
    kind: str = strawberry.field(description="TERMINAL_BEHAVIOUR.")
    severity: str = strawberry.field(description="CRITICAL, MAJOR, MINOR or WARNING.")
    title: str = strawberry.field(description="What happened.")
    detail: str | None = strawberry.field(default=None, description="More.")
    occurred_at: datetime = strawberry.field(description="When it happened.")


@strawberry.input(
    description="A batch of alerts pushed by the wireless support platform (signed API client, persisted operation)."
)
class WirelessSecurityAlertPushInput:
    alerts: list[WirelessAlertInput] = strawberry.field(description="1 to 500 alerts.")


@strawberry.input(description="Narrow the terminal account list. Every condition must hold.")
class TerminalAccountFilter:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only accounts of this unit's cards.")
    statuses: list[TerminalAccountStatus] | None = strawberry.field(default=None, description="Only these statuses.")  # type: ignore[valid-type]
    account_name: str | None = strawberry.field(default=None, description="Exactly this account.")
    holder_name: str | None = strawberry.field(default=None, description="Exactly this holder.")
    online: bool | None = strawberry.field(default=None, description="Online (or not) at the last user sync.")


@strawberry.input(description="Correct a terminal account's details.")
class TerminalAccountUpdateInput:
    id: strawberry.ID = strawberry.field(description="The account.")
    holder_name: str = strawberry.field(description="The holder's name, 1-64 characters.")
