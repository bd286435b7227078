"""Reading and growing the application catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.db.engine import Db
from core.db.uow import UnitOfWork
from domain.catalog.enums import CatalogStatus
from domain.catalog.models import Application

A = Application.__table__.c
APP_COLS = [A.id, A.code, A.name, A.description, A.owner_unit_id, A.status]


@dataclass(slots=True, eq=False)
class ApplicationRecord:
    id: int
    code: str
    name: str
    description: str | None
    owner_unit_id: int | None
    status: CatalogStatus


async def applications(db: Db) -> list[ApplicationRecord]:
    """The whole catalogue, by code."""
    return [ApplicationRecord(*r) for r in await db.execute(select(*APP_COLS).order_by(A.code))]


async def offered(session: Any, codes: list[str]) -> tuple[list[Application], list[str]]:
    """The applications named, in the order given, and the codes that are unknown or retired."""
    found = {a.code: a for a in (await session.execute(select(Application).where(Application.code.in_(codes)))).scalars()}
    unknown = [c for c in codes if c not in found or found[c].status is not CatalogStatus.ACTIVE]
    return [found[c] for c in codes if c in found], unknown


async def ensure(uow: UnitOfWork, entries: list[dict[str, Any]], now: datetime | None = None) -> None:
    """Add the applications that are missing (by code); existing entries keep what people edited."""
    now = now or utcnow()
    have = set((await uow.session.execute(select(Application.code))).scalars())
    for a in entries:
        if a["code"] not in have:
            uow.session.add(Application(code=a["code"], name=a["name"], description=a.get("description"),
                                        status=CatalogStatus.ACTIVE, created_at=now))  # fmt: skip
