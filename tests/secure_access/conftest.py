"""Secure access fixtures: the application catalogue, the support platform simulator with its gateway, and accounts
registered as the platform opened them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.clock import SHANGHAI, utcnow
from domain.catalog import repository as catalog
from domain.catalog.models import Application
from domain.identity.models import OrgUnit
from domain.secure_access import service
from integrations import registry as platform_registry
from integrations.base.serve import serve
from integrations.secure_access_support.gateway import secure_access_gateway
from integrations.secure_access_support.simulator import create_secure_access_simulator
from jobs.interface_log import recorder

SYSTEMS = [
    {"code": "OA", "name": "协同办公", "description": "市级协同办公系统"},
    {"code": "GOV-MAIL", "name": "政务邮箱", "description": None},
    {"code": "CITY-BRAIN", "name": "城市大脑", "description": None},
]
# Valid resident ID numbers (GB 11643 check digits).
ID_NUMBERS = ["11010519491231002X", "310101198505050013", "110105197001010038"]


def today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def opening(macs: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """An open form: one holder, two terminals, two systems, a year's validity."""
    return {
        "holder": {"name": "陈静", "phone": "13912345678", "idNumber": ID_NUMBERS[0]},
        "macs": macs if macs is not None else ["3c-22-fb-11-22-33", "3C:22:FB:44:55:66"], "systems": ["OA", "GOV-MAIL"],
        "validFrom": today().isoformat(), "validTo": (today() + timedelta(days=365)).isoformat(), "reason": "远程办公",
        **extra,
    }  # fmt: skip


class Registry:
    def __init__(self, services: Any) -> None:
        self.services = services

    async def accounts(self, unit: str, numbers: range, valid_days: int = 365) -> list[int]:
        """Accounts straight into the registry (as if the platform had opened them), two MACs and one system each."""
        async with self.services.unit_of_work() as uow:
            unit_id = (await uow.session.execute(select(OrgUnit.id).where(OrgUnit.code == unit))).scalar_one()
            oa = (await uow.session.execute(select(Application.id).where(Application.code == "OA"))).scalar_one()
            ids = []
            for n in numbers:
                account = await service.register(uow, service.NewAccount(
                    account_name=f"JR{n:08d}", holder_name=f"用户{n}", holder_phone=f"1390000{n:04d}",
                    holder_id_number=ID_NUMBERS[n % len(ID_NUMBERS)], unit_id=unit_id,
                    macs=[f"3C:22:FB:{n // 256 % 256:02X}:{n % 256:02X}:01", f"3C:22:FB:{n // 256 % 256:02X}:{n % 256:02X}:02"],
                    application_ids=[oa], valid_from=today(), valid_to=today() + timedelta(days=valid_days),
                ))  # fmt: skip
                ids.append(account.id)
        return ids


@pytest.fixture
async def registry(demo: Any) -> Registry:
    async with demo.unit_of_work() as uow:
        await catalog.ensure(uow, SYSTEMS)
    return Registry(demo)


@pytest.fixture
async def platform(registry: Any) -> AsyncIterator[Any]:
    """The secure access support platform, served over HTTP, its gateway registered; yields the simulator app."""
    app = create_secure_access_simulator(seed=3)
    async with serve(app) as url:
        gateway = secure_access_gateway(url, recorder(registry.services.session_factory), timeout=2)
        platform_registry.register(gateway)
        try:
            yield app
        finally:
            platform_registry.unregister(gateway.platform)
            await gateway.client.close()
