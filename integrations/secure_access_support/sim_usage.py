"""The simulated platform's usage feed: an append-only event log, the sessions it implies, and sample traffic.

Event ids start at 1 and only grow, and are never reused, not even across a simulator reset (which empties the log):
a consumer's stored cursor keeps meaning "everything up to here was taken". A LOGIN opens a session of the account
from its source address, a LOGOUT from the same address closes it; ABNORMAL events leave sessions as they are.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from pydantic import AwareDatetime, ValidationError, model_validator

from integrations.base.sim_state import SimRejection
from integrations.base.wire import explain
from integrations.secure_access_support import schemas as wire

# What the platform's behaviour analysis flags, for sample events: (rule, severity, description).
ABNORMAL_RULES: tuple[tuple[str, wire.Severity, str], ...] = (
    ("UNBOUND_MAC", "CRITICAL", "非绑定MAC地址尝试接入 / Access attempted from a MAC address not bound to the account"),
    ("LOGIN_FAILURES", "MAJOR", "连续登录失败超过5次 / More than 5 failed logins in a row"),
    ("UNAUTHORISED_SYSTEM", "MAJOR", "访问未授权系统 / Access to a system outside the account's permissions"),
    ("CONCURRENT_LOCATIONS", "MINOR", "同一账号多地同时在线 / The account is on line from distant places at once"),
    ("TRAFFIC_SPIKE", "MINOR", "流量异常突增 / An unusual spike of traffic"),
    ("OFF_HOURS", "WARNING", "非工作时间登录 / A login outside working hours"),
)
# Public address blocks of Shanghai's broadband and mobile networks, where sample logins come from.
SAMPLE_NETWORKS = ("101.88", "116.228", "180.168", "58.246", "222.66", "114.80", "117.136")
SAMPLE_MAX = 1000

Sessions = dict[str, dict[str, datetime]]  # account name -> source address -> when that session logged in


class EventInput(wire.Wire):
    """One event given to POST /_sim/usage; the account comes from the body when the event names none."""

    kind: wire.EventKind
    account_name: wire.AccountName | None = None
    at: AwareDatetime | None = None  # absent: now
    source_ip: wire.IpAddress
    detail: wire.AbnormalDetail | None = None

    @model_validator(mode="after")
    def _detail_of_abnormal(self) -> Self:
        if (self.kind == "ABNORMAL") != (self.detail is not None):
            raise ValueError("an ABNORMAL event needs a detail, a LOGIN or LOGOUT has none")
        return self


Planned = tuple[wire.EventKind, str, datetime, str, wire.AbnormalDetail | None]  # kind, account, at, address, detail


def _copy(sessions: Sessions) -> Sessions:
    return {name: dict(open_) for name, open_ in sessions.items()}


def _apply(sessions: Sessions, kind: wire.EventKind, name: str, ip: str, at: datetime) -> None:
    """Move the sessions on by one event; SESSION_EXISTS / SESSION_UNKNOWN when the event contradicts them."""
    open_ = sessions.setdefault(name, {})
    if kind == "LOGIN":
        if ip in open_:
            raise SimRejection(
                "SESSION_EXISTS", f"账号 {name} 已从 {ip} 登录 / The account {name} is already logged in from {ip}"
            )
        open_[ip] = at.astimezone(UTC)
    elif kind == "LOGOUT" and open_.pop(ip, None) is None:
        raise SimRejection("SESSION_UNKNOWN", f"账号 {name} 未从 {ip} 登录 / The account {name} has no session from {ip}")
    if not open_:
        del sessions[name]


@dataclass
class UsageLog:
    """The feed and the sessions; `clock` gives "now" for events that do not say when."""

    clock: Callable[[], datetime]
    seed: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)  # wire form, ascending id
    sessions: Sessions = field(default_factory=dict)
    last_id: int = 0  # the id of the newest event ever appended (kept by `clear`)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def clear(self) -> None:
        """No events and no sessions; ids go on from where they were, the sample traffic starts over."""
        self.events.clear()
        self.sessions.clear()
        self.rng = random.Random(self.seed)

    # --- reading -----------------------------------------------------------------------------------------------

    def page(self, after: int | None, limit: int) -> dict[str, Any]:
        """GET /usage: up to `limit` events with an id above `after` (None: from the first), oldest first."""
        start = 0 if after is None else bisect.bisect_right(self.events, after, key=lambda e: e["id"])
        events = self.events[start : start + limit]
        cursor = events[-1]["id"] if events else after
        return {"events": events, "next": cursor, "more": start + limit < len(self.events)}

    def online(self, now: datetime) -> dict[str, Any]:
        """GET /accounts/online: every account with an open session, by name."""
        accounts = [
            wire.OnlineAccount(account_name=name, sessions=len(open_), since=min(open_.values()), source_ips=sorted(open_))
            for name, open_ in sorted(self.sessions.items())
        ]
        return wire.OnlineAnswer(at=now, last_event_id=self.last_id or None, accounts=accounts).wire()

    # --- writing -----------------------------------------------------------------------------------------------

    def _append(
        self, kind: wire.EventKind, name: str, at: datetime, ip: str, detail: wire.AbnormalDetail | None
    ) -> dict[str, Any]:
        self.last_id += 1
        at = at.astimezone(UTC)  # every event of the feed in UTC, whatever offset it was given with
        event = wire.UsageEvent(id=self.last_id, kind=kind, account_name=name, at=at, source_ip=ip, detail=detail).wire()
        self.events.append(event)
        return event

    def record(
        self, given: Iterable[EventInput], default_name: str | None, check: Callable[[str], object]
    ) -> list[dict[str, Any]]:
        """Append the events, all or none: `check(name)` refuses an account that cannot have usage, and an event
        that contradicts the sessions (a second login from one address, a logout without a login) is refused."""
        planned: list[Planned] = []
        sessions = _copy(self.sessions)
        for event in given:
            name = event.account_name or default_name
            if name is None:
                raise ValueError("an event needs an accountName, in the event or in the body")
            check(name)
            at = event.at or self.clock()
            _apply(sessions, event.kind, name, event.source_ip, at)
            planned.append((event.kind, name, at, event.source_ip, event.detail))
        self.sessions = sessions
        return [self._append(*p) for p in planned]

    def record_body(self, body: dict[str, Any], check: Callable[[str], object]) -> list[dict[str, Any]]:
        """The explicit events of a /_sim/usage body: {"accountName"?, "events": [{kind, sourceIp, at?, detail?}]}."""
        raw = body.get("events")
        if not isinstance(raw, list) or not raw:
            raise ValueError("events must be a non-empty list of events, or give sample: n")
        try:
            given = [EventInput.model_validate(e) for e in raw]
        except ValidationError as error:
            raise ValueError(f"bad event: {explain(error)}") from None
        name = body.get("accountName")
        return self.record(given, None if name is None else str(name), check)

    def logout_all(self, name: str, at: datetime) -> list[dict[str, Any]]:
        """The account's open sessions end now (a revoked account is cut off): one LOGOUT each."""
        open_ = self.sessions.pop(name, {})
        return [self._append("LOGOUT", name, at, ip, None) for ip in sorted(open_)]

    def sample(self, count: int, names: list[str], max_sessions: Callable[[str], int]) -> list[dict[str, Any]]:
        """`count` realistic events on the accounts `names`, ending now and none before the newest event, the same for
        the same seed, accounts and clock: logins from Shanghai addresses (at most `max_sessions(name)` at once), logouts, abnormal behaviour."""
        if not names:
            raise ValueError("there is no live account to generate usage for")
        if not 1 <= count <= SAMPLE_MAX:
            raise ValueError(f"sample must be between 1 and {SAMPLE_MAX}")
        rng, now = self.rng, self.clock().astimezone(UTC).replace(microsecond=0)
        # Not before the newest event: the feed's times then go forward as its ids do (given events may say otherwise).
        floor = datetime.fromisoformat(self.events[-1]["at"]) if self.events else now - timedelta(days=1)
        gaps = [rng.randint(20, 600) for _ in range(count)]
        elapsed = sum(gaps)
        made: list[Planned] = []
        sessions = _copy(self.sessions)
        for gap in gaps:
            elapsed -= gap
            at, name = max(floor, now - timedelta(seconds=elapsed)), rng.choice(names)
            open_ = sessions.get(name, {})
            roll = rng.random()
            kind: wire.EventKind
            detail = None
            if roll < 0.2:  # abnormal behaviour: half of it in an open session, half from somewhere else
                kind = "ABNORMAL"
                ip = rng.choice(sorted(open_)) if open_ and roll < 0.1 else self._address()
                rule, severity, description = rng.choice(ABNORMAL_RULES)
                detail = wire.AbnormalDetail(rule=rule, severity=severity, description=description)
            elif open_ and (roll < 0.6 or len(open_) >= max_sessions(name)):
                kind, ip = "LOGOUT", rng.choice(sorted(open_))
            else:
                kind, ip = "LOGIN", self._address(exclude=open_)
            _apply(sessions, kind, name, ip, at)
            made.append((kind, name, at, ip, detail))
        self.sessions = sessions
        return [self._append(*m) for m in made]

    def _address(self, exclude: Iterable[str] = ()) -> str:
        taken = set(exclude)
        while True:
            ip = f"{self.rng.choice(SAMPLE_NETWORKS)}.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
            if ip not in taken:
                return ip
