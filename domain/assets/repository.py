"""Reads of assets: the ones a viewer may see (their unit subtree's; every one for the management unit), filtered and
keyset-paged, each relation in one statement whatever the page size, and the statistics by domain, type, age band
and status (an asset's faults and MTBF are the faults repository's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from core.db.engine import Db
from core.db.pagination import InvalidCursor, Page, PageRequest, decode_cursor, to_page
from domain.assets.enums import AssetSort, AssetStatus, AssetType
from domain.assets.models import Asset, AssetEvent, AssetInspection, AssetModel, AssetUpgrade
from domain.assets.records import AssetEventRecord, AssetInspectionRecord, AssetModelRecord, AssetRecord, AssetUpgradeRecord
from domain.catalog.enums import ServiceDomain
from domain.identity.actor import Actor
from domain.identity.repository import in_readable_units

AS = Asset.__table__.c
AM = AssetModel.__table__.c
EV = AssetEvent.__table__.c
UP = AssetUpgrade.__table__.c
IN = AssetInspection.__table__.c
ASSET_COLS = [
    AS.id, AS.serial, AS.name, AS.model_id, AS.domain, AS.unit_id, AS.location, AS.status, AS.commissioned_on,
    AS.warranty_until, AS.end_of_life, AS.parent_id, AS.software_version, AS.management_ip, AS.notes, AS.created_at,
    AS.updated_at, AS.version,
]  # fmt: skip
MODEL_COLS = [AM.id, AM.vendor, AM.model, AM.type, AM.hardware, AM.software, AM.lifespan_years, AM.end_of_support,
              AM.created_at, AM.updated_at]  # fmt: skip
AGE_BANDS = ((0, 3, "0-3"), (3, 5, "3-5"), (5, 8, "5-8"), (8, 200, "8+"))  # years in service


def readable(actor: Actor) -> ColumnElement[bool]:
    return in_readable_units(actor, AS.unit_id)


@dataclass(frozen=True, slots=True)
class AssetFilter:
    domains: tuple[ServiceDomain, ...] = ()
    types: tuple[AssetType, ...] = ()
    statuses: tuple[AssetStatus, ...] = ()
    unit_id: int | None = None
    model_id: int | None = None
    vendor: str | None = None
    serial: str | None = None  # exact
    keyword: str | None = None  # in the name or location
    parent_id: int | None = None  # installed in this asset
    end_of_life_before: date | None = None  # reaches its end of life before this day
    warranty_before: date | None = None  # its warranty ends before this day


def conditions(actor: Actor, f: AssetFilter) -> list[ColumnElement[bool]]:
    where = [readable(actor)]
    for column, values in ((AS.domain, f.domains), (AS.status, f.statuses)):
        if values:
            where.append(column.in_(values))
    if f.types or f.vendor:
        models = select(AM.id)
        if f.types:
            models = models.where(AM.type.in_(f.types))
        if f.vendor:
            models = models.where(AM.vendor == f.vendor.strip())
        where.append(AS.model_id.in_(models.scalar_subquery()))
    for column, value in ((AS.unit_id, f.unit_id), (AS.model_id, f.model_id), (AS.parent_id, f.parent_id)):
        if value is not None:
            where.append(column == value)
    if f.serial:
        where.append(AS.serial == f.serial.strip().upper())
    if f.keyword:
        text = f.keyword.strip()
        where.append(or_(AS.name.contains(text, autoescape=True), AS.location.contains(text, autoescape=True)))
    if f.end_of_life_before is not None:
        where.append(AS.end_of_life < f.end_of_life_before)
    if f.warranty_before is not None:
        where.append(AS.warranty_until < f.warranty_before)
    return where


async def list_assets(db: Db, actor: Actor, f: AssetFilter, sort: AssetSort, page: PageRequest) -> Page[AssetRecord]:
    """A page of the assets the actor may see: by serial, newest first, or soonest end of life first (keyset)."""
    stmt: Select[Any] = select(*ASSET_COLS).where(*conditions(actor, f))
    if page.after is not None:
        try:
            value, last_id = decode_cursor(page.after, 2)
            last_id = int(last_id)
        except (TypeError, ValueError) as exc:
            raise InvalidCursor(page.after) from exc
        if sort is AssetSort.SERIAL_ASC:
            stmt = stmt.where(AS.serial > value)
        elif sort is AssetSort.CREATED_DESC:
            stmt = stmt.where(AS.id < last_id)
        else:  # END_OF_LIFE_ASC: assets with no end of life come last (as 9999-12-31)
            eol = date.fromisoformat(value)
            key = func.coalesce(AS.end_of_life, date(9999, 12, 31))
            stmt = stmt.where(or_(key > eol, and_(key == eol, AS.id > last_id)))
    order = {
        AssetSort.SERIAL_ASC: [AS.serial], AssetSort.CREATED_DESC: [AS.id.desc()],
        AssetSort.END_OF_LIFE_ASC: [func.coalesce(AS.end_of_life, date(9999, 12, 31)), AS.id],
    }[sort]  # fmt: skip
    rows = list(await db.execute(stmt.order_by(*order).limit(page.first + 1)))
    items = [AssetRecord(*r) for r in rows]

    def key(r: AssetRecord) -> tuple[Any, ...]:
        if sort is AssetSort.SERIAL_ASC:
            return (r.serial, r.id)
        if sort is AssetSort.CREATED_DESC:
            return (r.id, r.id)
        return ((r.end_of_life or date(9999, 12, 31)).isoformat(), r.id)

    return to_page(rows, items, key, page)


async def count_assets(db: Db, actor: Actor, f: AssetFilter) -> int:
    stmt = select(func.count()).select_from(Asset.__table__).where(*conditions(actor, f))
    return int((await db.execute(stmt)).scalar_one())


async def assets_by_ids(db: Db, actor: Actor, ids: Iterable[int]) -> dict[int, AssetRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await db.execute(select(*ASSET_COLS).where(AS.id.in_(wanted), readable(actor)))
    return {r.id: AssetRecord(*r) for r in rows}


async def children_by_assets(db: Db, actor: Actor, ids: Iterable[int]) -> dict[int, list[AssetRecord]]:
    wanted = sorted(set(ids))
    out: dict[int, list[AssetRecord]] = {i: [] for i in wanted}
    if wanted:
        for r in await db.execute(select(*ASSET_COLS).where(AS.parent_id.in_(wanted), readable(actor)).order_by(AS.serial)):
            out[r.parent_id].append(AssetRecord(*r))
    return out


async def models_by_ids(db: Db, ids: Iterable[int]) -> dict[int, AssetModelRecord]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {r.id: AssetModelRecord(*r) for r in await db.execute(select(*MODEL_COLS).where(AM.id.in_(wanted)))}


async def list_models(db: Db, vendor: str | None = None, types: tuple[AssetType, ...] = ()) -> list[AssetModelRecord]:
    stmt = select(*MODEL_COLS)
    if vendor:
        stmt = stmt.where(AM.vendor == vendor.strip())
    if types:
        stmt = stmt.where(AM.type.in_(types))
    return [AssetModelRecord(*r) for r in await db.execute(stmt.order_by(AM.vendor, AM.model))]


async def _children(db: Db, table: Any, cols: list[Any], record: Any, ids: Iterable[int]) -> dict[int, list[Any]]:
    wanted = sorted(set(ids))
    out: dict[int, list[Any]] = {i: [] for i in wanted}
    if wanted:
        for r in await db.execute(select(*cols).where(table.c.asset_id.in_(wanted)).order_by(table.c.asset_id, table.c.id)):
            out[r.asset_id].append(record(*r))
    return out


async def events_by_assets(db: Db, ids: Iterable[int]) -> dict[int, list[AssetEventRecord]]:
    cols = [EV.id, EV.asset_id, EV.kind, EV.actor_name, EV.at, EV.detail]
    return await _children(db, AssetEvent.__table__, cols, AssetEventRecord, ids)


async def upgrades_by_assets(db: Db, ids: Iterable[int]) -> dict[int, list[AssetUpgradeRecord]]:
    cols = [UP.id, UP.asset_id, UP.from_version, UP.to_version, UP.order_id, UP.note, UP.actor_name, UP.at]
    return await _children(db, AssetUpgrade.__table__, cols, AssetUpgradeRecord, ids)


async def inspections_by_assets(db: Db, ids: Iterable[int]) -> dict[int, list[AssetInspectionRecord]]:
    cols = [IN.id, IN.asset_id, IN.kind, IN.result, IN.checklist, IN.photos, IN.note, IN.inspector_name, IN.at]
    return await _children(db, AssetInspection.__table__, cols, AssetInspectionRecord, ids)


# --- statistics -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistics:
    total: int
    by_domain: list[tuple[str, int]]
    by_type: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    by_age: list[tuple[str, int]]  # years in service: 0-3, 3-5, 5-8, 8+, and "-" for never commissioned
    past_end_of_life: int  # not retired, past their end of life
    warranty_expired: int  # not retired, warranty over


def age_band(commissioned_on: date | None, today: date) -> str:
    if commissioned_on is None:
        return "-"
    years = (today - commissioned_on).days / 365.25
    return next(label for low, high, label in AGE_BANDS if low <= years < high)


async def statistics(db: Db, actor: Actor, f: AssetFilter, today: date) -> Statistics:
    where = conditions(actor, f)

    async def grouped(column: Any, base: Any = None) -> list[tuple[str, int]]:
        stmt = select(column, func.count()).where(*where)
        if base is not None:
            stmt = stmt.select_from(base)
        rows = await db.execute(stmt.group_by(column).order_by(func.count().desc(), column))
        return [(getattr(k, "value", k), int(n)) for k, n in rows]

    by_type = await grouped(AM.type, Asset.__table__.join(AssetModel.__table__, AM.id == AS.model_id))
    live = AS.status != AssetStatus.RETIRED
    total, past_eol, warranty_over = (await db.execute(select(
        func.count(), func.count().filter(live, AS.end_of_life < today), func.count().filter(live, AS.warranty_until < today),
    ).where(*where))).one()  # fmt: skip
    ages: Counter[str] = Counter()
    # Commissioning dates grouped in SQL, banded here: the same on both backends.
    for commissioned, n in await db.execute(select(AS.commissioned_on, func.count()).where(*where).group_by(AS.commissioned_on)):
        ages[age_band(commissioned, today)] += int(n)
    order = [label for _, _, label in AGE_BANDS] + ["-"]
    return Statistics(
        total=int(total), by_domain=await grouped(AS.domain), by_type=by_type, by_status=await grouped(AS.status),
        by_age=[(label, ages[label]) for label in order if ages[label]], past_end_of_life=int(past_eol),
        warranty_expired=int(warranty_over),
    )  # fmt: skip
