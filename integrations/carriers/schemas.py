"""The carriers' wire contract: request and result of every operation, the traffic report, and the test seed of a card.

Fields are camelCase on the wire (snake_case in Python). Requests forbid unknown fields, so a drift in what GovOps
sends is a BAD_REQUEST in tests rather than a silently ignored value.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from integrations.base.wire import Wire
from integrations.carriers.numbers import imei_ok, luhn_ok


def _iccid(value: str) -> str:
    if not luhn_ok(value):
        raise ValueError("the ICCID's check digit is wrong")
    return value


def _imei(value: str) -> str:
    if not imei_ok(value):
        raise ValueError("the IMEI's check digit is wrong")
    return value


Iccid = Annotated[str, StringConstraints(pattern=r"^\d{19,20}$"), AfterValidator(_iccid)]
Msisdn = Annotated[str, StringConstraints(pattern=r"^1\d{10}$")]
Imsi = Annotated[str, StringConstraints(pattern=r"^460\d{12}$")]
Imei = Annotated[str, StringConstraints(pattern=r"^\d{15}$"), AfterValidator(_imei)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
PlanCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{2,19}$")]
Domain = Literal["SINGLE", "DUAL"]
CardStatus = Literal["ACTIVE", "CANCELLED", "REPLACED"]


class Holder(Wire):
    name: Text
    phone: Phone | None = None


class OpenRequest(Wire):
    order_number: Text
    domain: Domain
    plan_code: PlanCode
    quantity: int = Field(ge=1, le=50)
    holders: list[Holder]

    @model_validator(mode="after")
    def _one_holder_per_card(self) -> OpenRequest:
        if len(self.holders) != self.quantity:
            raise ValueError(f"holders must list exactly quantity ({self.quantity}) holders, not {len(self.holders)}")
        return self


class IssuedCard(Wire):
    iccid: str
    msisdn: str
    imsi: str
    holder_name: str


class OpenResult(Wire):
    cards: list[IssuedCard]


# --- plan change, cancel, unbind, replace --------------------------------------------------------------------------


class PlanChangeRequest(Wire):
    iccid: Iccid
    to_plan: PlanCode
    urgent: bool = False


class PlanChangeResult(Wire):
    effective_from: date


class CancelRequest(Wire):
    iccid: Iccid


class CancelResult(Wire):
    cancelled_at: str  # ISO 8601, UTC


class UnbindRequest(Wire):
    iccid: Iccid
    imei: Imei


class UnbindResult(Wire):
    released_imei: str


class ReplaceRequest(Wire):
    iccid: Iccid


class ReplacementCard(Wire):
    iccid: str
    msisdn: str
    imsi: str


class ReplaceResult(Wire):
    card: ReplacementCard


# --- traffic (GET /traffic?day=) -----------------------------------------------------------------------------------


class CardTraffic(Wire):
    model_config = ConfigDict(extra="ignore")  # an answer may grow fields: GovOps reads what it knows

    iccid: str
    uplink_bytes: int = Field(ge=0)
    downlink_bytes: int = Field(ge=0)


class TrafficDay(Wire):
    model_config = ConfigDict(extra="ignore")

    day: date
    cards: list[CardTraffic]


# --- test control: POST /_sim/cards --------------------------------------------------------------------------------


class CardSeed(Wire):
    """A card put straight into the carrier's books (new), or an IMEI bound to / a plan set on a card it has."""

    iccid: Iccid
    msisdn: Msisdn | None = None
    imsi: Imsi | None = None
    plan: PlanCode | None = None
    imei: Imei | None = None
    domain: Domain = "SINGLE"
    holder_name: Text | None = None
    opened_on: date | None = None  # None: in service on every past day (a card GovOps has had for long)


REQUESTS: dict[str, type[Wire]] = {
    "open": OpenRequest,
    "plan_change": PlanChangeRequest,
    "cancel": CancelRequest,
    "unbind": UnbindRequest,
    "replace": ReplaceRequest,
}
OPERATIONS = tuple(REQUESTS)
