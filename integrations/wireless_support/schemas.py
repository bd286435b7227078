"""The wireless support platform's wire contract: account operations, the user sync and the alert push.

Fields are camelCase on the wire. Requests forbid unknown fields; answers GovOps reads (users) ignore them, so the
platform may add fields without breaking the sync.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field, StringConstraints

from integrations.base.wire import Wire, unique

Iccid = Annotated[str, StringConstraints(pattern=r"^\d{19,20}$")]
Msisdn = Annotated[str, StringConstraints(pattern=r"^1\d{10}$")]
AccountName = Annotated[str, StringConstraints(pattern=r"^ZD\d{8}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{2,19}$")]
AppCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Applications = Annotated[list[AppCode], Field(max_length=200), AfterValidator(unique("an application"))]
Severity = Literal["CRITICAL", "MAJOR", "MINOR", "WARNING"]
SEVERITIES: tuple[Severity, ...] = ("CRITICAL", "MAJOR", "MINOR", "WARNING")


class Holder(Wire):
    name: Text
    phone: Phone | None = None


class AccountOpenRequest(Wire):
    iccid: Iccid
    msisdn: Msisdn
    holder: Holder
    applications: Applications


class AccountOpenResult(Wire):
    account_name: str


class PermissionsSetRequest(Wire):
    account_name: AccountName
    applications: Applications


class PermissionsSetResult(Wire):
    applications: list[str]


class AccountCloseRequest(Wire):
    account_name: AccountName


class AccountCloseResult(Wire):
    closed_at: str  # ISO 8601, UTC


class AccountRebindRequest(Wire):
    """A replaced card's account moves to the new card (same account, applications and holder)."""

    account_name: AccountName
    iccid: Iccid
    msisdn: Msisdn


class AccountRebindResult(Wire):
    account_name: str
    iccid: str


REQUESTS: dict[str, type[Wire]] = {
    "account_open": AccountOpenRequest,
    "permissions_set": PermissionsSetRequest,
    "account_close": AccountCloseRequest,
    "account_rebind": AccountRebindRequest,
}
OPERATIONS = tuple(REQUESTS)


# --- user sync (GET /users) ----------------------------------------------------------------------------------------


class SupportUser(Wire):
    model_config = ConfigDict(extra="ignore")

    account_name: str
    iccid: str
    online: bool
    last_seen_at: datetime | None = None


class UsersAnswer(Wire):
    model_config = ConfigDict(extra="ignore")

    users: list[SupportUser]


# --- security alerts pushed to GovOps ------------------------------------------------------------------------------


class Alert(Wire):
    """One terminal-behaviour alert; `fingerprint` is stable across re-sends, so GovOps can dedupe."""

    fingerprint: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    account_name: AccountName
    iccid: Iccid
    kind: Literal["TERMINAL_BEHAVIOUR"] = "TERMINAL_BEHAVIOUR"
    severity: Severity
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    detail: Annotated[str, StringConstraints(max_length=4000)] = ""
    occurred_at: AwareDatetime


class AlertBatch(Wire):
    alerts: Annotated[list[Alert], Field(min_length=1, max_length=500)]
