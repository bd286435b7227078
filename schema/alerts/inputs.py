"""Alert inputs."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from schema.alerts.enums import AlertKind, AlertSeverity, AlertStatus


@strawberry.input(description="Narrow an alert list. Every condition must hold.")
class AlertFilter:
    kinds: list[AlertKind] | None = strawberry.field(default=None, description="Only these kinds.")  # type: ignore[valid-type]
    severities: list[AlertSeverity] | None = strawberry.field(default=None, description="Only these severities.")  # type: ignore[valid-type]
    statuses: list[AlertStatus] | None = strawberry.field(default=None, description="Only these statuses.")  # type: ignore[valid-type]
    sources: list[str] | None = strawberry.field(default=None, description="Only from these sources (platform or job names).")
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's.")
    target_id: strawberry.ID | None = strawberry.field(default=None, description="Only those about this record (a global id).")
    acknowledged: bool | None = strawberry.field(default=None, description="Only acknowledged ones (true) or not (false).")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Only those this user owns.")
    fired_from: datetime | None = strawberry.field(default=None, description="Fired at or after.")
    fired_to: datetime | None = strawberry.field(default=None, description="Fired before.")
    keyword: str | None = strawberry.field(default=None, description="Words in the title.")


@strawberry.input(description="Which alerts a subscription follows. Every condition must hold.")
class AlertSubscriptionFilter:
    kinds: list[AlertKind] | None = strawberry.field(default=None, description="Only these kinds.")  # type: ignore[valid-type]
    severities: list[AlertSeverity] | None = strawberry.field(default=None, description="Only these severities.")  # type: ignore[valid-type]
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's.")


@strawberry.input(description="Take a firing alert on.")
class AlertAcknowledgeInput:
    id: strawberry.ID = strawberry.field(description="The alert.")
    comment: str | None = strawberry.field(default=None, description="What you will do (at most 2,000 characters).")
    expected_version: int | None = strawberry.field(default=None, description="The version you read (STALE_STATE if it moved).")


@strawberry.input(description="Give an alert an owner.")
class AlertAssignInput:
    id: strawberry.ID = strawberry.field(description="The alert.")
    owner_id: strawberry.ID = strawberry.field(description="The user who will work on it (in your data scope).")
    comment: str | None = strawberry.field(default=None, description="Why, or what to do.")
    expected_version: int | None = strawberry.field(default=None, description="The version you read.")


@strawberry.input(description="Comment on an alert.")
class AlertCommentInput:
    id: strawberry.ID = strawberry.field(description="The alert.")
    text: str = strawberry.field(description="The comment (1 to 2,000 characters).")


@strawberry.input(description="Resolve an alert by hand.")
class AlertResolveInput:
    id: strawberry.ID = strawberry.field(description="The alert.")
    resolution: str = strawberry.field(description="What was done, or why it is not a problem (required).")
    expected_version: int | None = strawberry.field(default=None, description="The version you read.")


@strawberry.input(description="A silence (starts and ends) or a recurring maintenance window (a rule and a length).")
class AlertSilenceCreateInput:
    comment: str = strawberry.field(description="Why (1-500 characters).")
    kinds: list[AlertKind] | None = strawberry.field(default=None, description="Only alerts of these kinds.")  # type: ignore[valid-type]
    severities: list[AlertSeverity] | None = strawberry.field(default=None, description="Only these severities.")  # type: ignore[valid-type]
    sources: list[str] | None = strawberry.field(default=None, description="Only from these sources.")
    labels: JSON | None = strawberry.field(default=None, description="Only alerts whose labels have these values.")
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="Only this unit's alerts.")
    starts_at: datetime | None = strawberry.field(default=None, description="From (default: now).")
    ends_at: datetime | None = strawberry.field(default=None, description="Until (required for a one-off silence).")
    recurrence: str | None = strawberry.field(
        default=None, description="A maintenance window's RFC 5545 rule in Beijing time, e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=2."
    )
    duration_minutes: int | None = strawberry.field(default=None, description="Each window's length, 1-1440 minutes.")
