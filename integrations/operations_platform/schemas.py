"""The operations platform's wire contract: one security alert per call (POST /ops/security_alert), camelCase;
requests forbid unknown fields. GovOps's alert id and the idempotency key make a retried push land once."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from integrations.base.wire import Wire

Severity = Literal["CRITICAL", "MAJOR", "MINOR", "WARNING"]
Kind = Literal["NETWORK_SECURITY", "SECURE_ACCESS_ZONE", "TERMINAL_BEHAVIOUR", "USER_BEHAVIOUR"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class SecurityAlert(Wire):
    alert_id: Annotated[int, Field(gt=0)]  # GovOps's alert
    kind: Kind
    severity: Severity
    title: Text
    detail: Annotated[str, StringConstraints(max_length=4000)] = ""
    source: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    labels: dict[str, Any] = Field(default_factory=dict)
    unit_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    first_seen_at: AwareDatetime
    last_seen_at: AwareDatetime
    count: Annotated[int, Field(ge=1)]


class SecurityAlertResult(Wire):
    receipt: str  # the platform's number for what it received


REQUESTS: dict[str, type[Wire]] = {"security_alert": SecurityAlert}
OPERATIONS = tuple(REQUESTS)
