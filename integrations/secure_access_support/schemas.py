"""The secure access support platform's wire contract: account operations, fault reports and the usage feed.

Fields are camelCase on the wire. Requests forbid unknown fields; answers GovOps reads (the usage feed, the online
snapshot) ignore them, so the platform may add fields without breaking the reader. MAC addresses travel as the
caller wrote them and the platform normalises them (`normalise_mac`): a bad one is its refusal (MAC_INVALID), not a
malformed request, so GovOps can show the user which address is wrong.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from datetime import date
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    model_validator,
)
from stdnum.cn import ric

from integrations.base.wire import Wire, unique

MAC_CEILING = 64  # no request carries more MACs, whatever the platform's limit (`mac_limit`, at most this)
PAGE_DEFAULT, PAGE_MAX = 100, 500  # events in one page of the usage feed

_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")


def normalise_mac(value: str) -> str | None:
    """AA:BB:CC:DD:EE:FF from six hex pairs joined by ':' or '-' (one kind), in either case; None when it is not a
    terminal's address (malformed, all zero, broadcast or multicast)."""
    text = value.strip()
    if not _MAC.match(text):
        return None
    mac = text.upper().replace("-", ":")
    if mac in ("00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF") or int(mac[:2], 16) & 1:
        return None
    return mac


def _id_number(value: str) -> str:
    value = value.upper()
    if ric.calc_check_digit(value) != value[-1]:  # stdnum takes the whole number, check digit included
        raise ValueError("the check digit of the ID number is wrong")
    return value


def _ip(value: str) -> str:
    return str(ipaddress.ip_address(value.strip()))  # ValueError names the bad address


AccountName = Annotated[str, StringConstraints(pattern=r"^JR\d{8}$")]
TicketNumber = Annotated[str, StringConstraints(pattern=r"^BX\d{12}$")]
OrderNumber = Annotated[str, StringConstraints(pattern=r"^GD\d{14}$")]  # GovOps's work order number
UnitCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{2,19}$")]
IdNumber = Annotated[str, StringConstraints(pattern=r"^\d{17}[0-9Xx]$"), AfterValidator(_id_number)]
SystemCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Systems = Annotated[list[SystemCode], Field(min_length=1, max_length=200), AfterValidator(unique("a system"))]
RawMac = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Macs = Annotated[list[RawMac], Field(min_length=1, max_length=MAC_CEILING)]
IpAddress = Annotated[str, AfterValidator(_ip)]
Severity = Literal["CRITICAL", "MAJOR", "MINOR", "WARNING"]
FaultCategory = Literal["CONNECTIVITY", "AUTHENTICATION", "PERFORMANCE", "CLIENT", "OTHER"]
EventKind = Literal["LOGIN", "LOGOUT", "ABNORMAL"]
SEVERITIES: tuple[Severity, ...] = ("CRITICAL", "MAJOR", "MINOR", "WARNING")
FAULT_CATEGORIES: tuple[FaultCategory, ...] = ("CONNECTIVITY", "AUTHENTICATION", "PERFORMANCE", "CLIENT", "OTHER")


class Answer(Wire):
    """A camelCase JSON object GovOps reads; fields it does not know are ignored."""

    model_config = ConfigDict(extra="ignore")


# --- account operations and fault reports (POST /ops/{operation}) ---------------------------------------------------


class Holder(Wire):
    name: Text
    phone: Phone
    id_number: IdNumber


class AccountOpenRequest(Wire):
    holder: Holder
    unit_code: UnitCode
    macs: Macs
    systems: Systems
    valid_from: date
    valid_to: date
    order_number: OrderNumber


class AccountOpenResult(Wire):
    account_name: str


class AccountChangeRequest(Wire):
    account_name: AccountName
    macs: Macs | None = None  # given: the account's MACs become these
    systems: Systems | None = None  # given: the account's accessible systems become these

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        if self.macs is None and self.systems is None:
            raise ValueError("give macs, systems or both")
        return self


class AccountChangeResult(Wire):
    account_name: str
    macs: list[str]
    systems: list[str]


class AccountRevokeRequest(Wire):
    account_name: AccountName


class AccountRevokeResult(Wire):
    account_name: str
    revoked_at: str  # ISO 8601, UTC


class FaultReportRequest(Wire):
    account_name: AccountName | None = None
    unit_code: UnitCode
    category: FaultCategory
    severity: Severity
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    reported_at: AwareDatetime


class FaultReportResult(Wire):
    ticket_number: str


REQUESTS: dict[str, type[Wire]] = {
    "account_open": AccountOpenRequest,
    "account_change": AccountChangeRequest,
    "account_revoke": AccountRevokeRequest,
    "fault_report": FaultReportRequest,
}
OPERATIONS = tuple(REQUESTS)


# --- usage feed (GET /usage) and online snapshot (GET /accounts/online) ---------------------------------------------


class AbnormalDetail(Answer):
    rule: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    severity: Severity
    description: Annotated[str, StringConstraints(max_length=2000)] = ""


class UsageEvent(Answer):
    """One event of the feed; `id` is unique and only grows, `detail` is there exactly for ABNORMAL."""

    id: PositiveInt
    kind: EventKind
    account_name: str
    at: AwareDatetime
    source_ip: IpAddress
    detail: AbnormalDetail | None = None

    @model_validator(mode="after")
    def _detail_of_abnormal(self) -> Self:
        if (self.kind == "ABNORMAL") != (self.detail is not None):
            raise ValueError("an ABNORMAL event has a detail, a LOGIN or LOGOUT none")
        return self


class UsageBatch(Answer):
    """One page: events in ascending id order, and `next`, the cursor to store once they are taken."""

    events: list[UsageEvent]
    next: NonNegativeInt | None = None
    more: bool = False  # events past this page were already there when it was read

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        ids = [e.id for e in self.events]
        if any(a >= b for a, b in itertools.pairwise(ids)):
            raise ValueError("events are not in ascending id order")
        if ids and (self.next is None or self.next < ids[-1]):
            raise ValueError("next is before the last event of the page")
        return self


class OnlineAccount(Answer):
    account_name: str
    sessions: PositiveInt
    since: AwareDatetime  # the login of its oldest open session
    source_ips: list[IpAddress]


class OnlineAnswer(Answer):
    """Accounts with open sessions now, as of feed event `lastEventId` (None: no event yet)."""

    at: AwareDatetime
    last_event_id: NonNegativeInt | None = None
    accounts: list[OnlineAccount]
