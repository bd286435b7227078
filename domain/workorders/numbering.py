"""Work order numbers people can read out on the phone: GD + Beijing date + a 6-digit daily sequence.

GD20261128000042 is the 42nd number handed out on 28 November 2026 (Beijing time). Numbers come
from a per-day counter row incremented in a transaction of their own, so creating orders never
queues behind another creator's open transaction; a number whose order then fails is simply never
used (gap-tolerant, never duplicated: the counter only goes up).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import SHANGHAI, utcnow
from core.db.base import Base
from core.db.engine import WRITER

PREFIX = "GD"


class WorkOrderCounter(Base):
    __tablename__ = "work_order_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD, Beijing time
    last: Mapped[int] = mapped_column(Integer)


def format_number(day: str, n: int) -> str:
    return f"{PREFIX}{day}{n:06d}"


async def next_number(engine: AsyncEngine, at: datetime | None = None) -> str:
    """A fresh number, committed at once (one round trip: upsert ... returning)."""
    day = (at or utcnow()).astimezone(SHANGHAI).strftime("%Y%m%d")
    async with engine.connect() as conn:
        await conn.execution_options(**WRITER)
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(WorkOrderCounter).values(day=day, last=1)
        stmt = stmt.on_conflict_do_update(index_elements=["day"], set_={"last": WorkOrderCounter.last + 1})
        n = (await conn.execute(stmt.returning(WorkOrderCounter.last))).scalar_one()
        await conn.commit()
    return format_number(day, n)
