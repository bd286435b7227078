"""The asset workbook (资产台账导入): one .xlsx sheet, a row per asset, the same columns as the export, so a
register exported, corrected in Excel and imported again changes exactly what was corrected.

All rows or none: every row is checked against the catalogue, the units, the existing assets and the rest of the
workbook, and every problem is reported by sheet row and column header. Any problem imports nothing, so a person
fixes the workbook and imports it again instead of hunting down which half went in. A row whose serial is
registered updates that asset (through the same checks as the form); any other row registers a new one. The
lookups are done in bulk, a statement per kind (per 5,000 values) whatever the number of rows: a district's
register runs to thousands of rows.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from core.errors import DomainError
from domain.assets import service
from domain.assets.enums import STATUS_NAMES, AssetEventKind, AssetStatus
from domain.assets.errors import Code, error
from domain.assets.models import Asset, AssetModel
from domain.catalog.enums import DOMAIN_NAMES, ServiceDomain
from domain.identity.actor import Actor
from domain.identity.journal import record_change
from domain.identity.models import OrgUnit

COLUMNS: list[tuple[str, int]] = [
    ("序列号", 22), ("资产名称", 30), ("业务域", 18), ("厂商", 10), ("型号", 18), ("使用单位编码", 14), ("安装位置", 28),
    ("状态", 8), ("投运日期", 12), ("保修截止", 12), ("上级资产序列号", 22), ("软件版本", 18), ("管理地址", 18), ("备注", 40),
]  # fmt: skip
(SERIAL, NAME, DOMAIN, VENDOR, MODEL, UNIT, LOCATION, STATUS, COMMISSIONED, WARRANTY, PARENT, SOFTWARE, ADDRESS,
 NOTES) = (header for header, _ in COLUMNS)  # fmt: skip
REQUIRED = (SERIAL, NAME, DOMAIN, VENDOR, MODEL, UNIT, STATUS)
MAX_ROWS = 20_000
CHUNK = 5_000  # values per IN (...): well within SQLite's and asyncpg's parameter limits
# service.problems() names the form's fields; a workbook names its columns.
FIELD_COLUMNS = {
    "serial": SERIAL, "name": NAME, "location": LOCATION, "commissionedOn": COMMISSIONED, "warrantyUntil": WARRANTY,
    "softwareVersion": SOFTWARE, "managementIp": ADDRESS, "notes": NOTES,
}  # fmt: skip
DOMAINS = {name: d for d, name in DOMAIN_NAMES.items()} | {d.value: d for d in ServiceDomain}
STATUSES = {name: s for s, name in STATUS_NAMES.items()} | {s.value: s for s in AssetStatus}
DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
FORMULA = ("=", "+", "-", "@")  # the export quotes text starting with these (core.xlsx): the quote is not the value

REQUIRED_MESSAGE = "必填 / Required"
SCOPE_MESSAGE = "单位不存在或不在您的数据范围内 / No such unit in your data scope"


@dataclass
class Problem:
    row: int  # the sheet row: 1 is the header
    column: str  # the column's header
    message: str  # Chinese / English


@dataclass
class ImportReport:
    rows: int  # data rows read (empty rows are skipped)
    created: int  # 0 when there are problems or on a dry run
    updated: int  # assets a row actually changed
    problems: list[Problem]


@dataclass
class _Row:
    """One data row, its cells parsed; None where a cell is empty or could not be read (the problem is noted)."""

    number: int
    serial_text: str | None
    serial: str | None  # as stored (upper case), None when not a serial
    name: str | None
    domain: ServiceDomain | None
    vendor: str | None
    model: str | None
    unit_code: str | None
    location: str | None
    status: AssetStatus | None
    commissioned_on: date | None
    warranty_until: date | None
    parent_text: str | None
    parent: str | None  # the parent's serial as stored
    software_version: str | None
    management_ip: str | None
    notes: str | None


class _Problems:
    """The report's problems, one per cell: the first found is the one to fix (a malformed date is not also
    reported as a missing one)."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self._cells: set[tuple[int, str]] = set()

    def add(self, row: int, column: str, message: str) -> None:
        if (row, column) not in self._cells:
            self._cells.add((row, column))
            self.items.append(Problem(row, column, message))

    def __bool__(self) -> bool:
        return bool(self.items)


# --- reading the sheet ------------------------------------------------------------------------------------------


def _read(content: bytes) -> tuple[list[Any], list[tuple[int, Sequence[Any]]]]:
    """The header cells and the non-empty data rows (with their sheet row numbers) of the first sheet. Runs in a
    worker thread: parsing a large workbook would otherwise hold up every other request on the event loop."""
    not_a_workbook = "不是有效的.xlsx工作簿 / Not an .xlsx workbook"
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a zip that is no workbook, a workbook that is no zip, broken XML: openpyxl raises them all
        raise error(Code.INVALID_INPUT, not_a_workbook, "upload") from exc
    header: list[Any] | None = None
    rows: list[tuple[int, Sequence[Any]]] = []
    try:
        if not book.worksheets:
            raise error(Code.INVALID_INPUT, "工作簿没有工作表 / The workbook has no sheet", "upload")
        sheet = book.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # the stored dimension may be wrong (other tools write "A1"): read every cell
        for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
            if header is None:
                header = list(cells)
            elif not all(_blank(c) for c in cells):
                if len(rows) == MAX_ROWS:
                    raise error(Code.INVALID_INPUT, f"最多导入{MAX_ROWS}行 / At most {MAX_ROWS} rows per workbook", "upload")
                rows.append((number, cells))
    except DomainError:
        raise
    except Exception as exc:  # the sheet's XML is read lazily, row by row: it may break half-way
        raise error(Code.INVALID_INPUT, not_a_workbook, "upload") from exc
    finally:
        book.close()
    if header is None or all(_blank(c) for c in header):
        if rows:
            raise error(Code.INVALID_INPUT, "第1行须为列标题 / Row 1 must hold the column headers", "upload")
        raise error(Code.INVALID_INPUT, "工作表为空 / The sheet is empty", "upload")
    return header, rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any, *, strip: bool = True) -> str | None:
    """A cell as text (None when empty). Whole numbers typed into Excel come back as floats: 12345.0 is 12345."""
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    text = str(value)
    if text[:1] == "'" and text[1:2] in FORMULA:
        text = text[1:]
    return text.strip() if strip else text


def _day(value: Any) -> tuple[date | None, bool]:
    """(the date, whether the cell was one): an Excel date, or text such as 2024-05-01 (or 2024/5/1)."""
    if _blank(value):
        return None, True
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    if isinstance(value, str):
        found = DAY.match(value.strip())
        if found:
            try:
                return date(*(int(part) for part in found.groups())), True
            except ValueError:
                return None, False
    return None, False


def _header(cells: list[Any], problems: _Problems) -> dict[str, int]:
    """The position of each known column; unknown, repeated and missing columns are problems of row 1."""
    where: dict[str, int] = {}
    known = {h for h, _ in COLUMNS}
    for index, cell in enumerate(cells):
        text = _text(cell)
        if text is None:
            continue
        if text not in known:
            problems.add(1, text, "不是导入模板中的列 / Not a column of the import")
        elif text in where:
            problems.add(1, text, "列重复 / The column appears twice")
        else:
            where[text] = index
    for h, _ in COLUMNS:
        if h not in where:
            problems.add(1, h, "缺少此列 / The column is missing")
    return where


def _parse(number: int, cells: Sequence[Any], where: dict[str, int], problems: _Problems) -> _Row:
    def cell(column: str) -> Any:
        index = where.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    for column in REQUIRED:
        if column in where and _blank(cell(column)):
            problems.add(number, column, REQUIRED_MESSAGE)

    def choice(column: str, names: dict[str, Any], message: str) -> Any:
        text = _text(cell(column))
        if text is None:
            return None
        found = names.get(text) or names.get(text.upper())
        if found is None:
            problems.add(number, column, message)
        return found

    def day(column: str) -> date | None:
        value, ok = _day(cell(column))
        if not ok:
            problems.add(number, column, "日期格式须为2024-05-01 / Not a date such as 2024-05-01")
        return value

    serial_text, parent_text = _text(cell(SERIAL)), _text(cell(PARENT))
    domains = "、".join(DOMAIN_NAMES.values())
    statuses = "、".join(STATUS_NAMES.values())
    return _Row(
        number=number, serial_text=serial_text, serial=service.normal_serial(serial_text), name=_text(cell(NAME)),
        domain=choice(DOMAIN, DOMAINS, f"业务域须为{domains}之一 / Not a service domain"),
        vendor=_text(cell(VENDOR)), model=_text(cell(MODEL)), unit_code=_text(cell(UNIT)),
        location=_text(cell(LOCATION), strip=False), status=choice(STATUS, STATUSES, f"状态须为{statuses}之一 / Not a status"),
        commissioned_on=day(COMMISSIONED), warranty_until=day(WARRANTY), parent_text=parent_text,
        parent=service.normal_serial(parent_text), software_version=_text(cell(SOFTWARE)),
        management_ip=_text(cell(ADDRESS)), notes=_text(cell(NOTES), strip=False),
    )  # fmt: skip


# --- the lookups ------------------------------------------------------------------------------------------------


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@dataclass
class _Known:
    """What the workbook refers to, loaded once: catalogue models, units by code, and assets by serial (those named
    as rows or parents, with each one's unit path), plus their ancestors (a cycle may run through them)."""

    models: dict[tuple[str, str], AssetModel]
    units: dict[str, OrgUnit]
    assets: dict[str, Asset]
    paths: dict[str, str]  # serial -> its unit's path, for the assets named by serial
    by_id: dict[int, Asset]


async def _lookups(uow: UnitOfWork, rows: list[_Row], lock: bool) -> _Known:
    s = uow.session
    vendors = {r.vendor for r in rows if r.vendor}
    models: dict[tuple[str, str], AssetModel] = {}
    for chunk in _chunks(vendors):
        for m in (await s.execute(select(AssetModel).where(AssetModel.vendor.in_(chunk)))).scalars():
            models[(m.vendor, m.model)] = m
    units: dict[str, OrgUnit] = {}
    for chunk in _chunks(r.unit_code for r in rows if r.unit_code):
        units |= {u.code: u for u in (await s.execute(select(OrgUnit).where(OrgUnit.code.in_(chunk)))).scalars()}
    assets: dict[str, Asset] = {}
    paths: dict[str, str] = {}
    serials = {r.serial for r in rows if r.serial} | {r.parent for r in rows if r.parent}
    for chunk in _chunks(serials):
        stmt = select(Asset, OrgUnit.path).join(OrgUnit, OrgUnit.id == Asset.unit_id).where(Asset.serial.in_(chunk))
        if lock:  # what was checked is what gets written: no one edits these assets meanwhile
            stmt = stmt.with_for_update(of=Asset)
        for asset, path in await s.execute(stmt):
            assets[asset.serial], paths[asset.serial] = asset, path
    by_id = {a.id: a for a in assets.values()}
    missing = {a.parent_id for a in assets.values() if a.parent_id is not None} - by_id.keys()
    while missing:  # one statement per level of installation (a card in a chassis: one)
        found: list[Asset] = []
        for chunk in _chunks(missing):
            found += list((await s.execute(select(Asset).where(Asset.id.in_(chunk)))).scalars())
        for a in found:
            by_id[a.id] = assets.setdefault(a.serial, a)
        missing = {a.parent_id for a in found if a.parent_id is not None} - by_id.keys()
    return _Known(models, units, assets, paths, by_id)


def _in_scope(actor: Actor, path: str) -> bool:
    return actor.sees_all_units or path.startswith(actor.unit_path)


# --- the checks -------------------------------------------------------------------------------------------------


def _fields(r: _Row, known: _Known, parent_id: int | None = None) -> service.AssetFields:
    model = known.models.get((r.vendor or "", r.model or ""))
    unit = known.units.get(r.unit_code or "")
    return service.AssetFields(
        serial=r.serial or r.serial_text or "", name=r.name or "", model_id=model.id if model else 0,
        domain=r.domain or ServiceDomain.FIBER, unit_id=unit.id if unit else 0, status=r.status or AssetStatus.IN_STOCK,
        location=r.location, commissioned_on=r.commissioned_on, warranty_until=r.warranty_until, parent_id=parent_id,
        software_version=r.software_version, management_ip=r.management_ip, notes=r.notes,
    )  # fmt: skip


def _keep_software(rows: list[_Row], known: _Known) -> None:
    """A software version that is what the asset runs already (or, for a new one, what its model ships with) is no
    edit: it is left out, so it is neither checked again nor written. The catalogue's software is free text, and
    assets registered with it may carry a version the form's pattern would not accept today; a register exported
    and imported again must not be refused for a value nobody changed."""
    for r in rows:
        if r.software_version is None:
            continue
        existing = known.assets.get(r.serial) if r.serial else None
        model = known.models.get((r.vendor or "", r.model or ""))
        current = existing.software_version if existing is not None else (model.software if model is not None else None)
        if r.software_version == current:
            r.software_version = None


def _check(actor: Actor, rows: list[_Row], known: _Known, today: date, problems: _Problems, missing: set[str]) -> None:
    """Every problem of every row: the references, repeats and cycles within the workbook, the status changes,
    and the format checks the form makes too."""
    first: dict[str, int] = {}
    parents: dict[str, str | None] = {}  # each workbook serial's parent once imported
    for r in rows:
        if r.serial is not None and r.serial not in first:
            first[r.serial] = r.number
            parents[r.serial] = r.parent

    def parent_of(serial: str) -> str | None:
        if serial in parents:
            return parents[serial]
        asset = known.assets.get(serial)
        above = known.by_id.get(asset.parent_id) if asset is not None and asset.parent_id is not None else None
        return above.serial if above is not None else None

    for r in rows:
        add = lambda column, message, n=r.number: problems.add(n, column, message)
        if r.serial is not None and first[r.serial] != r.number:
            add(SERIAL, f"序列号与第{first[r.serial]}行重复 / The same serial as row {first[r.serial]}")
        if r.vendor and r.model and (r.vendor, r.model) not in known.models:
            add(MODEL, "型号不在目录中 / Not a model in the catalogue")
        if r.unit_code:
            unit = known.units.get(r.unit_code)
            if unit is None or not _in_scope(actor, unit.path):
                add(UNIT, SCOPE_MESSAGE)
        existing = known.assets.get(r.serial) if r.serial else None
        if existing is not None:
            if not _in_scope(actor, known.paths.get(r.serial or "", "")):
                add(SERIAL, "该序列号的资产不在您的数据范围内 / The asset with this serial is outside your data scope")
            elif (
                r.status is not None and r.status is not existing.status and r.status not in service.TRANSITIONS[existing.status]
            ):
                add(STATUS, f"资产状态不能从{STATUS_NAMES[existing.status]}变为{STATUS_NAMES[r.status]} / Not allowed: "
                            f"{existing.status.value} to {r.status.value}")  # fmt: skip
        if r.parent_text is not None:
            if r.parent is not None and r.parent == r.serial:
                add(PARENT, "不能安装在自身 / An asset cannot be installed in itself")
            elif r.parent is None or (r.parent not in parents and r.parent not in known.assets):
                add(PARENT, "上级资产不存在 / No such parent asset (neither registered nor in the workbook)")
            elif r.serial is not None:
                seen: set[str] = set()
                above: str | None = r.parent
                while above is not None and above not in seen:
                    if above == r.serial:
                        add(PARENT, "上级资产形成循环 / The parents form a cycle")
                        break
                    seen.add(above)
                    above = parent_of(above)
        for name, message in service.problems(_fields(r, known), today):
            column = FIELD_COLUMNS[name]
            if column not in missing:  # a missing column is reported once, at the header
                add(column, message)


# --- the import -------------------------------------------------------------------------------------------------


async def import_workbook(uow: UnitOfWork, actor: Actor, content: bytes, *, dry_run: bool = False,
                          now: datetime | None = None) -> ImportReport:  # fmt: skip
    """Check the workbook and, when it has no problem and this is no dry run, import every row (INVALID_INPUT
    when it is no workbook, is empty or has more than MAX_ROWS rows)."""
    now = now or utcnow()
    header, data = await asyncio.to_thread(_read, content)
    problems = _Problems()
    where = _header(header, problems)
    missing = {h for h, _ in COLUMNS} - where.keys()
    rows = [_parse(number, cells, where, problems) for number, cells in data]
    known = await _lookups(uow, rows, lock=not dry_run)
    _keep_software(rows, known)
    _check(actor, rows, known, now.date(), problems, missing)  # now.date(), as service.apply judges the dates
    order = {h: i for i, (h, _) in enumerate(COLUMNS)}
    found = sorted(problems.items, key=lambda p: (p.row, order.get(p.column, len(order))))
    if found or dry_run:
        return ImportReport(rows=len(rows), created=0, updated=0, problems=found)
    created = await _create(uow, actor, [r for r in rows if r.serial not in known.assets], known, now)
    updated = await _update(uow, actor, [r for r in rows if r.serial in known.assets], known, created, now)
    record_change(uow, actor, "assets.import", "Asset", 0, rows=len(rows), created=len(created), updated=updated)
    return ImportReport(rows=len(rows), created=len(created), updated=updated, problems=[])


def _parent_id(serial: str | None, known: _Known, created: dict[str, Asset]) -> int | None:
    if serial is None:
        return None
    return (created.get(serial) or known.assets[serial]).id


async def _create(uow: UnitOfWork, actor: Actor, rows: list[_Row], known: _Known, now: datetime) -> dict[str, Asset]:
    """The new assets, in layers: those installed in nothing new first, then those installed in them, and so on,
    so each is inserted with its parent already there (no second write of the row, whose version would move)."""
    by_serial = {r.serial: r for r in rows if r.serial}
    depth: dict[str, int] = {}
    for start in by_serial:
        chain, serial = [], start
        while serial in by_serial and serial not in depth:  # the checks refused cycles: this ends
            chain.append(serial)
            serial = by_serial[serial].parent
        level = depth.get(serial, -1) if serial is not None else -1
        for s in reversed(chain):
            level += 1
            depth[s] = level
    created: dict[str, Asset] = {}
    for level in range(max(depth.values(), default=-1) + 1):
        layer: list[Asset] = []
        for serial in (s for s, d in depth.items() if d == level):
            r = by_serial[serial]
            model = known.models[(r.vendor or "", r.model or "")]
            asset = Asset(
                serial=serial, name=(r.name or "").strip(), model_id=model.id, domain=r.domain,
                unit_id=known.units[r.unit_code or ""].id, status=r.status, location=r.location,
                commissioned_on=r.commissioned_on, warranty_until=r.warranty_until,
                end_of_life=service.end_of_life(model, r.commissioned_on), parent_id=_parent_id(r.parent, known, created),
                software_version=r.software_version or model.software, management_ip=r.management_ip, notes=r.notes,
                created_at=now, updated_at=now,
            )  # fmt: skip
            layer.append(asset)
            created[serial] = asset
        uow.session.add_all(layer)
        await uow.session.flush()
    for asset in created.values():
        service.history(uow, asset, AssetEventKind.IMPORTED, now, actor, created=True)
    return created


async def _update(uow: UnitOfWork, actor: Actor, rows: list[_Row], known: _Known, created: dict[str, Asset],
                  now: datetime) -> int:  # fmt: skip
    """Bring each registered asset to its row through service.apply; returns how many changed.

    The parents are set on every asset before any is applied: apply walks the installation chain as it stands,
    and a workbook that rearranges several assets at once (A out of B, B into A) is sound as a whole yet would look
    like a cycle half-way through. The whole workbook's chain was checked above."""
    from domain.assets import lifecycle  # lifecycle builds on service, as this module does

    moved: dict[str, tuple[int | None, int | None]] = {}
    for r in rows:
        asset = known.assets[r.serial or ""]
        parent_id = _parent_id(r.parent, known, created)
        if asset.parent_id != parent_id:
            moved[asset.serial] = (asset.parent_id, parent_id)
            asset.parent_id = parent_id
    updated = 0
    for r in rows:
        asset = known.assets[r.serial or ""]
        changes = await service.apply(uow, actor, asset, _fields(r, known, asset.parent_id), now)
        if asset.serial in moved:
            before, after = moved[asset.serial]
            changes["parent_id"] = {"before": before, "after": after}
            asset.updated_at = now
        if not changes:
            continue
        updated += 1
        service.history(uow, asset, AssetEventKind.IMPORTED, now, actor, changes=changes)
        if asset.status is AssetStatus.RETIRED:
            await lifecycle.settle(uow, asset, "资产已退役 / retired", now)
    return updated
