"""Demo data for the secure access registry: a few hundred accounts spread unevenly over the access units, some
expiring soon, some suspended or revoked (through the service, so history and MAC release happen), some on line;
and work orders of the three kinds in every state, made through the engine as the demo people would.

The approved orders are handed to the support platform, which `make run` starts knowing the demo accounts
(platforms.py), so they complete a moment after it starts.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from stdnum.cn import ric

import domain.flows  # noqa: F401  (every kind registered: the orders are submitted through the engine)
from core.clock import SHANGHAI, beijing_today, utcnow
from core.db.engine import create_session_factory
from core.db.uow import UnitOfWork
from domain.catalog import repository as catalog
from domain.catalog.models import Application
from domain.identity.demo import GIVEN, SURNAMES
from domain.identity.enums import OrgUnitKind
from domain.identity.models import OrgUnit
from domain.secure_access import service
from domain.secure_access.enums import AccountEventKind, AccountStatus
from domain.secure_access.models import SecureAccessAccount, secure_access_mac, secure_access_system
from domain.wireless.demo import APPLICATIONS
from domain.workorders.demo import FATES, UNITS, demo_actor, walk
from domain.workorders.models import WorkOrder

FIRST_ACCOUNT = 20_000_000  # demo accounts are JR20000000 on; the simulated platform issues from elsewhere and skips them
# Shanghai county codes, each with the first birth year stdnum's table gives it (the ID number must be of its time).
AREAS = [("310101", 0), ("310104", 0), ("310105", 0), ("310106", 0), ("310107", 0), ("310109", 0), ("310110", 0),
         ("310112", 1981), ("310113", 1988), ("310115", 1992), ("310117", 1998)]  # fmt: skip
PHONES = ("135", "136", "137", "138", "139", "150", "151", "158", "186", "187", "189")
# Vendors' OUIs (first octet even: unicast, globally administered); the rest of a MAC is numbered, so none repeats.
OUIS = ("00:E0:4C", "A4:83:E7", "F0:18:98", "D4:61:9D", "8C:85:90", "00:1C:42", "54:EE:75", "98:FA:9B")
ORDER_MACS = 0xF000  # numbers from here on are the orders' terminals, apart from the accounts' ones
KINDS = ("secure_access.open", "secure_access.change", "secure_access.revoke")


def id_number(rng: random.Random) -> str:
    """A resident ID number of a Shanghai-born adult that stdnum accepts (place, birth date, check digit)."""
    area, since = rng.choice(AREAS)
    born = date(rng.randint(max(since, 1962), 2002), 1, 1) + timedelta(days=rng.randint(0, 364))
    body = f"{area}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def phone(rng: random.Random) -> str:
    return f"{rng.choice(PHONES)}{rng.randint(0, 10**8 - 1):08d}"


def holder(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 1, 2))))


def mac(n: int, k: int) -> str:
    """The k-th terminal (0-255) of the n-th holder (below 2**19): distinct for every (n, k)."""
    middle = n // len(OUIS)
    return f"{OUIS[n % len(OUIS)]}:{middle >> 8 & 0xFF:02X}:{middle & 0xFF:02X}:{k:02X}"


def _at(day: date, rng: random.Random) -> datetime:
    """A moment in office hours of a Beijing day, in UTC."""
    return (datetime.combine(day, time(9), SHANGHAI) + timedelta(minutes=rng.randint(0, 8 * 60))).astimezone(UTC)


async def _systems(uow: UnitOfWork) -> dict[str, int]:
    """The demo's systems by code (the wireless demo's applications, added to the catalogue when missing)."""
    await catalog.ensure(uow, [{"code": c, "name": n, "description": d} for c, n, d in APPLICATIONS])
    await uow.session.flush()  # the session does not autoflush
    codes = [c for c, _, _ in APPLICATIONS]
    rows = await uow.session.execute(select(Application.code, Application.id).where(Application.code.in_(codes)))
    return dict(rows.all())


async def seed(uow: UnitOfWork, accounts: int = 600, seed: int = 2026) -> int:
    """Create `accounts` accounts once; returns how many were made (0 when the registry has any). They are written
    as `service.register` writes one (the row, its MACs and systems, an OPENED history row), in a few batched
    statements rather than six per account; suspensions and revocations go through `service.change_status`."""
    s = uow.session
    if (await s.execute(select(func.count()).select_from(SecureAccessAccount))).scalar_one():
        return 0
    rng = random.Random(seed)
    units = list(
        (await s.execute(select(OrgUnit.id).where(OrgUnit.kind == OrgUnitKind.ACCESS_UNIT).order_by(OrgUnit.id))).scalars()
    )
    if not units:
        return 0
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(units))]  # a few large units, a long tail of small ones
    systems = list((await _systems(uow)).values())
    now = utcnow()
    today = beijing_today(now)
    made: list[tuple[SecureAccessAccount, list[str], list[int]]] = []
    for n in range(accounts):
        # Validity: most run for months yet, about one in eight ends within 30 days; at most three years long.
        valid_to = today + timedelta(days=rng.randint(0, 30) if rng.random() < 0.12 else rng.randint(31, 720))
        valid_from = max(valid_to - timedelta(days=rng.randint(180, service.MAX_VALIDITY_DAYS)),
                         today - timedelta(days=900))  # fmt: skip
        if valid_from >= today:
            valid_from = today - timedelta(days=rng.randint(1, 60))
        opened = min(_at(valid_from, rng), now - timedelta(hours=1))
        macs = [mac(n, k) for k in range(1, rng.randint(1, 3) + 1)]
        account = SecureAccessAccount(
            account_name=f"JR{FIRST_ACCOUNT + n:08d}", holder_name=holder(rng), holder_phone=phone(rng),
            holder_id_number=id_number(rng), unit_id=rng.choices(units, weights)[0], status=AccountStatus.ACTIVE,
            valid_from=valid_from, valid_to=valid_to, mac_limit=max(service.MAC_LIMIT, len(macs)), online_sessions=0,
            activated_at=opened, created_at=opened, updated_at=opened,
        )  # fmt: skip
        made.append((account, macs, rng.sample(systems, rng.randint(1, 3))))
    s.add_all([account for account, _, _ in made])
    await s.flush()  # one batched INSERT: the ids for the MACs, systems and history
    await s.execute(insert(secure_access_mac), [{"account_id": a.id, "mac": m} for a, macs, _ in made for m in macs])
    await s.execute(insert(secure_access_system), [{"account_id": a.id, "application_id": i} for a, _, ids in made for i in ids])
    for account, macs, _ in made:
        service.history(uow, account, AccountEventKind.OPENED, account.created_at, detail={
            "macs": macs, "validFrom": account.valid_from.isoformat(), "validTo": account.valid_to.isoformat()})  # fmt: skip
    for account, macs, _ in made:
        fate, lived = rng.random(), (now - account.created_at).total_seconds()
        later = account.created_at + timedelta(seconds=rng.uniform(0.2, 0.95) * lived)
        if fate < 0.08:
            await service.change_status(uow, account, AccountStatus.REVOKED, now=later,
                                        detail={"reason": "人员调离 / holder left"})  # fmt: skip
        elif fate < 0.13:
            await service.change_status(uow, account, AccountStatus.SUSPENDED, now=later,
                                        detail={"reason": "长期未使用 / unused for months"})  # fmt: skip
        elif rng.random() < 0.65:  # seen lately; a third of those on line now, one session per terminal at most
            account.last_login_at = max(account.created_at, now - timedelta(minutes=rng.randint(5, 14 * 24 * 60)))
            if rng.random() < 0.35:
                account.online_sessions = rng.randint(1, len(macs))
    return accounts


# --- work orders ----------------------------------------------------------------------------------------------


async def _accounts(uow: UnitOfWork, unit_id: int, today: date) -> list[tuple[str, list[str]]]:
    """The unit's active accounts that stay valid for a month yet, with their system codes, in a fixed order."""
    acc, link, app = SecureAccessAccount.__table__.c, secure_access_system.c, Application.__table__.c
    stmt = (
        select(acc.account_name, app.code)
        .join_from(SecureAccessAccount.__table__, secure_access_system, link.account_id == acc.id)
        .join(Application.__table__, app.id == link.application_id)
        .where(acc.unit_id == unit_id, acc.status == AccountStatus.ACTIVE, acc.valid_to > today + timedelta(days=30))
        .order_by(acc.id, app.code)
    )
    found: dict[str, list[str]] = {}
    for name, code in await uow.session.execute(stmt):
        found.setdefault(name, []).append(code)
    return list(found.items())


def _form(kind: str, rng: random.Random, account: tuple[str, list[str]] | None, serial: int, day: date) -> Any:
    codes = [c for c, _, _ in APPLICATIONS]
    macs = [mac(ORDER_MACS + serial, k) for k in range(1, rng.randint(1, 3) + 1)]  # terminals nobody holds
    if kind == "secure_access.open" or account is None:
        return "secure_access.open", {
            "holder": {"name": holder(rng), "phone": phone(rng), "idNumber": id_number(rng)}, "macs": macs,
            "systems": rng.sample(codes, rng.randint(1, 3)), "validFrom": day.isoformat(),
            "validTo": (day + timedelta(days=365)).isoformat(), "reason": "远程办公接入政务外网 / remote office access",
        }  # fmt: skip
    name, systems = account
    if kind == "secure_access.change":
        form: dict[str, Any] = {"accountName": name, "macs": macs, "reason": "更换办公终端 / new terminals"}
        if rng.random() < 0.5:
            form["systems"] = sorted(set(systems) | {rng.choice(codes)})
        return kind, form
    return kind, {"accountName": name, "reason": "人员调离 / holder left"}


async def seed_orders(engine: AsyncEngine, seed: int = 2026, now: datetime | None = None) -> int:
    """Make the demo orders once (none when any secure access order exists); returns how many were made."""
    factory = create_session_factory(engine)
    now, rng = now or utcnow(), random.Random(seed)
    async with factory() as s:
        taken = select(func.count()).select_from(WorkOrder).where(WorkOrder.kind.like("secure\\_access.%", escape="\\"))
        if (await s.execute(taken)).scalar_one():
            return 0
    made = 0
    for u, unit in enumerate(UNITS):
        async with UnitOfWork(factory) as uow:
            applicant, leader = await demo_actor(uow, f"{unit.lower()}_user"), await demo_actor(uow, f"{unit.lower()}_admin")
            reviewer = await demo_actor(uow, "operator")
            if applicant is None or leader is None or reviewer is None:
                continue
            accounts = await _accounts(uow, applicant.org_unit_id, beijing_today(now))
        for f, fate in enumerate(FATES):
            kind = KINDS[(u + f) % len(KINDS)]
            account = accounts.pop(rng.randrange(len(accounts))) if accounts and kind != "secure_access.open" else None
            # Finished and approved orders from the last weeks; those still waiting from the last hours.
            at = now - (timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 8)) if fate in (
                "rejected", "withdrawn", "approved") else timedelta(minutes=rng.randint(20, 240)))  # fmt: skip
            kind, form = _form(kind, rng, account, u * len(FATES) + f, beijing_today(at))
            made += await walk(factory, engine, kind, form, fate, applicant, leader, reviewer, at)
    return made
