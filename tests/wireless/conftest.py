"""Wireless fixtures: the plan and application catalogues, and cards registered as carriers issued them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from stdnum import luhn

import tests.workorders.flows  # noqa: F401  (declares the engine's test kinds)
from domain.identity.models import OrgUnit
from domain.wireless import service
from domain.wireless.enums import Carrier, SimCardDomain
from domain.wireless.models import SimPlan
from integrations import registry as platform_registry
from integrations.base.serve import serve
from integrations.base.sim_state import CallbackSettings
from integrations.carriers.gateway import carrier_gateways
from integrations.carriers.simulator import create_carrier_simulator
from integrations.wireless_support.gateway import support_gateway
from integrations.wireless_support.simulator import create_support_simulator
from jobs.interface_log import recorder
from tests.workorders.test_graphql import confirm_client

PLANS = [
    {"carrier": "TELECOM", "code": "TEL-5G-30G", "name": "电信政务专网30G", "monthly_fee": 5000, "data_gb": 30},
    {"carrier": "TELECOM", "code": "TEL-5G-100G", "name": "电信政务专网100G", "monthly_fee": 12000, "data_gb": 100},
    {"carrier": "MOBILE", "code": "MOB-5G-50G", "name": "移动政务专网50G", "monthly_fee": 8000, "data_gb": 50},
    {"carrier": "UNICOM", "code": "UNI-5G-30G", "name": "联通政务专网30G", "monthly_fee": 5600, "data_gb": 30},
    {"carrier": "CBN", "code": "CBN-5G-20G", "name": "广电政务专网20G", "monthly_fee": 3900, "data_gb": 20},
]
APPLICATIONS = [
    {"code": "YWTB", "name": "一网通办", "description": "政务服务一网通办"},
    {"code": "YWTG", "name": "一网统管", "description": "城市运行一网统管"},
    {"code": "ZWWX", "name": "政务微信", "description": None},
]
PREFIX = {Carrier.TELECOM: "898603", Carrier.MOBILE: "898600", Carrier.UNICOM: "898601", Carrier.CBN: "898615"}


def issued(n: int, carrier: Carrier = Carrier.TELECOM, holder: str | None = None) -> service.IssuedCard:
    body = f"{PREFIX[carrier]}{n:012d}"  # 18 digits + the check digit = 19
    return service.IssuedCard(
        iccid=body + luhn.calc_check_digit(body), msisdn=f"1330{n:07d}", imsi=f"46011{n:010d}",
        holder_name=holder or f"持卡人{n}", holder_phone=f"1380000{n:04d}",
    )  # fmt: skip


class Registry:
    def __init__(self, services: Any) -> None:
        self.services = services

    async def plan_id(self, code: str) -> int:
        async with self.services.session_factory() as s:
            return (await s.execute(select(SimPlan.id).where(SimPlan.code == code))).scalar_one()

    async def unit_id(self, code: str) -> int:
        async with self.services.session_factory() as s:
            return (await s.execute(select(OrgUnit.id).where(OrgUnit.code == code))).scalar_one()

    async def cards(self, unit: str, numbers: range, carrier: Carrier = Carrier.TELECOM, plan: str = "TEL-5G-30G",
                    domain: SimCardDomain = SimCardDomain.SINGLE) -> list[int]:  # fmt: skip
        plan_id, unit_id = await self.plan_id(plan), await self.unit_id(unit)
        ids = []
        async with self.services.unit_of_work() as uow:
            for n in numbers:
                card = await service.register(
                    uow, issued(n, carrier), carrier=carrier, domain=domain, plan_id=plan_id, unit_id=unit_id
                )
                ids.append(card.id)
        return ids


@pytest.fixture
async def registry(demo: Any) -> Registry:
    async with demo.unit_of_work() as uow:
        await service.ensure_catalog(uow, PLANS, APPLICATIONS)
    return Registry(demo)


@dataclass
class Platforms:
    carriers: dict[str, Any]
    support: Any
    gate: asyncio.Event  # callbacks wait for it: a test holds them to see the order waiting


@pytest.fixture
async def platforms(registry: Any, app: Any) -> AsyncIterator[Platforms]:
    services = registry.services
    client = await confirm_client(
        services, app, ("carrier_cbn", "carrier_telecom", "carrier_mobile", "carrier_unicom", "wireless_support")
    )
    transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 443))

    gate = asyncio.Event()
    gate.set()

    async def send(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        await gate.wait()
        async with httpx.AsyncClient(transport=transport, base_url="http://govops") as http:
            return await http.post("/graphql", content=body, headers=headers)

    callback = CallbackSettings(url="http://govops/graphql", api_key=client["key"], secret=client["secret"],
                                document_hash=client["document"], delay_seconds=0, send=send)  # fmt: skip
    apps = {
        c: create_carrier_simulator(c, callback=callback, seed=i) for i, c in enumerate(("TELECOM", "MOBILE", "UNICOM", "CBN"))
    }
    support = create_support_simulator(
        callback=callback, alert_document_hash=services.documents.by_name["WirelessSecurityAlertPush"].id
    )
    async with (
        serve(apps["TELECOM"]) as tel, serve(apps["MOBILE"]) as mob, serve(apps["UNICOM"]) as uni, serve(apps["CBN"]) as cbn,
        serve(support) as sup,
    ):  # fmt: skip
        urls = {"TELECOM": tel, "MOBILE": mob, "UNICOM": uni, "CBN": cbn}
        gateways = [*carrier_gateways(urls, recorder(services.session_factory), timeout=2),
                    support_gateway(sup, recorder(services.session_factory), timeout=2)]  # fmt: skip
        for gateway in gateways:
            platform_registry.register(gateway)
        try:
            yield Platforms(apps, support, gate)
        finally:
            for gateway in gateways:
                platform_registry.unregister(gateway.platform)
                await gateway.client.close()
