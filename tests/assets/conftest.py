"""Asset fixtures: a small equipment catalogue and helpers to register assets as the management unit would."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from domain.assets import service
from domain.assets.enums import AssetStatus, AssetType
from domain.catalog.enums import ServiceDomain
from domain.identity.models import OrgUnit
from tests.workorders.helpers import actor


class Catalogue:
    def __init__(self, services: Any, models: dict[str, int]) -> None:
        self.services, self.models = services, models
        self.pd = 0  # D-PD's id, set by the fixture

    async def unit(self, code: str) -> int:
        async with self.services.session_factory() as s:
            return int((await s.execute(select(OrgUnit.id).where(OrgUnit.code == code))).scalar_one())

    async def asset(self, serial: str, *, model: str = "NE40E", unit: str = "D-PD", commissioned: date | None = None,
                    warranty: date | None = None, status: AssetStatus = AssetStatus.IN_SERVICE,
                    domain: ServiceDomain = ServiceDomain.FIBER, parent: int | None = None) -> int:  # fmt: skip
        who = await actor(self.services, "operator")
        fields = service.AssetFields(
            serial=serial, name=f"设备 {serial}", model_id=self.models[model], domain=domain, unit_id=await self.unit(unit),
            status=status, commissioned_on=commissioned or date(2020, 1, 1), warranty_until=warranty, parent_id=parent,
            location="核心机房",
        )  # fmt: skip
        async with self.services.unit_of_work() as uow:
            return (await service.create(uow, who, fields)).id


@pytest.fixture
async def catalogue(demo: Any) -> Catalogue:
    """Two models: a router with an eight-year life, and a line card with five."""
    who = await actor(demo, "operator")
    models = {}
    async with demo.unit_of_work() as uow:
        for name, kind, years in (("NE40E", AssetType.ROUTER, 8), ("LPU-48", AssetType.MODULE, 5)):
            model = await service.save_model(uow, who, service.ModelFields("华为", name, kind, years, software="V800R021"))
            models[name] = model.id
    made = Catalogue(demo, models)
    made.pd = await made.unit("D-PD")
    return made
