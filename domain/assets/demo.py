"""Demo assets at the customer's scale: a catalogue of the vendors' models, 2,600 fibre assets (routers, switches,
OLTs and firewalls, with their line cards installed in them), 200 wireless ones (UPFs, base stations) and 60 secure
access gateways, spread over the units, commissioned over the last ten years (so some reach their end of life or
warranty end soon and the reminders have work)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from core.clock import beijing_today, utcnow
from core.db.uow import UnitOfWork
from domain.assets.enums import AssetEventKind, AssetStatus, AssetType
from domain.assets.models import Asset, AssetEvent, AssetModel
from domain.assets.service import end_of_life
from domain.catalog.enums import ServiceDomain
from domain.identity.enums import OrgUnitKind
from domain.identity.models import OrgUnit

# (vendor, model, type, hardware, software, service life in years, end of support (years from today) or None)
MODELS = [
    ("华为", "NE40E-X8A", AssetType.ROUTER, "8槽位, 双主控, 100GE", "VRP V800R021", 8, None),
    ("华为", "S12708", AssetType.SWITCH, "8业务槽, 40GE/100GE", "VRP V200R021", 8, None),
    ("华为", "MA5800-X17", AssetType.OPTICAL, "17槽位 OLT, GPON/XG-PON", "MA5800 V100R021", 10, None),
    ("华为", "USG6680E", AssetType.FIREWALL, "40G吞吐, 双电源", "USG V600R007", 6, 2),
    ("新华三", "S10508", AssetType.SWITCH, "8业务槽, 双主控", "Comware V7", 8, None),
    ("新华三", "SR8808-X", AssetType.ROUTER, "8槽位 核心路由器", "Comware V7", 8, None),
    ("中兴", "ZXA10 C600", AssetType.OPTICAL, "OLT, 16槽位", "V1.2", 10, None),
    ("烽火", "AN6000-17", AssetType.OPTICAL, "17槽位 OLT", "RP0800", 10, 1),
    ("华为", "CE-L48GT", AssetType.MODULE, "48口千兆业务板", None, 8, None),
    ("华为", "UDG UPF", AssetType.UPF, "UPF 用户面, 200Gbps", "UDG 21.1", 6, None),
    ("中兴", "ZXRAN Qcell", AssetType.BASE_STATION, "5G 室分 QCell", "V5.65", 8, None),
    ("深信服", "SSL VPN M5400", AssetType.SECURITY_GATEWAY, "安全接入网关, 5000并发", "SSL 7.6", 5, None),
    ("奇安信", "SecGate 3600", AssetType.FIREWALL, "边界防火墙, 20G吞吐", "NSG 6.0", 6, None),
]
FIBER = [0, 1, 2, 3, 4, 5, 6, 7, 12]  # indexes of the fibre models (line cards go into the chassis)
COUNTS = {ServiceDomain.FIBER: 2600, ServiceDomain.WIRELESS: 200, ServiceDomain.SECURE_ACCESS: 60}
ROOMS = ["机房A", "机房B", "汇聚机房", "核心机房", "弱电间"]


def _years_before(day: date, years: float) -> date:
    return day - timedelta(days=int(years * 365.25))


async def seed(uow: UnitOfWork, seed: int = 2026) -> int:
    """The catalogue and the demo assets, once (none when any asset exists); returns how many assets were made."""
    s = uow.session
    if (await s.execute(select(func.count()).select_from(Asset))).scalar_one():
        return 0
    rng, now, today = random.Random(seed), utcnow(), beijing_today()
    units = [(u.id, u.name) for u in (await s.execute(select(OrgUnit).order_by(OrgUnit.id))).scalars()
             if u.kind is OrgUnitKind.ACCESS_UNIT]  # fmt: skip
    center = (await s.execute(select(OrgUnit.id).where(OrgUnit.kind == OrgUnitKind.MANAGEMENT).order_by(OrgUnit.path)
                              .limit(1))).scalar_one_or_none()  # fmt: skip
    if not units or center is None:
        return 0
    models = []
    for vendor, name, kind, hardware, software, life, eos in MODELS:
        model = AssetModel(vendor=vendor, model=name, type=kind, hardware=hardware, software=software, lifespan_years=life,
                           end_of_support=today + timedelta(days=365 * eos - 40) if eos else None, created_at=now,
                           updated_at=now)  # fmt: skip
        s.add(model)
        models.append(model)
    await s.flush()
    rows: list[dict[str, Any]] = []
    n = 0
    for domain, count in COUNTS.items():
        for _ in range(count):
            n += 1
            if domain is ServiceDomain.FIBER:
                model = models[rng.choice(FIBER)]
            elif domain is ServiceDomain.WIRELESS:
                model = models[9] if rng.random() < 0.1 else models[10]
            else:
                model = models[11]
            # Skewed: the big districts and bureaus hold most of the equipment; core routers sit at the center.
            unit_id, unit_name = units[min(int(rng.expovariate(0.12)), len(units) - 1)]
            if model.type is AssetType.ROUTER and rng.random() < 0.5:
                unit_id, unit_name = center, "大数据中心"
            commissioned = _years_before(today, rng.uniform(0.2, model.lifespan_years + 0.3))
            status = (
                AssetStatus.IN_SERVICE if rng.random() < 0.93 else rng.choice([AssetStatus.IN_STOCK, AssetStatus.UNDER_REPAIR])
            )
            rows.append({
                "serial": f"{_prefix(model.vendor)}{2015 + n % 11}{n:07d}", "name": f"{unit_name}{model.model}-{n % 97 + 1}",
                "model_id": model.id, "domain": domain, "unit_id": unit_id, "location": f"{unit_name}{rng.choice(ROOMS)}",
                "status": status, "commissioned_on": None if status is AssetStatus.IN_STOCK else commissioned,
                "warranty_until": commissioned + timedelta(days=365 * rng.choice((3, 3, 5))),
                "end_of_life": end_of_life(model, None if status is AssetStatus.IN_STOCK else commissioned),
                "parent_id": None, "software_version": model.software, "management_ip": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                "notes": None, "created_at": now, "updated_at": now, "version": 1,
            })  # fmt: skip
    await s.execute(insert(Asset), rows)
    made = len(rows)
    # Line cards installed in some of the fibre chassis.
    chassis = list(await s.execute(select(Asset.id, Asset.unit_id, Asset.commissioned_on, Asset.location).join(
        AssetModel, AssetModel.id == Asset.model_id).where(AssetModel.type == AssetType.SWITCH).order_by(Asset.id).limit(120)))  # fmt: skip
    card = models[8]
    cards = [{
        "serial": f"HWBD{2020 + i % 5}{i:07d}", "name": f"48口业务板-{i + 1}", "model_id": card.id, "domain": ServiceDomain.FIBER,
        "unit_id": unit_id, "location": location, "status": AssetStatus.IN_SERVICE, "commissioned_on": commissioned,
        "warranty_until": commissioned + timedelta(days=365 * 3) if commissioned else None,
        "end_of_life": end_of_life(card, commissioned), "parent_id": parent, "software_version": None, "management_ip": None,
        "notes": None, "created_at": now, "updated_at": now, "version": 1,
    } for i, (parent, unit_id, commissioned, location) in enumerate(chassis) if commissioned is not None]  # fmt: skip
    if cards:
        await s.execute(insert(Asset), cards)
    made += len(cards)
    ids = list((await s.execute(select(Asset.id))).scalars())
    await s.execute(insert(AssetEvent), [{"asset_id": i, "kind": AssetEventKind.CREATED, "actor_id": None,
                                          "actor_name": "系统", "at": now, "detail": {"demo": True}} for i in ids])  # fmt: skip
    return made


def _prefix(vendor: str) -> str:
    return {"华为": "HW", "新华三": "H3C", "中兴": "ZTE", "烽火": "FH", "深信服": "SXF", "奇安信": "QAX"}.get(vendor, "AS")
