"""What the simulated wireless support platform knows beyond the base simulator: accounts, presence, pushed alerts.

The account operations are handlers of the base simulator. Alerts go the other way: the platform calls GovOps's
persisted `WirelessSecurityAlertPush` mutation by hash, signed exactly as the base signs dispatch callbacks
(`integrations.base.signing`), to the same endpoint with the same API client.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from core.clock import utcnow
from integrations.base.signing import signed_headers
from integrations.base.sim_state import BODY_KEPT, CallbackSettings, Handler, SimRejection, SimulatorState, post_callback
from integrations.base.wire import parse
from integrations.wireless_support import schemas as wire

ALERT_DOCUMENT = "WirelessSecurityAlertPush"  # GovOps's persisted mutation the alerts are pushed to, by its sha256

# What the platform's terminal security agent reports, for sample alerts in the demo: (severity, title, detail).
SAMPLE_ALERTS: tuple[tuple[wire.Severity, str, str], ...] = (
    ("CRITICAL", "专网卡插入非绑定终端", "SIM card inserted into a terminal other than the bound one"),
    ("CRITICAL", "终端已被root/越狱", "The terminal is rooted or jailbroken"),
    ("MAJOR", "终端访问未授权应用", "The terminal reached an application it has no permission for"),
    ("MAJOR", "终端安全管控客户端被卸载", "The terminal security control client was removed"),
    ("MINOR", "终端异地频繁接入", "The terminal attached from unusual locations repeatedly"),
    ("WARNING", "终端系统版本过低", "The terminal's operating system is out of support"),
)


@dataclass
class Account:
    """One terminal security control account."""

    account_name: str
    iccid: str
    msisdn: str
    holder_name: str
    holder_phone: str | None
    applications: list[str]
    opened_at: datetime
    online: bool
    last_seen_at: datetime
    closed_at: datetime | None = None

    def public(self) -> dict[str, Any]:
        return {
            "accountName": self.account_name, "iccid": self.iccid, "msisdn": self.msisdn, "holderName": self.holder_name,
            "applications": list(self.applications), "openedAt": self.opened_at.isoformat(), "online": self.online,
            "lastSeenAt": self.last_seen_at.isoformat(), "closedAt": None if self.closed_at is None else self.closed_at.isoformat(),
        }  # fmt: skip


@dataclass
class SupportState:
    """The platform's accounts and alert pushes; the simulator app keeps it as `app.state.support`."""

    seed: int = 0
    alert_document_hash: str = ""  # sha256 of GovOps's persisted WirelessSecurityAlertPush document
    accounts: dict[str, Account] = field(default_factory=dict)
    pushes: list[dict[str, Any]] = field(default_factory=list)  # every alert delivery attempt, in order
    clock: Callable[[], datetime] = utcnow
    sim: SimulatorState | None = None
    _issued: int = 0

    def handlers(self) -> dict[str, Handler]:
        """The base simulator's handlers, one per operation."""
        return {"account_open": self.account_open, "permissions_set": self.permissions_set,
                "account_close": self.account_close, "account_rebind": self.account_rebind}  # fmt: skip

    def base(self) -> SimulatorState:
        """The base simulator's state this platform is attached to."""
        if self.sim is None:
            raise RuntimeError("the support state is not attached to a simulator")
        return self.sim

    def reset(self) -> None:
        """A fresh platform: the base forgets its work and settings, accounts and pushes are gone."""
        self.base().reset()
        self.accounts.clear()
        self.pushes.clear()
        self._issued = 0

    # --- operations (handlers) ---------------------------------------------------------------------------------

    def _next_name(self) -> str:
        """The next "ZD" + 8 digits: sequential, as the platform numbers accounts, from a start fixed by the seed."""
        start = int.from_bytes(hashlib.sha256(f"zd:{self.seed}".encode()).digest()[:8], "big") % (9 * 10**7) + 10**7
        while True:
            name = f"ZD{(start + self._issued) % 10**8:08d}"
            self._issued += 1
            if name not in self.accounts:
                return name

    def _open_account(self, name: str) -> Account:
        account = self.accounts.get(name)
        if account is None:
            raise SimRejection("ACCOUNT_UNKNOWN", f"账号不存在 / No account {name}")
        if account.closed_at is not None:
            raise SimRejection("ACCOUNT_CLOSED", f"账号已注销 / The account {name} is closed")
        return account

    def account_open(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Open a terminal security control account for a card; ACCOUNT_EXISTS when the card has an open one."""
        request = parse(wire.AccountOpenRequest, payload)
        if held := next((a for a in self.accounts.values() if a.iccid == request.iccid and a.closed_at is None), None):
            raise SimRejection("ACCOUNT_EXISTS", f"该卡已有账号 {held.account_name} / The card already has an account")
        name, now = self._next_name(), self.clock()
        # Whether the terminal is on line is fixed by the name, so a sync is the same on every run.
        online = hashlib.sha256(name.encode()).digest()[0] % 4 != 0
        self.accounts[name] = Account(
            account_name=name, iccid=request.iccid, msisdn=request.msisdn, holder_name=request.holder.name,
            holder_phone=request.holder.phone, applications=list(request.applications), opened_at=now, online=online,
            last_seen_at=now,
        )  # fmt: skip
        return wire.AccountOpenResult(account_name=name).wire()

    def permissions_set(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Replace the applications an account may reach; ACCOUNT_UNKNOWN, ACCOUNT_CLOSED."""
        request = parse(wire.PermissionsSetRequest, payload)
        account = self._open_account(request.account_name)
        account.applications = list(request.applications)
        return wire.PermissionsSetResult(applications=account.applications).wire()

    def account_close(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Close an account; ACCOUNT_UNKNOWN, ACCOUNT_CLOSED."""
        request = parse(wire.AccountCloseRequest, payload)
        account = self._open_account(request.account_name)
        account.closed_at, account.online = self.clock(), False
        return wire.AccountCloseResult(closed_at=account.closed_at.isoformat(timespec="seconds")).wire()

    def account_rebind(self, sim: SimulatorState, payload: dict[str, Any]) -> dict[str, Any]:
        """Move an account to a replacement card; ACCOUNT_UNKNOWN, ACCOUNT_CLOSED, ACCOUNT_EXISTS (the new card has one).
        Moving it to the card it is on already answers the same (a retried call)."""
        request = parse(wire.AccountRebindRequest, payload)
        account = self._open_account(request.account_name)
        held = next((a for a in self.accounts.values() if a.iccid == request.iccid and a.closed_at is None), None)
        if held is not None and held is not account:
            raise SimRejection("ACCOUNT_EXISTS", f"新卡已有账号 {held.account_name} / The new card already has an account")
        account.iccid, account.msisdn = request.iccid, request.msisdn
        return wire.AccountRebindResult(account_name=account.account_name, iccid=account.iccid).wire()

    def seed_account(self, account_name: str, iccid: str, msisdn: str, holder_name: str, applications: list[str]) -> Account:
        """An open account straight into the books (the demo loads the accounts GovOps already has)."""
        if account_name in self.accounts:
            raise SimRejection("ACCOUNT_EXISTS", f"账号已存在 / The account {account_name} exists", 409)
        now = self.clock()
        online = hashlib.sha256(account_name.encode()).digest()[0] % 4 != 0
        self.accounts[account_name] = account = Account(
            account_name=account_name, iccid=iccid, msisdn=msisdn, holder_name=holder_name, holder_phone=None,
            applications=list(applications), opened_at=now, online=online, last_seen_at=now,
        )  # fmt: skip
        return account

    # --- user sync and presence --------------------------------------------------------------------------------

    def users(self) -> dict[str, Any]:
        """GET /users: every open account with its card and presence (a closed account is no longer a user)."""
        users = [
            wire.SupportUser(account_name=a.account_name, iccid=a.iccid, online=a.online, last_seen_at=a.last_seen_at)
            for a in sorted(self.accounts.values(), key=lambda a: a.account_name)
            if a.closed_at is None
        ]
        return wire.UsersAnswer(users=users).wire()

    def set_online(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /_sim/online {"accountName", "online"}: the terminal goes on or off line now."""
        online = body.get("online")
        if not isinstance(online, bool):
            raise ValueError("online must be true or false")
        account = self._open_account(str(body.get("accountName", "")))
        if account.online != online:
            account.online, account.last_seen_at = online, self.clock()
        return account.public()

    # --- alerts pushed to GovOps -------------------------------------------------------------------------------

    def sample_alerts(self, count: int) -> list[dict[str, Any]]:
        """`count` realistic alerts on open accounts, the same for the same accounts and clock (for the demo)."""
        accounts = sorted((a for a in self.accounts.values() if a.closed_at is None), key=lambda a: a.account_name)
        if not accounts:
            raise ValueError("there is no open account to raise an alert on")
        now = self.clock().replace(microsecond=0)
        alerts = []
        for i in range(count):
            account, (severity, title, detail) = accounts[i % len(accounts)], SAMPLE_ALERTS[i % len(SAMPLE_ALERTS)]
            occurred = now - timedelta(minutes=5 * (count - i))
            fingerprint = hashlib.sha256(f"{account.account_name}|{title}|{occurred.isoformat()}".encode()).hexdigest()[:32]
            alerts.append(
                wire.Alert(
                    fingerprint=fingerprint, account_name=account.account_name, iccid=account.iccid, severity=severity,
                    title=title, detail=detail, occurred_at=occurred,
                ).wire()
            )  # fmt: skip
        return alerts

    def alert_body(self, alerts: list[dict[str, Any]]) -> dict[str, Any]:
        """The persisted-operation request: the alert document by hash, the batch as `input`."""
        batch = wire.AlertBatch.model_validate({"alerts": alerts})  # ValidationError is a ValueError
        return {
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": self.alert_document_hash}},
            "variables": {"input": batch.wire()},
        }

    async def push_alerts(self, alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send one alert batch to GovOps, signed, retried on a 5xx, a 429 or no answer; the delivery attempts."""
        body = orjson.dumps(self.alert_body(alerts))
        settings: CallbackSettings = self.base().callback
        attempts: list[dict[str, Any]] = []
        if not settings.url:
            attempts.append({"status": None, "error": "no callback url configured", "alerts": len(alerts)})
            self.pushes.extend(attempts)
            return attempts
        send = settings.send or post_callback
        path = urlsplit(settings.url).path or "/"
        for attempt in range(1, max(1, settings.attempts) + 1):
            headers = signed_headers(settings.api_key, settings.secret, "POST", path, body)  # a fresh nonce each time
            sent: dict[str, Any] = {"attempt": attempt, "alerts": len(alerts), "body": body.decode()}
            try:
                response = await send(settings.url, body, headers)
            except httpx.HTTPError as error:
                sent |= {"status": None, "error": f"{type(error).__name__}: {error}"}
            else:
                sent |= {"status": response.status_code, "answer": response.text[:BODY_KEPT], "error": None}
            attempts.append(sent)
            status = sent["status"]
            # As the base's callbacks: 2xx is delivered; another 4xx means our request is wrong and a resend cannot help.
            if status is not None and (status < 300 or (400 <= status < 500 and status != 429)):
                break
            if attempt < settings.attempts:
                await asyncio.sleep(settings.retry_seconds)
        self.pushes.extend(attempts)
        return attempts

    def snapshot(self) -> dict[str, Any]:
        """Accounts and pushes, for GET /_sim/accounts."""
        return {
            "alertDocumentHash": self.alert_document_hash,
            "accounts": [a.public() for a in self.accounts.values()],
            "pushes": self.pushes,
        }
