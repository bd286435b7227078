"""The asset workbook: all rows or none, every problem by sheet row and column; a re-import updates only what changed
and only within the importer's data scope; the export has the import's columns, so export -> import changes nothing.
The acceptance case is the customer's scale: a 2,600-row fibre register with one bad row imports nothing and names
that cell, corrected it imports in seconds, with a constant number of lookups."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select

from core.audit import AuditEvent
from core.errors import DomainError
from domain.assets import exports, service, transfer
from domain.assets.enums import AssetEventKind, AssetStatus, AssetType
from domain.assets.models import Asset, AssetEvent
from domain.assets.repository import AssetFilter
from domain.catalog.enums import ServiceDomain
from domain.exports import service as export_service
from domain.exports.enums import ExportStatus
from domain.exports.models import DataExport
from domain.exports.registry import EXPORTERS
from tests.workorders.helpers import actor

HEADERS = [h for h, _ in transfer.COLUMNS]
COL = {h: i for i, h in enumerate(HEADERS)}
UNITS = ("D-PD", "D-HP", "SHBDC")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row(serial: str, **cells: Any) -> list[Any]:
    """A good row (an NE40E router in D-PD, in service since 2021); `cells` by header overrides it."""
    values = {
        "序列号": serial, "资产名称": f"汇聚路由器 {serial}", "业务域": "有线网", "厂商": "华为", "型号": "NE40E",
        "使用单位编码": "D-PD", "安装位置": "浦东机房", "状态": "在用", "投运日期": date(2021, 3, 1), "保修截止": "2024-03-01",
        "上级资产序列号": None, "软件版本": None, "管理地址": "10.1.1.1", "备注": None,
    } | cells  # fmt: skip
    return [values[h] for h in HEADERS]


def fibre(n: int) -> list[list[Any]]:
    """`n` fibre assets over three units: routers, and every tenth a line card installed in the router before it.
    Dates come both as Excel dates and as ISO text, domains and statuses as Chinese names and as codes."""
    rows = []
    for i in range(1, n + 1):
        card = i % 10 == 0
        commissioned = date(2018, 1, 1) + timedelta(days=i % 1500)
        warranty = commissioned + timedelta(days=365 * 3)
        rows.append(row(
            f"FB{i:08d}", 资产名称=f"{'业务板' if card else '汇聚路由器'}-{i}", 业务域="FIBER" if i % 7 == 0 else "有线网",
            型号="LPU-48" if card else "NE40E", 使用单位编码=UNITS[i % 3], 安装位置=f"机房{i % 7}",
            状态="IN_SERVICE" if i % 11 == 0 else "在用", 投运日期=commissioned if i % 2 else commissioned.isoformat(),
            保修截止=warranty, 上级资产序列号=f"FB{i - 1:08d}" if card else None,
            管理地址=None if card else f"10.20.{i // 256}.{i % 256}", 备注="双电源" if i % 13 == 0 else None,
        ))  # fmt: skip
    return rows


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def run_import(services: Any, username: str, content: bytes | list[list[Any]], **options: Any) -> transfer.ImportReport:
    who = await actor(services, username)
    data = workbook(content) if isinstance(content, list) else content
    async with services.unit_of_work() as uow:
        return await transfer.import_workbook(uow, who, data, **options)


def cells(report: transfer.ImportReport) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in report.problems]


async def count(services: Any, what: Any = Asset) -> int:
    async with services.session_factory() as s:
        return int((await s.execute(select(func.count()).select_from(what))).scalar_one())


async def imports_logged(services: Any) -> list[Any]:
    """The operation log's records of imports, oldest first."""
    async with services.session_factory() as s:
        stmt = select(AuditEvent.detail).where(AuditEvent.operation == "assets.import").order_by(AuditEvent.id)
        return list((await s.execute(stmt)).scalars())


async def asset(services: Any, serial: str) -> Asset:
    async with services.session_factory() as s:
        return (await s.execute(select(Asset).where(Asset.serial == serial))).scalar_one()


async def export(services: Any, username: str, f: AssetFilter) -> bytes:
    """Ask for and build the export as `username` (through the domain, as the worker would); its .xlsx bytes."""
    who = await actor(services, username)
    params = exports.to_params(f)
    async with services.read() as db:
        total = await exports.EXPORTER.count(db, who, params)
    async with services.unit_of_work() as uow:
        export_id = (await export_service.request(uow, who, exports.EXPORTER, params, total)).id
    assert await export_service.build(services.read, services.unit_of_work, services.storage, export_id) is ExportStatus.DONE
    async with services.session_factory() as s:
        stored = await s.get(DataExport, export_id)
    assert stored is not None and stored.total == stored.done == total
    return await services.storage.read(stored.storage_key)  # type: ignore[no-any-return]


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [tuple(r) + (None,) * (len(HEADERS) - len(r)) for r in sheet.iter_rows(values_only=True)]


async def test_the_acceptance_2600_fibre_rows_all_or_nothing_then_export_and_import_round_trip(catalogue):
    services = catalogue.services
    rows = fibre(2600)
    bad = [list(r) for r in rows]
    bad[1199][COL["型号"]] = "NE99"  # sheet row 1,201 (the header is row 1)
    refused = await run_import(services, "operator", bad)
    assert (refused.rows, refused.created, refused.updated) == (2600, 0, 0)
    assert [(p.row, p.column, p.message) for p in refused.problems] == [
        (1201, "型号", "型号不在目录中 / Not a model in the catalogue")
    ]
    malformed = [list(r) for r in rows]
    malformed[1199][COL["投运日期"]] = "2021-02-30"
    assert cells(await run_import(services, "operator", malformed)) == [(1201, "投运日期")]
    assert await count(services) == 0 and await imports_logged(services) == []

    engine = services.engine.sync_engine
    selects: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    content, who = workbook(rows), await actor(services, "operator")
    event.listen(engine, "before_cursor_execute", seen)
    started = time.perf_counter()
    try:
        async with services.unit_of_work() as uow:
            report = await transfer.import_workbook(uow, who, content)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    elapsed = time.perf_counter() - started
    print(f"\n2,600-row import on {engine.dialect.name}: {elapsed:.2f} s, {len(selects)} SELECTs")
    assert (report.rows, report.created, report.updated, report.problems) == (2600, 2600, 0, [])
    assert elapsed < 60 and len(selects) <= 8  # bulk lookups: the statements do not grow with the rows
    assert await count(services) == 2600 and await count(services, AssetEvent) == 2600
    assert await imports_logged(services) == [{"rows": 2600, "created": 2600, "updated": 0}]
    router, card = await asset(services, "FB00000009"), await asset(services, "FB00000010")
    assert card.parent_id == router.id and router.parent_id is None and card.domain is ServiceDomain.FIBER
    assert router.end_of_life == date(2018, 1, 10).replace(year=2026) and router.software_version == "V800R021"
    assert card.end_of_life == date(2018, 1, 11).replace(year=2023) and card.status is AssetStatus.IN_SERVICE

    exported = await export(services, "operator", AssetFilter(domains=(ServiceDomain.FIBER,)))
    sheet = sheet_rows(exported)
    assert list(sheet[0]) == HEADERS and len(sheet) == 2601
    by_serial = {r[0]: r for r in sheet[1:]}
    assert by_serial["FB00000010"] == ("FB00000010", "业务板-10", "有线网", "华为", "LPU-48", "D-HP", "机房3", "在用",
                                       "2018-01-11", "2021-01-10", "FB00000009", "V800R021", None, None)  # fmt: skip
    assert by_serial["FB00000013"][COL["备注"]] == "双电源" and by_serial["FB00000014"][COL["业务域"]] == "有线网"

    started = time.perf_counter()
    again = await run_import(services, "operator", exported)
    print(f"2,600-row re-import of the export on {engine.dialect.name}: {time.perf_counter() - started:.2f} s")
    assert (again.rows, again.created, again.updated, again.problems) == (2600, 0, 0, [])
    assert await count(services, AssetEvent) == 2600  # nothing changed, nothing recorded


async def test_the_report_collects_every_problem_and_writes_nothing(catalogue):
    services = catalogue.services
    headers = [h for h in HEADERS if h != "备注"] + ["资产类型"]  # one column missing, one not the import's
    rows = [
        row("HW0001"),
        row("HW0002", 使用单位编码="NOWHERE"),
        row("hw0001"),  # the same serial, in lower case
        row("HW0004", 上级资产序列号="HW9999"),
        row("HW0005", 管理地址="10.0.0.300", 业务域="光纤网", 投运日期="2021-13-01"),
        row("HW0006", 上级资产序列号="HW0007"),
        row("HW0007", 上级资产序列号="HW0006"),
        row("HW0008", 上级资产序列号="HW0008", 状态="报废", 厂商=None),
        row("X", 投运日期=date(2099, 1, 1), 保修截止="2100-01-01"),
    ]
    content = workbook([[*r[:-1], "路由器"] for r in rows], headers)
    report = await run_import(services, "operator", content)
    assert (report.rows, report.created, report.updated) == (9, 0, 0)
    assert cells(report) == [
        (1, "备注"), (1, "资产类型"), (3, "使用单位编码"), (4, "序列号"), (5, "上级资产序列号"), (6, "业务域"),
        (6, "投运日期"), (6, "管理地址"), (7, "上级资产序列号"), (8, "上级资产序列号"), (9, "厂商"), (9, "状态"),
        (9, "上级资产序列号"), (10, "序列号"), (10, "投运日期"),
    ]  # fmt: skip
    messages = {(p.row, p.column): p.message for p in report.problems}
    assert messages[(1, "备注")] == "缺少此列 / The column is missing"
    assert messages[(3, "使用单位编码")] == "单位不存在或不在您的数据范围内 / No such unit in your data scope"
    assert messages[(4, "序列号")] == "序列号与第2行重复 / The same serial as row 2"
    assert messages[(5, "上级资产序列号")].startswith("上级资产不存在 / No such parent asset")
    assert messages[(6, "管理地址")] == "管理地址须为IPv4或IPv6地址 / Not an IPv4 or IPv6 address"
    assert messages[(7, "上级资产序列号")] == messages[(8, "上级资产序列号")] == "上级资产形成循环 / The parents form a cycle"
    assert messages[(9, "上级资产序列号")] == "不能安装在自身 / An asset cannot be installed in itself"
    assert messages[(9, "厂商")] == "必填 / Required" and messages[(10, "投运日期")].startswith("投运日期不能晚于今天")
    assert all(" / " in p.message for p in report.problems)
    assert await count(services) == 0 and await imports_logged(services) == []

    dry = await run_import(services, "operator", [row("HW0001"), row("HW0002", 上级资产序列号="HW0001")], dry_run=True)
    assert (dry.rows, dry.created, dry.updated, dry.problems) == (2, 0, 0, [])
    assert await count(services) == 0 and await imports_logged(services) == []


async def test_what_is_no_importable_workbook_is_refused_as_a_whole(catalogue, monkeypatch):
    services = catalogue.services
    book = Workbook()
    book.active.cell(row=3, column=1, value="HW0001")  # data, but no header in row 1
    no_header = io.BytesIO()
    book.save(no_header)
    cases = [
        (b"not a workbook", "不是有效的.xlsx工作簿 / Not an .xlsx workbook"),
        (b"PK\x03\x04broken", "不是有效的.xlsx工作簿 / Not an .xlsx workbook"),
        (workbook([], []), "工作表为空 / The sheet is empty"),
        (no_header.getvalue(), "第1行须为列标题 / Row 1 must hold the column headers"),
    ]
    for content, message in cases:
        with pytest.raises(DomainError) as caught:
            await run_import(services, "operator", content)
        assert (caught.value.code.value, caught.value.field, caught.value.message) == ("INVALID_INPUT", "upload", message)
    monkeypatch.setattr(transfer, "MAX_ROWS", 3)
    with pytest.raises(DomainError) as caught:
        await run_import(services, "operator", [row(f"HW000{i}") for i in range(1, 5)])
    assert caught.value.message == "最多导入3行 / At most 3 rows per workbook"
    assert (await run_import(services, "operator", [row(f"HW000{i}") for i in range(1, 4)])).created == 3


async def test_a_reimport_updates_what_changed_within_the_data_scope(catalogue):
    services = catalogue.services
    rows = [row("PD0001"), row("PD0002", 上级资产序列号="PD0001"), row("HP0001", 使用单位编码="D-HP"),
            row("PD0003", 状态="库存", 投运日期=None)]  # fmt: skip
    assert (await run_import(services, "operator", rows)).created == 4
    before = {s: (await asset(services, s)).version for s in ("PD0001", "HP0001", "PD0003")}

    rows[1][COL["安装位置"]] = "张江机房"
    report = await run_import(services, "pd_admin", [rows[0], rows[1], rows[3]])
    assert (report.rows, report.created, report.updated, report.problems) == (3, 0, 1, [])
    moved = await asset(services, "PD0002")
    assert moved.location == "张江机房" and moved.version == 2
    assert {s: (await asset(services, s)).version for s in before} == before
    async with services.session_factory() as s:
        history = list((await s.execute(select(AssetEvent.kind, AssetEvent.detail).where(AssetEvent.asset_id == moved.id)
                                        .order_by(AssetEvent.id))).all())  # fmt: skip
    assert history == [(AssetEventKind.IMPORTED, {"created": True}),
                       (AssetEventKind.IMPORTED, {"changes": {"location": {"before": "浦东机房", "after": "张江机房"}}})]  # fmt: skip
    assert (await imports_logged(services))[-1] == {"rows": 3, "created": 0, "updated": 1}

    hp = [list(rows[2])]
    hp[0][COL["安装位置"]] = "黄浦机房"
    outside = await run_import(services, "pd_admin", [*hp, row("PD0009", 使用单位编码="D-HP")])
    assert [(p.row, p.column, p.message.split(" / ")[0]) for p in outside.problems] == [
        (2, "序列号", "该序列号的资产不在您的数据范围内"), (2, "使用单位编码", "单位不存在或不在您的数据范围内"),
        (3, "使用单位编码", "单位不存在或不在您的数据范围内")]  # fmt: skip
    repair = [list(rows[3])]
    repair[0][COL["状态"]], repair[0][COL["投运日期"]] = "维修中", date(2022, 1, 1)
    refused = await run_import(services, "operator", repair)
    assert [(p.row, p.column, p.message) for p in refused.problems] == [
        (2, "状态", "资产状态不能从库存变为维修中 / Not allowed: IN_STOCK to UNDER_REPAIR")]  # fmt: skip
    assert (await asset(services, "HP0001")).location == "浦东机房" and (await asset(services, "PD0003")).version == 1

    # PD0002 sits in PD0001. Turning that round in one workbook is sound as a whole, though not row by row.
    swapped = [row("PD0001", 上级资产序列号="PD0002"), row("PD0002", 安装位置="张江机房")]
    assert (await run_import(services, "operator", swapped)).updated == 2
    first, second = await asset(services, "PD0001"), await asset(services, "PD0002")
    assert first.parent_id == second.id and second.parent_id is None
    # A cycle through an asset the workbook does not name: PD0001 sits in PD0002 now.
    looped = await run_import(services, "operator", [row("PD0002", 安装位置="张江机房", 上级资产序列号="PD0001")])
    assert cells(looped) == [(2, "上级资产序列号")]


async def test_the_export_params_are_json_and_the_cells_are_what_the_import_reads(catalogue):
    f = AssetFilter(domains=(ServiceDomain.FIBER,), statuses=(AssetStatus.IN_STOCK,), unit_id=3, vendor="华为",
                    end_of_life_before=date(2030, 1, 1))  # fmt: skip
    params = exports.to_params(f)
    assert params == {"domains": ["FIBER"], "statuses": ["IN_STOCK"], "unit_id": 3, "vendor": "华为",
                      "end_of_life_before": "2030-01-01"}  # fmt: skip
    assert exports.from_params(params) == f and exports.from_params({}) == AssetFilter()
    exporter = EXPORTERS["assets"]
    assert (exporter.title, exporter.permission, exporter.columns) == ("资产台账", "assets.view_assets", transfer.COLUMNS)

    services = catalogue.services
    await run_import(
        services, "operator", [row("HW0001", 备注="-48V 直流供电"), row("HW0002", 上级资产序列号="HW0001", 使用单位编码="D-HP")]
    )
    who = await actor(services, "operator")
    async with services.read() as db:
        batches = [b async for b in exporter.rows(db, who, exports.to_params(AssetFilter()))]
    assert [list(r) for b in batches for r in b] == [
        ["HW0001", "汇聚路由器 HW0001", "有线网", "华为", "NE40E", "D-PD", "浦东机房", "在用", date(2021, 3, 1),
         date(2024, 3, 1), None, "V800R021", "10.1.1.1", "-48V 直流供电"],
        ["HW0002", "汇聚路由器 HW0002", "有线网", "华为", "NE40E", "D-HP", "浦东机房", "在用", date(2021, 3, 1),
         date(2024, 3, 1), "HW0001", "V800R021", "10.1.1.1", None],
    ]  # fmt: skip
    content = await export(services, "operator", AssetFilter())
    assert sheet_rows(content)[1][COL["备注"]] == "'-48V 直流供电"  # quoted against formula injection; the import drops it
    assert (await run_import(services, "operator", content)).updated == 0
    pd = sheet_rows(await export(services, "pd_admin", AssetFilter()))
    assert [r[0] for r in pd[1:]] == ["HW0001"]


async def test_a_version_nobody_changed_is_not_checked_again(catalogue):
    """The catalogue's software is free text ("VRP V200R021"); an asset registered with it exports it, and importing
    that register again changes nothing, while a malformed new version is refused in its column."""
    services = catalogue.services
    who = await actor(services, "operator")
    async with services.unit_of_work() as uow:
        await service.save_model(uow, who, service.ModelFields("华为", "S12708", AssetType.SWITCH, 8, software="VRP V200R021"))
    made = await run_import(
        services, "operator", [row("SW0001", 型号="S12708", 软件版本="VRP V200R021"), row("SW0002", 型号="S12708")]
    )
    assert (made.created, made.problems) == (2, [])
    assert {(await asset(services, s)).software_version for s in ("SW0001", "SW0002")} == {"VRP V200R021"}
    again = await run_import(services, "operator", await export(services, "operator", AssetFilter()))
    assert (again.rows, again.updated, again.problems) == (2, 0, [])
    edited = await run_import(services, "operator", [row("SW0001", 型号="S12708", 软件版本="V300 <补丁>")])
    assert cells(edited) == [(2, "软件版本")]
    upgraded = await run_import(services, "operator", [row("SW0001", 型号="S12708", 软件版本="V300R001")])
    assert upgraded.updated == 1 and (await asset(services, "SW0001")).software_version == "V300R001"


IMPORT = """mutation($i: AssetsImportInput!) { assetsImport(input: $i) { created updated rows problems { row column message }
  errors { code field } } }"""
EXPORT = """mutation($f: AssetFilter) { assetsExport(filter: $f) { export { status total downloadUrl } errors { code } } }"""


async def upload(gql: Any, content: bytes, user: str = "operator") -> str:
    headers = {"Content-Type": XLSX, "Authorization": f"Bearer {await gql.token(user)}"}
    response = await gql.http.post("/uploads", params={"filename": "assets.xlsx"}, content=content, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["upload"]  # type: ignore[no-any-return]


async def call(gql: Any, query: str, variables: dict[str, Any], user: str = "operator") -> dict[str, Any]:
    answer = await gql(query, variables, as_user=user)
    assert "errors" not in answer, answer
    return next(iter(answer["data"].values()))  # type: ignore[no-any-return]


async def test_import_and_export_through_the_api(catalogue, gql):
    services = catalogue.services
    good = workbook(fibre(30))
    bad = workbook([row("HW0001", 使用单位编码="NOWHERE"), row("HW0001")])
    refused = await call(gql, IMPORT, {"i": {"upload": await upload(gql, bad)}})
    assert (refused["created"], refused["rows"], refused["errors"]) == (0, 2, [{"code": "IMPORT_REFUSED", "field": "upload"}])
    assert [(p["row"], p["column"]) for p in refused["problems"]] == [(2, "使用单位编码"), (3, "序列号")]

    dry = await call(gql, IMPORT, {"i": {"upload": await upload(gql, good), "dryRun": True}})
    assert dry == {"created": 0, "updated": 0, "rows": 30, "problems": [], "errors": []}
    assert await count(services) == 0
    done = await call(gql, IMPORT, {"i": {"upload": await upload(gql, good)}})
    assert done == {"created": 30, "updated": 0, "rows": 30, "problems": [], "errors": []}
    empty = await call(gql, IMPORT, {"i": {"upload": await upload(gql, workbook([], []))}})
    assert (empty["rows"], empty["errors"]) == (0, [{"code": "INVALID_INPUT", "field": "upload"}])

    answer = await call(gql, EXPORT, {"f": {"domains": ["FIBER"]}})
    assert (answer["errors"], answer["export"]["status"], answer["export"]["total"]) == ([], "DONE", 30)
    content = (await gql.http.get(answer["export"]["downloadUrl"])).content
    sheet = sheet_rows(content)
    assert list(sheet[0]) == HEADERS and sorted(r[0] for r in sheet[1:]) == [f"FB{i:08d}" for i in range(1, 31)]
    again = await call(gql, IMPORT, {"i": {"upload": await upload(gql, content)}})
    assert again == {"created": 0, "updated": 0, "rows": 30, "problems": [], "errors": []}

    mine = await call(gql, EXPORT, {"f": None}, user="pd_admin")
    assert mine["export"]["total"] == 10  # D-PD holds every third
