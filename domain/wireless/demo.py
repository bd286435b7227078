"""Demo data for the wireless registry: the catalogues and a few thousand cards spread unevenly over the units,
in every status, most with a terminal account (numbers come from the caller: the carriers' own generators)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, insert, select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.catalog.models import Application
from domain.identity.enums import OrgUnitKind
from domain.identity.models import OrgUnit
from domain.wireless import service
from domain.wireless.enums import Carrier, SimCardDomain, SimCardStatus, TerminalAccountStatus
from domain.wireless.models import SimCard, SimPlan, TerminalAccount, terminal_account_application

APPLICATIONS = [
    ("YWTB", "一网通办", "政务服务一网通办移动端"), ("YWTG", "一网统管", "城市运行一网统管"),
    ("ZWWX", "政务微信", "政务微信办公"), ("YDJW", "移动警务", "公安移动警务终端"),
    ("CGZF", "城管执法", "城管移动执法"), ("SCJG", "市场监管", "市场监管移动检查"),
    ("YJZH", "应急指挥", "应急指挥调度"), ("WJYL", "卫健医疗", "卫健移动医疗"),
    ("JTZF", "交通执法", "交通综合执法"), ("HBJC", "环保监测", "生态环境移动监测"),
]  # fmt: skip
CARRIER_SHARE = [(Carrier.MOBILE, 40), (Carrier.TELECOM, 30), (Carrier.UNICOM, 20), (Carrier.CBN, 10)]
Numbers = Callable[[Carrier], tuple[str, str, str]]  # (ICCID, MSISDN, IMSI) of a fresh card of that carrier


async def seed(uow: UnitOfWork, plans: list[dict[str, object]], numbers: Numbers, cards: int = 2000, seed: int = 2026) -> int:
    """Create the catalogues and `cards` cards once; returns how many cards were made (0 when already there)."""
    s = uow.session
    await service.ensure_catalog(uow, plans, [{"code": c, "name": n, "description": d} for c, n, d in APPLICATIONS])
    if (await s.execute(select(func.count()).select_from(SimCard))).scalar_one():
        return 0
    rng = random.Random(seed)
    units = list(
        (await s.execute(select(OrgUnit.id).where(OrgUnit.kind == OrgUnitKind.ACCESS_UNIT).order_by(OrgUnit.id))).scalars()
    )
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(units))]  # a few large units, a long tail of small ones
    plan_ids: dict[Carrier, list[int]] = {}
    for plan in (await s.execute(select(SimPlan))).scalars():
        plan_ids.setdefault(plan.carrier, []).append(plan.id)
    app_ids = list((await s.execute(select(Application.id).order_by(Application.id))).scalars())
    carriers, shares = zip(*CARRIER_SHARE, strict=True)
    now = utcnow()
    for n in range(cards):
        carrier = rng.choices(carriers, shares)[0]
        iccid, msisdn, imsi = numbers(carrier)
        opened = now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1439))
        card = await service.register(
            uow, service.IssuedCard(iccid, msisdn, imsi, f"{'王李张刘陈杨黄赵吴周'[n % 10]}{'伟芳敏静磊洋勇军'[n % 8]}", None),
            carrier=carrier, domain=SimCardDomain.DUAL if rng.random() < 0.3 else SimCardDomain.SINGLE,
            plan_id=rng.choice(plan_ids[carrier]), unit_id=rng.choices(units, weights)[0], now=opened,
        )  # fmt: skip
        fate = rng.random()
        if fate < 0.06:
            await service.change_status(uow, card, SimCardStatus.SUSPENDED, now=opened + timedelta(days=30))
        elif fate < 0.12:
            await service.change_status(uow, card, SimCardStatus.CANCELLED, now=opened + timedelta(days=60))
        if card.status is not SimCardStatus.CANCELLED:
            account = TerminalAccount(
                card_id=card.id, account_name=f"ZD{10_000_000 + n}", holder_name=card.holder_name or "",
                status=TerminalAccountStatus.ACTIVE, online=rng.random() < 0.35, created_at=opened, updated_at=opened,
            )  # fmt: skip
            s.add(account)
            await s.flush()
            chosen = rng.sample(app_ids, rng.randint(1, 3))
            await s.execute(
                insert(terminal_account_application), [{"account_id": account.id, "application_id": a} for a in chosen]
            )
    return cards
