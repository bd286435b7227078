"""What a simulated carrier knows beyond the base simulator: the cards it issued, its plans, its traffic, its manners.

The operations are handlers of the base simulator (`integrations.base.sim_state.Handler`): the base dedupes by
Idempotency-Key, injects failures and sends callbacks; these methods only do a carrier's work once they are called.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from core.clock import SHANGHAI, utcnow
from integrations.base.sim_state import FailRule, Handler, SimRejection, SimulatorState
from integrations.base.wire import parse
from integrations.carriers import schemas as wire
from integrations.carriers.numbers import CARRIERS, NumberGenerator, iccid_carrier, imsi_carrier, msisdn_carrier
from integrations.carriers.plans import plan_codes

# A day's downlink is log-uniform in this range (bytes): a idle telemetry card to a busy mobile-office one.
DOWNLINK_RANGE = (20 * 10**6, 4 * 10**9)
UPLINK_SHARE = (0.08, 0.35)  # uplink as a share of downlink: most government terminals mostly download


def platform_name(carrier: str) -> str:
    """The platform name of a carrier's integration: carrier_cbn, carrier_telecom, carrier_mobile, carrier_unicom."""
    if carrier not in CARRIERS:
        raise ValueError(f"carrier must be one of {', '.join(CARRIERS)}")
    return f"carrier_{carrier.lower()}"


@dataclass(frozen=True)
class CarrierProfile:
    """How a carrier answers: at once or later by callback, how often it throttles, whether it calls back twice."""

    mode: str = "CONFIRMED"
    throttle_every: int = 0  # every n-th /ops call is a 429 (0: never)
    retry_after: int = 1  # the Retry-After of those 429s, in seconds
    duplicate_callbacks: bool = False


PROFILES: dict[str, CarrierProfile] = {
    "TELECOM": CarrierProfile(mode="CONFIRMED"),
    "MOBILE": CarrierProfile(mode="ACCEPTED"),
    "UNICOM": CarrierProfile(mode="CONFIRMED", throttle_every=3, retry_after=1),
    "CBN": CarrierProfile(mode="ACCEPTED", duplicate_callbacks=True),
}


@dataclass
class Card:
    """One SIM card in a carrier's books."""

    iccid: str
    msisdn: str
    imsi: str
    plan: str
    domain: str = "SINGLE"
    status: str = "ACTIVE"
    imei: str | None = None
    holder_name: str | None = None
    order_number: str | None = None
    opened_on: date | None = None  # None: in service since before anything the simulator knows
    ended_on: date | None = None  # the Beijing day it was cancelled or replaced
    next_plan: str | None = None  # a plan change waiting for the first of next month
    next_plan_from: date | None = None
    replaced_by: str | None = None

    def plan_on(self, day: date) -> str:
        """The plan in force on a day."""
        if self.next_plan is not None and self.next_plan_from is not None and day >= self.next_plan_from:
            return self.next_plan
        return self.plan

    def in_service_on(self, day: date) -> bool:
        """Whether the card carried traffic on a day: opened by then and not ended before it."""
        return (self.opened_on is None or self.opened_on <= day) and (self.ended_on is None or day <= self.ended_on)

    def public(self, today: date) -> dict[str, Any]:
        return {
            "iccid": self.iccid, "msisdn": self.msisdn, "imsi": self.imsi, "status": self.status,
            "plan": self.plan_on(today), "nextPlan": self.next_plan, "nextPlanFrom": _iso(self.next_plan_from),
            "imei": self.imei, "domain": self.domain, "holderName": self.holder_name, "orderNumber": self.order_number,
            "openedOn": _iso(self.opened_on), "endedOn": _iso(self.ended_on), "replacedBy": self.replaced_by,
        }  # fmt: skip


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass
class CarrierState:
    """One carrier's books and manners; the simulator app keeps it as `app.state.carrier` next to `app.state.sim`."""

    carrier: str
    seed: int = 0
    profile: CarrierProfile = field(default_factory=CarrierProfile)
    cards: dict[str, Card] = field(default_factory=dict)
    throttle_every: int = 0
    ops_calls: int = 0  # /ops calls seen, throttled ones included, as a rate limiter counts
    throttled: int = 0
    clock: Callable[[], datetime] = utcnow
    sim: SimulatorState | None = None
    numbers: NumberGenerator = field(init=False)
    _msisdns: set[str] = field(default_factory=set)  # every number ever in the books: none is issued twice
    _imsis: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.numbers = NumberGenerator(self.carrier, self.seed)
        self.plans = plan_codes(self.carrier)

    # --- wiring ------------------------------------------------------------------------------------------------

    def handlers(self) -> dict[str, Handler]:
        """The base simulator's handlers, one per operation."""
        return {
            "open": self.open, "plan_change": self.plan_change, "cancel": self.cancel, "unbind": self.unbind,
            "replace": self.replace,
        }  # fmt: skip

    def apply_profile(self) -> None:
        """Set the base simulator up the way this carrier behaves (after creation, and again after a reset)."""
        sim = self.base()
        sim.default_mode = self.profile.mode
        sim.retry_after = self.profile.retry_after
        self.throttle_every = self.profile.throttle_every
        if self.profile.duplicate_callbacks:
            sim.fail("duplicate_callback", times=None)  # until cleared: every callback goes out twice

    def reset(self) -> None:
        """A fresh carrier: the base forgets its work and settings, the books are emptied, the profile applies again."""
        self.base().reset()
        self.cards.clear()
        self._msisdns.clear()
        self._imsis.clear()
        self.numbers = NumberGenerator(self.carrier, self.seed)
        self.ops_calls = self.throttled = 0
        self.apply_profile()

    def note_call(self) -> None:
        """Count an /ops call; the n-th one meets the base's 429 (with its Retry-After) when throttling is on."""
        self.ops_calls += 1
        if self.throttle_every > 0 and self.ops_calls % self.throttle_every == 0:
            self.throttled += 1
            # First in line, so this very call is throttled even when a test armed other failures before.
            self.base().failures.insert(0, FailRule("429", 1))

    def base(self) -> SimulatorState:
        """The base simulator's state this carrier is attached to."""
        if self.sim is None:
            raise RuntimeError("the carrier state is not attached to a simulator")
        return self.sim

    def today(self) -> date:
        """Today in Beijing: carriers bill and schedule by the local calendar day."""
        return self.clock().astimezone(SHANGHAI).date()

    # --- the books ---------------------------------------------------------------------------------------------

    def _fresh(self, draw: Callable[[], str], taken: set[str] | dict[str, Card]) -> str:
        """The next generated number not already in the books (a seeded card may hold one)."""
        while (number := draw()) in taken:
            pass
        return number

    def _new_card(self, msisdn: str | None = None, **fields: Any) -> Card:
        iccid = self._fresh(self.numbers.iccid, self.cards)
        msisdn = msisdn or self._fresh(self.numbers.msisdn, self._msisdns)
        imsi = self._fresh(self.numbers.imsi, self._imsis)
        card = Card(iccid=iccid, msisdn=msisdn, imsi=imsi, **fields)
        self._book(card)
        return card

    def _book(self, card: Card) -> None:
        self.cards[card.iccid] = card
        self._msisdns.add(card.msisdn)
        self._imsis.add(card.imsi)

    def _in_service(self, iccid: str) -> Card:
        """The card, if it is in service; else CARD_UNKNOWN, CARD_CANCELLED or CARD_REPLACED (422)."""
        card = self.cards.get(iccid)
        if card is None:
            raise SimRejection("CARD_UNKNOWN", f"卡号不存在 / No card with ICCID {iccid}")
        if card.status == "CANCELLED":
            raise SimRejection("CARD_CANCELLED", f"该卡已销户 / The card {iccid} is cancelled")
        if card.status == "REPLACED":
            raise SimRejection("CARD_REPLACED", f"该卡已换卡，新卡 {card.replaced_by} / The card {iccid} was replaced")
        return card

    def _known_plan(self, code: str) -> None:
        if code not in self.plans:
            raise SimRejection("PLAN_UNKNOWN", f"套餐不存在 / {self.carrier} sells no plan {code}")

    # --- operations (handlers) ---------------------------------------------------------------------------------

    def open(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Issue `quantity` new ACTIVE cards on a plan; PLAN_UNKNOWN, BAD_REQUEST."""
        request = parse(wire.OpenRequest, payload)
        self._known_plan(request.plan_code)
        today = self.today()
        common = {"plan": request.plan_code, "domain": request.domain, "order_number": request.order_number, "opened_on": today}
        issued = [self._new_card(holder_name=holder.name, **common) for holder in request.holders]
        cards = [wire.IssuedCard(iccid=c.iccid, msisdn=c.msisdn, imsi=c.imsi, holder_name=c.holder_name or "") for c in issued]
        return wire.OpenResult(cards=cards).wire()

    def plan_change(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Move a card to another plan from the first of next month, or today if urgent; PLAN_UNCHANGED, PLAN_UNKNOWN."""
        request = parse(wire.PlanChangeRequest, payload)
        card = self._in_service(request.iccid)
        self._known_plan(request.to_plan)
        today = self.today()
        if card.next_plan is not None and card.next_plan_from is not None and card.next_plan_from <= today:
            card.plan, card.next_plan, card.next_plan_from = card.next_plan, None, None  # a change that came into force
        pending = card.next_plan
        # Unchanged: the plan the card is heading for anyway. An urgent call may still bring a pending change forward.
        if request.to_plan == (pending or card.plan) and not (request.urgent and pending):
            raise SimRejection("PLAN_UNCHANGED", f"套餐未变化 / The card is already on {request.to_plan}")
        if request.urgent:
            card.plan, card.next_plan, card.next_plan_from = request.to_plan, None, None
            effective = today
        else:
            effective = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
            card.next_plan, card.next_plan_from = request.to_plan, effective
            if request.to_plan == card.plan:  # back to the current plan before the change took effect: no change
                card.next_plan = card.next_plan_from = None
        return wire.PlanChangeResult(effective_from=effective).wire()

    def cancel(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Close a card's account; CARD_UNKNOWN, CARD_CANCELLED, CARD_REPLACED."""
        request = parse(wire.CancelRequest, payload)
        card = self._in_service(request.iccid)
        now = self.clock()
        card.status, card.ended_on = "CANCELLED", now.astimezone(SHANGHAI).date()
        return wire.CancelResult(cancelled_at=now.isoformat(timespec="seconds")).wire()

    def unbind(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Release a card's device (IMEI) binding; IMEI_NOT_BOUND when the card is not bound to that IMEI."""
        request = parse(wire.UnbindRequest, payload)
        card = self._in_service(request.iccid)
        if card.imei != request.imei:
            raise SimRejection(
                "IMEI_NOT_BOUND", f"该卡未与终端 {request.imei} 绑定 / The card is not bound to IMEI {request.imei}"
            )
        card.imei = None
        return wire.UnbindResult(released_imei=request.imei).wire()

    def replace(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Issue a new card (new ICCID and IMSI) keeping the number; the old one becomes REPLACED."""
        request = parse(wire.ReplaceRequest, payload)
        old = self._in_service(request.iccid)
        today = self.today()
        # The new card starts unbound: a binding ties a device to the old SIM, the new one binds on its first attach.
        new = self._new_card(
            msisdn=old.msisdn, plan=old.plan_on(today), domain=old.domain, holder_name=old.holder_name,
            order_number=old.order_number, opened_on=today, next_plan=old.next_plan, next_plan_from=old.next_plan_from,
        )  # fmt: skip
        old.status, old.ended_on, old.replaced_by = "REPLACED", today, new.iccid
        return wire.ReplaceResult(card=wire.ReplacementCard(iccid=new.iccid, msisdn=new.msisdn, imsi=new.imsi)).wire()

    # --- traffic and test control ------------------------------------------------------------------------------

    def traffic(self, day: date) -> dict[str, Any]:
        """The day's uplink and downlink bytes of every card in service that day, the same on every ask."""
        if day > self.today():
            raise SimRejection("DAY_IN_FUTURE", f"该日尚未开始 / No traffic yet for {day.isoformat()}")
        cards = [
            wire.CardTraffic(iccid=c.iccid, uplink_bytes=up, downlink_bytes=down)
            for c in sorted(self.cards.values(), key=lambda c: c.iccid)
            if c.in_service_on(day)
            for up, down in [daily_bytes(c.iccid, day)]
        ]
        return wire.TrafficDay(day=day, cards=cards).wire()

    def seed_card(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add a card straight to the books, or bind an IMEI to / set the plan of one it has (POST /_sim/cards)."""
        seed = parse(wire.CardSeed, body)
        card = self.cards.get(seed.iccid)
        if card is not None:
            for name, value in (("msisdn", seed.msisdn), ("imsi", seed.imsi)):
                if value is not None and value != getattr(card, name):
                    raise SimRejection(
                        "CARD_CONFLICT", f"卡 {card.iccid} 的 {name} 是 {getattr(card, name)} / {name} differs", 409
                    )
            if seed.plan is not None:
                self._known_plan(seed.plan)
                card.plan, card.next_plan, card.next_plan_from = seed.plan, None, None
            if seed.imei is not None:
                card.imei = seed.imei
            return card.public(self.today())
        if seed.msisdn is None or seed.imsi is None or seed.plan is None:
            raise SimRejection("BAD_REQUEST", "新卡需要 msisdn、imsi 和 plan / A new card needs msisdn, imsi and plan", 400)
        self._known_plan(seed.plan)
        owners = {"iccid": iccid_carrier(seed.iccid), "msisdn": msisdn_carrier(seed.msisdn), "imsi": imsi_carrier(seed.imsi)}
        if wrong := [name for name, owner in owners.items() if owner != self.carrier]:
            raise SimRejection("BAD_REQUEST", f"号码不属于{self.carrier} / Not a {self.carrier} number: {', '.join(wrong)}", 400)
        if seed.msisdn in self._msisdns or seed.imsi in self._imsis:
            raise SimRejection("CARD_CONFLICT", "号码已被占用 / The MSISDN or IMSI is already in use", 409)
        card = Card(
            iccid=seed.iccid, msisdn=seed.msisdn, imsi=seed.imsi, plan=seed.plan, domain=seed.domain, imei=seed.imei,
            holder_name=seed.holder_name, opened_on=seed.opened_on,
        )  # fmt: skip
        self._book(card)
        return card.public(self.today())

    def snapshot(self) -> dict[str, Any]:
        """The carrier's books and manners, for GET /_sim/cards and the control routes."""
        today = self.today()
        return {
            "carrier": self.carrier, "platform": platform_name(self.carrier), "seed": self.seed,
            "profile": vars(self.profile), "throttleEvery": self.throttle_every, "opsCalls": self.ops_calls,
            "throttled": self.throttled, "cards": [c.public(today) for c in self.cards.values()],
        }  # fmt: skip


def daily_bytes(iccid: str, day: date) -> tuple[int, int]:
    """(uplink, downlink) bytes of a card on a day: pseudo-random but fixed by the pair."""
    digest = hashlib.sha256(f"{iccid}:{day.isoformat()}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    v = int.from_bytes(digest[8:16], "big") / 2**64
    low, high = DOWNLINK_RANGE
    down = round(math.exp(math.log(low) + u * (math.log(high) - math.log(low))))
    share = UPLINK_SHARE[0] + v * (UPLINK_SHARE[1] - UPLINK_SHARE[0])
    return round(down * share), down
