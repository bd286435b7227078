"""Demo faults, reported and handled through the engine as the demo people would: wireless faults on the units' cards,
secure access faults on their accounts, in every stage, plus two that critical alerts opened (one already late)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

import domain.flows  # noqa: F401  (every kind registered: the faults are reported through the engine)
from core.clock import utcnow
from core.db.engine import create_session_factory
from core.db.uow import UnitOfWork
from domain.alerts import service as alerts
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.faults import service
from domain.faults.flows import KIND
from domain.faults.models import Fault
from domain.secure_access.enums import AccountStatus
from domain.secure_access.models import SecureAccessAccount
from domain.wireless.enums import SimCardStatus
from domain.wireless.models import SimCard
from domain.workorders import engine as wo
from domain.workorders import numbering
from domain.workorders.demo import UNITS, demo_actor

# How far each demo fault gets: waiting for review, being repaired, waiting for the check, closed, rejected.
FATES = ("reviewing", "rectifying", "verifying", "closed", "closed", "rejected")
WIRELESS = [
    ("SIGNAL", "执法记录仪信号弱", "办公楼地下一层5G信号弱，终端频繁掉线"),
    ("NETWORK", "专网卡无法上网", "专网卡已激活但无法访问政务应用"),
    ("TERMINAL", "终端无法识别号卡", "更换终端后无法识别专网卡"),
]
SECURE_ACCESS = [
    ("ACCESS", "安全接入账号无法登录", "输入正确口令后提示认证失败"),
    ("NETWORK", "安全接入访问缓慢", "访问协同办公系统页面加载超过30秒"),
]


async def _first(uow: UnitOfWork, stmt: Any) -> Any:
    return (await uow.session.execute(stmt.limit(1))).scalar_one_or_none()


async def seed_faults(engine: AsyncEngine, seed: int = 2026, now: datetime | None = None) -> int:
    """Make the demo faults once (none when any fault exists); returns how many were made."""
    factory = create_session_factory(engine)
    now, rng = now or utcnow(), random.Random(seed)
    async with factory() as s:
        if (await s.execute(select(func.count()).select_from(Fault))).scalar_one():
            return 0
    made = 0
    for u, unit in enumerate(UNITS):
        async with UnitOfWork(factory) as uow:
            reporter, operator = await demo_actor(uow, f"{unit.lower()}_user"), await demo_actor(uow, "operator")
            if reporter is None or operator is None:
                continue
            iccid = await _first(uow, select(SimCard.iccid).where(
                SimCard.unit_id == reporter.org_unit_id, SimCard.status == SimCardStatus.ACTIVE).order_by(SimCard.id))  # fmt: skip
            account = await _first(uow, select(SecureAccessAccount.account_name).where(
                SecureAccessAccount.unit_id == reporter.org_unit_id, SecureAccessAccount.status == AccountStatus.ACTIVE,
            ).order_by(SecureAccessAccount.id))  # fmt: skip
        for f, fate in enumerate(FATES):
            wireless = (u + f) % 3 != 2
            category, title, description = (WIRELESS[(u + f) % len(WIRELESS)] if wireless
                                            else SECURE_ACCESS[(u + f) % len(SECURE_ACCESS)])  # fmt: skip
            # Open faults from the last hours; closed and rejected ones from the last weeks.
            at = now - (timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 12)) if fate in ("closed", "rejected")
                        else timedelta(minutes=rng.randint(20, 300)))  # fmt: skip
            form = {
                "domain": "WIRELESS" if wireless else "SECURE_ACCESS", "category": category, "title": title,
                "level": ("LEVEL_2", "LEVEL_3", "LEVEL_3", "LEVEL_4")[(u + f) % 4], "description": description,
                "occurredAt": (at - timedelta(minutes=rng.randint(5, 60))).isoformat(),
                "iccid": iccid if wireless else None, "accountName": None if wireless else account,
            }  # fmt: skip
            made += await _walk(factory, engine, form, fate, reporter, operator, at)
    made += await _from_alerts(factory, engine, now)
    return made


async def _walk(factory: Callable[[], Any], engine: AsyncEngine, form: dict[str, Any], fate: str, reporter: Any,
                operator: Any, at: datetime) -> int:  # fmt: skip
    number = await numbering.next_number(engine, at)
    async with UnitOfWork(factory) as uow:
        order = await wo.submit(uow, reporter, KIND, form, number=number, now=at)
        oid = order.id
    approvals = {"reviewing": 0, "rectifying": 1, "verifying": 2, "closed": 3, "rejected": 0}[fate]
    comments = ("已确认，安排整改", "已处理：调整基站参数", "复测正常，关闭")
    for i in range(approvals):
        async with UnitOfWork(factory) as uow:
            await wo.approve(uow, operator, oid, comment=comments[i], now=at + timedelta(minutes=40 * (i + 1)))
    if fate == "rejected":
        async with UnitOfWork(factory) as uow:
            await wo.reject(uow, operator, oid, "重复报修，已在其他工单处理 / a duplicate", now=at + timedelta(minutes=30))
    return 1


async def _from_alerts(factory: Callable[[], Any], engine: AsyncEngine, now: datetime) -> int:
    """Two critical alerts with their faults: one from a quarter of an hour ago, one whose response is already late."""
    made = 0
    for minutes, print_, title in (
        (15, "demo:upf:pd-2", "UPF-浦东-2 用户面中断"),
        (150, "demo:zone:1", "安全接入区边界防火墙异常"),
    ):
        fired = now - timedelta(minutes=minutes)
        async with UnitOfWork(factory) as uow:
            alert = await alerts.fire(uow, kind=AlertKind.UPF if "upf" in print_ else AlertKind.SECURE_ACCESS_ZONE,
                                      severity=AlertSeverity.CRITICAL, source="demo-monitor", fingerprint=print_,
                                      title=title, detail="演示数据 / demo data", now=fired)  # fmt: skip
            alert_id = alert.id
        number = await numbering.next_number(engine, fired)
        async with UnitOfWork(factory) as uow:
            made += await service.open_for_alert(uow, alert_id, number, now=fired) is not None
    return made
