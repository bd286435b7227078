"""What the simulated secure access support platform knows beyond the base simulator: accounts, tickets, usage.

The four operations are handlers of the base simulator, so its idempotency (a repeated key gets the first answer
back without the work being done again), failure injection and ACCEPTED-mode callbacks apply to them unchanged.
An account binds the terminals' MAC addresses (at most `mac_limit`, none bound to another live account) and the
systems it may reach; it is live from opening until it is revoked or its validity ends (Beijing date).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.clock import SHANGHAI, utcnow
from integrations.base.sim_state import Handler, SimRejection, SimulatorState
from integrations.base.wire import parse
from integrations.secure_access_support import schemas as wire
from integrations.secure_access_support.sim_usage import UsageLog

MAC_LIMIT = 5  # MACs one account may bind, unless set otherwise (POST /_sim/limits)


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


@dataclass
class Account:
    """One secure access account."""

    account_name: str
    holder_name: str
    holder_phone: str
    holder_id_number: str
    unit_code: str
    macs: list[str]
    systems: list[str]
    valid_from: date
    valid_to: date
    order_number: str
    opened_at: datetime
    changed_at: datetime | None = None
    revoked_at: datetime | None = None

    def status(self, today: date) -> str:
        """REVOKED, EXPIRED (its validity ended before `today`) or ACTIVE."""
        if self.revoked_at is not None:
            return "REVOKED"
        return "EXPIRED" if self.valid_to < today else "ACTIVE"

    def public(self, today: date) -> dict[str, Any]:
        return {
            "accountName": self.account_name, "holderName": self.holder_name, "unitCode": self.unit_code,
            "macs": list(self.macs), "systems": list(self.systems), "validFrom": self.valid_from.isoformat(),
            "validTo": self.valid_to.isoformat(), "orderNumber": self.order_number, "status": self.status(today),
            "openedAt": self.opened_at.isoformat(), "changedAt": _iso(self.changed_at), "revokedAt": _iso(self.revoked_at),
        }  # fmt: skip


@dataclass
class Ticket:
    """One repair ticket opened by a fault report."""

    ticket_number: str
    account_name: str | None
    unit_code: str
    category: str
    severity: str
    description: str
    reported_at: datetime
    opened_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "ticketNumber": self.ticket_number, "accountName": self.account_name, "unitCode": self.unit_code,
            "category": self.category, "severity": self.severity, "description": self.description,
            "reportedAt": self.reported_at.isoformat(), "openedAt": self.opened_at.isoformat(),
            "status": "OPEN" if self.resolved_at is None else "RESOLVED", "resolvedAt": _iso(self.resolved_at),
            "resolution": self.resolution,
        }  # fmt: skip


@dataclass
class SecureAccessState:
    """The platform's accounts, tickets and usage; the simulator app keeps it as `app.state.secure_access`."""

    seed: int = 0
    mac_limit: int = MAC_LIMIT
    accounts: dict[str, Account] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    clock: Callable[[], datetime] = utcnow
    usage: UsageLog = field(init=False)
    sim: SimulatorState | None = None
    _issued: int = 0
    _tickets_issued: int = 0

    def __post_init__(self) -> None:
        self.usage = UsageLog(clock=lambda: self.clock(), seed=self.seed)  # follows a clock a test sets later

    def handlers(self) -> dict[str, Handler]:
        """The base simulator's handlers, one per operation."""
        return {
            "account_open": self.account_open, "account_change": self.account_change,
            "account_revoke": self.account_revoke, "fault_report": self.fault_report,
        }  # fmt: skip

    def base(self) -> SimulatorState:
        """The base simulator's state this platform is attached to."""
        if self.sim is None:
            raise RuntimeError("the secure access state is not attached to a simulator")
        return self.sim

    def reset(self) -> None:
        """A fresh platform: the base forgets its work and settings; no accounts, tickets, events or sessions, the
        default MAC limit, numbering from the start (feed ids go on: a consumer's cursor must stay valid)."""
        self.base().reset()
        self.accounts.clear()
        self.tickets.clear()
        self.usage.clear()
        self.mac_limit = MAC_LIMIT
        self._issued = self._tickets_issued = 0

    def today(self) -> date:
        """The platform's date (Beijing time): validity periods are whole days there."""
        return self.clock().astimezone(SHANGHAI).date()

    # --- rules -------------------------------------------------------------------------------------------------

    def _next_name(self) -> str:
        """The next "JR" + 8 digits: sequential, as the platform numbers accounts, from a start fixed by the seed."""
        start = int.from_bytes(hashlib.sha256(f"jr:{self.seed}".encode()).digest()[:8], "big") % (9 * 10**7) + 10**7
        while True:
            name = f"JR{(start + self._issued) % 10**8:08d}"
            self._issued += 1
            if name not in self.accounts:
                return name

    def account(self, name: str) -> Account:
        """The account named; ACCOUNT_UNKNOWN."""
        account = self.accounts.get(name)
        if account is None:
            raise SimRejection("ACCOUNT_UNKNOWN", f"账号不存在 / No account {name}")
        return account

    def unrevoked(self, name: str) -> Account:
        """The account named, not revoked; ACCOUNT_UNKNOWN, ACCOUNT_REVOKED."""
        account = self.account(name)
        if account.revoked_at is not None:
            raise SimRejection("ACCOUNT_REVOKED", f"账号已撤销 / The account {name} is revoked")
        return account

    def live(self, name: str) -> Account:
        """The account named, neither revoked nor expired; ACCOUNT_UNKNOWN, ACCOUNT_REVOKED, ACCOUNT_EXPIRED."""
        account = self.unrevoked(name)
        if account.valid_to < self.today():
            raise SimRejection(
                "ACCOUNT_EXPIRED", f"账号已过有效期 {account.valid_to} / The account {name} expired on {account.valid_to}"
            )
        return account

    def check_macs(self, raw: list[str], owner: str | None) -> list[str]:
        """The MACs normalised (AA:BB:CC:DD:EE:FF); MAC_INVALID, MAC_DUPLICATE, MAC_LIMIT_EXCEEDED, or MAC_BOUND when
        another live account than `owner` has one of them."""
        macs: list[str] = []
        for value in raw:
            mac = wire.normalise_mac(value)
            if mac is None:
                raise SimRejection("MAC_INVALID", f"MAC地址无效 / Invalid MAC address {value!r}")
            if mac in macs:
                raise SimRejection("MAC_DUPLICATE", f"MAC地址重复 / The MAC address {mac} is listed twice")
            macs.append(mac)
        if len(macs) > self.mac_limit:
            raise SimRejection(
                "MAC_LIMIT_EXCEEDED",
                f"MAC地址数量超过上限 {self.mac_limit} 个 / {len(macs)} MAC addresses, more than the limit of {self.mac_limit}",
            )
        today = self.today()
        for other in self.accounts.values():
            if other.account_name == owner or other.status(today) != "ACTIVE":
                continue  # an account's own MACs, and those of a revoked or expired one, may be bound
            if taken := next((m for m in macs if m in other.macs), None):
                raise SimRejection(
                    "MAC_BOUND",
                    f"MAC地址 {taken} 已绑定账号 {other.account_name} / The MAC address {taken} is bound to the account {other.account_name}",
                )
        return macs

    # --- operations (handlers) ---------------------------------------------------------------------------------

    def account_open(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Open an account binding MACs to systems for a validity period; BAD_REQUEST, VALIDITY_INVALID, MAC_INVALID,
        MAC_DUPLICATE, MAC_LIMIT_EXCEEDED, MAC_BOUND."""
        request = parse(wire.AccountOpenRequest, payload)
        if request.valid_to < request.valid_from:
            raise SimRejection(
                "VALIDITY_INVALID",
                f"有效期截止日 {request.valid_to} 早于起始日 {request.valid_from} / validTo {request.valid_to} is before validFrom {request.valid_from}",
            )
        if request.valid_to < self.today():
            raise SimRejection("VALIDITY_INVALID", f"有效期已结束 / validTo {request.valid_to} is already past")
        macs = self.check_macs(request.macs, None)
        name = self._next_name()
        self.accounts[name] = Account(
            account_name=name, holder_name=request.holder.name, holder_phone=request.holder.phone,
            holder_id_number=request.holder.id_number, unit_code=request.unit_code, macs=macs,
            systems=list(request.systems), valid_from=request.valid_from, valid_to=request.valid_to,
            order_number=request.order_number, opened_at=self.clock(),
        )  # fmt: skip
        return wire.AccountOpenResult(account_name=name).wire()

    def account_change(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Replace an account's MACs, systems or both; BAD_REQUEST, ACCOUNT_UNKNOWN, ACCOUNT_REVOKED, ACCOUNT_EXPIRED
        and the MAC refusals of an open."""
        request = parse(wire.AccountChangeRequest, payload)
        account = self.live(request.account_name)
        macs = account.macs if request.macs is None else self.check_macs(request.macs, account.account_name)
        account.macs = list(macs)
        if request.systems is not None:
            account.systems = list(request.systems)
        account.changed_at = self.clock()
        return wire.AccountChangeResult(account_name=account.account_name, macs=account.macs, systems=account.systems).wire()

    def account_revoke(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Revoke an account (live or expired): its MACs are free again and its open sessions end, each with a LOGOUT
        in the usage feed; BAD_REQUEST, ACCOUNT_UNKNOWN, ACCOUNT_REVOKED. A retry with the first call's idempotency key
        is answered by the base from its record, so it gets the first answer, not ACCOUNT_REVOKED."""
        request = parse(wire.AccountRevokeRequest, payload)
        account = self.unrevoked(request.account_name)
        account.revoked_at = self.clock()
        self.usage.logout_all(account.account_name, account.revoked_at)
        return wire.AccountRevokeResult(
            account_name=account.account_name, revoked_at=account.revoked_at.isoformat(timespec="seconds")
        ).wire()

    def fault_report(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Open a repair ticket "BX" + Beijing date + 4-digit sequence; BAD_REQUEST, and for a named account
        ACCOUNT_UNKNOWN, ACCOUNT_REVOKED, or UNIT_MISMATCH when it is another unit's."""
        request = parse(wire.FaultReportRequest, payload)
        if request.account_name is not None:
            account = self.unrevoked(request.account_name)
            if account.unit_code != request.unit_code:
                raise SimRejection(
                    "UNIT_MISMATCH",
                    f"账号 {account.account_name} 不属于单位 {request.unit_code} / The account {account.account_name} is not of unit {request.unit_code}",
                )
        self._tickets_issued += 1
        now = self.clock()
        number = f"BX{now.astimezone(SHANGHAI):%Y%m%d}{self._tickets_issued % 10**4:04d}"
        self.tickets[number] = Ticket(
            ticket_number=number, account_name=request.account_name, unit_code=request.unit_code,
            category=request.category, severity=request.severity, description=request.description,
            reported_at=request.reported_at, opened_at=now,
        )  # fmt: skip
        return wire.FaultReportResult(ticket_number=number).wire()

    def seed_account(self, account: Account) -> Account:
        """An account straight into the books (the demo loads the accounts GovOps already has); its name is never
        issued again. ACCOUNT_EXISTS."""
        if account.account_name in self.accounts:
            raise SimRejection("ACCOUNT_EXISTS", f"账号已存在 / The account {account.account_name} exists", 409)
        self.accounts[account.account_name] = account
        return account

    # --- control -----------------------------------------------------------------------------------------------

    def resolve_ticket(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /_sim/tickets/resolve {"ticketNumber", "resolution"?}: the platform's engineers fixed it now;
        TICKET_UNKNOWN (404), TICKET_RESOLVED (409)."""
        if unknown := set(body) - {"ticketNumber", "resolution"}:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        number = str(body.get("ticketNumber", ""))
        ticket = self.tickets.get(number)
        if ticket is None:
            raise SimRejection("TICKET_UNKNOWN", f"工单不存在 / No ticket {number}", 404)
        if ticket.resolved_at is not None:
            raise SimRejection("TICKET_RESOLVED", f"工单已处理完毕 / The ticket {number} is already resolved", 409)
        resolution = body.get("resolution")
        ticket.resolved_at, ticket.resolution = self.clock(), None if resolution is None else str(resolution)
        return ticket.public()

    def set_limits(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /_sim/limits {"macLimit"}: MACs one account may bind from now on (1 to MAC_CEILING); existing
        accounts keep theirs until they change."""
        if unknown := set(body) - {"macLimit"}:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        if "macLimit" in body:
            limit = body["macLimit"]
            if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= wire.MAC_CEILING:
                raise ValueError(f"macLimit must be a whole number from 1 to {wire.MAC_CEILING}")
            self.mac_limit = limit
        return {"macLimit": self.mac_limit}

    def generate_usage(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /_sim/usage: {"accountName"?, "events": [...]} appends those events (all or none), {"accountName"?,
        "sample": n} n realistic ones on that account or on every live account; the events appended."""
        if unknown := set(body) - {"accountName", "events", "sample"}:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        if "sample" in body:
            sample = body["sample"]
            if not isinstance(sample, int) or isinstance(sample, bool):
                raise ValueError("sample must be a whole number")
            if "accountName" in body:
                names = [self.live(str(body["accountName"])).account_name]
            else:
                today = self.today()
                names = sorted(n for n, a in self.accounts.items() if a.status(today) == "ACTIVE")
            events = self.usage.sample(sample, names, lambda name: len(self.accounts[name].macs))
        else:
            events = self.usage.record_body(body, self.live)
        return {"events": events, "lastEventId": self.usage.last_id}

    def snapshot(self) -> dict[str, Any]:
        """Accounts and the MAC limit, for GET /_sim/accounts."""
        today = self.today()
        return {"macLimit": self.mac_limit, "accounts": [a.public(today) for a in self.accounts.values()]}

    def ticket_list(self) -> dict[str, Any]:
        """Tickets in the order they were opened, for GET /_sim/tickets."""
        return {"tickets": [t.public() for t in self.tickets.values()]}
