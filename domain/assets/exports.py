"""The asset register as an export (资产台账): the same filter as `assets`, and exactly the import's columns and cell
values (Chinese names for the service domain and the status, the unit's code, the parent's serial), so a register
exported, corrected in Excel and imported again changes only what was corrected. Derived values (type, end of life)
are not columns: the import would have to ignore them, and a person would wonder why an edit there did nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.db.engine import Db
from core.db.pagination import MAX_PAGE, PageRequest, encode_cursor
from domain.assets import repository as repo
from domain.assets import transfer
from domain.assets.enums import STATUS_NAMES, AssetSort
from domain.assets.records import AssetModelRecord, AssetRecord
from domain.catalog.enums import DOMAIN_NAMES
from domain.exports import params
from domain.exports.registry import Exporter, Rows, register
from domain.identity import repository as identity
from domain.identity.actor import Actor

BATCH = MAX_PAGE  # assets per batch: one page of the list, then one statement per relation


def to_params(f: repo.AssetFilter) -> dict[str, Any]:
    """The filter as stored with the export and its audit record (JSON): enums by value, dates as ISO text; what
    is not set is left out."""
    return params.to_params(f)


def from_params(values: dict[str, Any]) -> repo.AssetFilter:
    return params.from_params(repo.AssetFilter, values)


def _row(a: AssetRecord, model: AssetModelRecord | None, unit: str | None, parent: str | None) -> Sequence[Any]:
    """Cells as the import reads them: in transfer.COLUMNS order, empty cells as None."""
    return (
        a.serial, a.name, DOMAIN_NAMES[a.domain], model.vendor if model else None, model.model if model else None, unit,
        a.location, STATUS_NAMES[a.status], a.commissioned_on, a.warranty_until, parent, a.software_version,
        a.management_ip, a.notes,
    )  # fmt: skip


async def _count(db: Db, actor: Actor, params: dict[str, Any]) -> int:
    return await repo.count_assets(db, actor, from_params(params))


async def _rows(db: Db, actor: Actor, params: dict[str, Any]) -> Rows:
    """Keyset batches by serial, each with the models, units and parents it needs in one statement apiece (models
    and units are few: those already fetched are kept for the later batches)."""
    f, after = from_params(params), None
    models: dict[int, AssetModelRecord] = {}
    units: dict[int, str] = {}
    while True:
        page = await repo.list_assets(db, actor, f, AssetSort.SERIAL_ASC, PageRequest(BATCH, after))
        if not page.items:
            return
        if missing := {a.model_id for a in page.items} - models.keys():
            models |= await repo.models_by_ids(db, missing)
        if missing := {a.unit_id for a in page.items} - units.keys():
            units |= {i: u.code for i, u in (await identity.units_by_ids(db, actor, missing)).items()}
        serials = {a.id: a.serial for a in page.items}
        if missing := {a.parent_id for a in page.items if a.parent_id is not None} - serials.keys():
            serials |= {i: p.serial for i, p in (await repo.assets_by_ids(db, actor, missing)).items()}
        yield [
            _row(a, models.get(a.model_id), units.get(a.unit_id), serials.get(a.parent_id) if a.parent_id else None)
            for a in page.items
        ]
        if not page.has_next_page:
            return
        after = encode_cursor(page.keys[-1])


EXPORTER = register(Exporter("assets", "资产台账", "assets.view_assets", transfer.COLUMNS, _count, _rows))
