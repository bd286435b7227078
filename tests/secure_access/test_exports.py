"""The secure access registry as an export, built through the domain (Chinese headers, the viewer's data scope, no
holder phone or ID number in the sheet or the stored filter, keyset batches at a constant number of statements per
batch), and the demo data: valid holders and terminals, and demo orders that complete against the demo platform."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import event, select, text
from stdnum.cn import ric

from domain.exports import service as export_service
from domain.exports.enums import ExportStatus
from domain.exports.models import DataExport
from domain.exports.registry import EXPORTERS
from domain.identity.auth import actor_of
from domain.identity.models import User
from domain.secure_access import demo as sa_demo
from domain.secure_access import exports, validation
from domain.secure_access import repository as repo
from domain.secure_access import service as sa_service
from domain.secure_access.enums import AccountStatus
from domain.secure_access.models import SecureAccessAccount, SecureAccessEvent, secure_access_mac, secure_access_system
from domain.workorders.models import WorkOrder, WorkOrderDispatch
from tests.secure_access.conftest import ID_NUMBERS, today
from tests.workorders.test_dispatch import drive

HEADERS = ("账号", "使用人", "单位", "状态", "有效期起", "有效期止", "MAC地址", "可访问系统", "在线会话", "最近登录", "开通时间",
           "撤销时间")  # fmt: skip


async def actor(services: Any, username: str) -> Any:
    async with services.read() as db:
        user_id = (await db.execute(select(User.id).where(User.username == username))).scalar_one()
        return await actor_of(db, user_id)


async def build(services: Any, username: str, f: repo.AccountFilter) -> tuple[int, dict[str, Any], list[tuple[Any, ...]]]:
    """Ask for and build the export as `username`: (its id, the stored params, the sheet's rows with the header)."""
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
    content = await services.storage.read(stored.storage_key)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = [r + (None,) * (len(HEADERS) - len(r)) for r in sheet.iter_rows(values_only=True)]  # trailing blanks are not kept
    return export_id, stored.params, rows


async def test_the_exporter_is_registered_for_the_api_and_the_worker():
    import domain.exporters  # noqa: F401

    exporter = EXPORTERS["secure_access_accounts"]
    assert (exporter.title, exporter.permission) == ("互联网安全加密接入账号台账", "secure_access.view_accounts")
    assert tuple(name for name, _ in exporter.columns) == HEADERS


async def test_the_registry_exports_what_the_viewer_may_see_without_holder_numbers(registry):
    services = registry.services
    pd = await registry.accounts("D-PD", range(1, 6))
    await registry.accounts("D-HP", range(10, 13))
    async with services.unit_of_work() as uow:
        revoked = await uow.session.get(SecureAccessAccount, pd[1])
        assert revoked is not None
        await sa_service.change_status(uow, revoked, AccountStatus.REVOKED)

    _id, params, rows = await build(services, "pd_user", repo.AccountFilter(today=today()))
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == [f"JR{n:08d}" for n in range(1, 6)]  # the unit's own, oldest first
    valid_to = (today() + timedelta(days=365)).isoformat()
    assert rows[1][:10] == ("JR00000001", "用户1", "浦东新区大数据中心", "在用", today().isoformat(), valid_to,
                            "3C:22:FB:00:01:01, 3C:22:FB:00:01:02", "OA", 0, None)  # fmt: skip
    assert rows[1][10] is not None and rows[1][11] is None  # opened, not revoked
    assert rows[2][3] == "已撤销" and rows[2][6] is None and rows[2][11] is not None  # its MACs released
    assert params == {"today": today().isoformat()}

    _id, _params, everything = await build(services, "operator", repo.AccountFilter(statuses=(AccountStatus.ACTIVE,)))
    assert [r[0] for r in everything[1:]] == ["JR00000001", "JR00000003", "JR00000004", "JR00000005", "JR00000010",
                                              "JR00000011", "JR00000012"]  # fmt: skip
    sheet = repr(rows + everything)
    assert not any(number in sheet for number in ID_NUMBERS) and "1390000" not in sheet


async def test_an_export_by_id_number_keeps_no_number_in_clear(registry):
    services = registry.services
    await registry.accounts("D-PD", range(1, 5))
    f = repo.AccountFilter(holder_id_number=ID_NUMBERS[1], holder_name="用户")
    export_id, params, rows = await build(services, "pd_user", f)
    assert [r[0] for r in rows[1:]] == ["JR00000001", "JR00000004"]
    async with services.session_factory() as s:
        stored = (await s.execute(text("SELECT params FROM data_export WHERE id = :i"), {"i": export_id})).scalar_one()
        logged = (await s.execute(text("SELECT detail FROM audit_event WHERE operation = 'exports.request'"))).scalar_one()
    assert ID_NUMBERS[1] not in str(stored) + str(logged) and "holder_id_bidx" in params and "holder_id_number" not in params


async def test_rows_come_in_keyset_batches_at_one_statement_per_relation(registry):
    services = registry.services
    await registry.accounts("D-PD", range(1, 131))
    await registry.accounts("D-HP", range(200, 203))
    who = await actor(services, "operator")
    params = exports.to_params(repo.AccountFilter())
    selects: list[str] = []
    engine = (services.reader or services.engine).sync_engine

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not SQLite's BEGIN
            selects.append(statement)

    async with services.read() as db:
        event.listen(engine, "before_cursor_execute", seen)
        try:
            batches = [batch async for batch in exports.EXPORTER.rows(db, who, params)]
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    assert [len(b) for b in batches] == [100, 33]
    assert len(selects) == 3 * 2 + 2  # accounts, MACs, systems per batch; the units new to each batch (PD, then HP)
    assert len({r[0] for b in batches for r in b}) == 133


async def test_demo_accounts_are_valid_deterministic_and_made_once(demo):
    async with demo.unit_of_work() as uow:
        assert await sa_demo.seed(uow, accounts=200) == 200
    async with demo.unit_of_work() as uow:
        assert await sa_demo.seed(uow, accounts=200) == 0
    async with demo.session_factory() as s:
        accounts = list((await s.execute(select(SecureAccessAccount).order_by(SecureAccessAccount.id))).scalars())
        macs = list((await s.execute(select(secure_access_mac.c.account_id, secure_access_mac.c.mac))).all())
        systems = list((await s.execute(select(secure_access_system.c.account_id))).scalars())
        revocations = list((await s.execute(select(SecureAccessEvent.detail).where(
            SecureAccessEvent.to_status == AccountStatus.REVOKED))).scalars())  # fmt: skip
    assert [a.account_name for a in accounts] == [f"JR{20_000_000 + n:08d}" for n in range(200)]
    assert all(ric.is_valid(a.holder_id_number) and validation.id_number(a.holder_id_number) for a in accounts)
    assert all(validation.msisdn(a.holder_phone) == a.holder_phone for a in accounts)
    assert len({m for _, m in macs}) == len(macs) and all(validation.mac(m) == m for _, m in macs)
    by_status = {s: [a for a in accounts if a.status is s] for s in AccountStatus}
    assert len(by_status[AccountStatus.REVOKED]) == len(revocations) >= 8 and len(by_status[AccountStatus.SUSPENDED]) >= 5
    assert all(d["releasedMacs"] for d in revocations)  # released through the service, kept in the history
    holding = {i for i, _ in macs}
    assert holding == {a.id for a in accounts if a.status is not AccountStatus.REVOKED}
    assert all(1 <= [i for i, _ in macs].count(a.id) <= 3 for a in accounts if a.id in holding)
    assert all(1 <= systems.count(a.id) <= 3 for a in accounts)
    live = [a for a in accounts if a.status is not AccountStatus.REVOKED]
    assert all(a.valid_to >= today() and (a.valid_to - a.valid_from).days <= sa_service.MAX_VALIDITY_DAYS for a in live)
    assert any((a.valid_to - today()).days <= 30 for a in live) and any(a.online_sessions for a in live)
    assert len({a.unit_id for a in accounts}) > 10  # spread, unevenly, over the access units


async def test_demo_orders_complete_against_the_demo_platform(registry, platform):
    from platforms import _load_secure_access

    services = registry.services
    async with services.unit_of_work() as uow:
        await sa_demo.seed(uow, accounts=300)
    await _load_secure_access(services, platform)
    known = platform.state.secure_access.accounts
    assert len(known) == 300 and sum(a.revoked_at is not None for a in known.values()) > 0
    assert await sa_demo.seed_orders(services.engine) == 42 and await sa_demo.seed_orders(services.engine) == 0
    await drive(services)
    async with services.session_factory() as s:
        orders = list(await s.execute(select(WorkOrder.kind, WorkOrder.status)))
        dispatches = list((await s.execute(select(WorkOrderDispatch.status))).scalars())
    assert {k for k, _ in orders} == {"secure_access.open", "secure_access.change", "secure_access.revoke"}
    assert {s.value for _, s in orders} == {"PROCESSING", "RETURNED", "REJECTED", "WITHDRAWN", "COMPLETED"}
    assert sum(s.value == "COMPLETED" for _, s in orders) == 12 and {s.value for s in dispatches} == {"CONFIRMED"}


async def test_the_export_mutation_builds_the_scoped_sheet_for_download(registry, gql):
    from openpyxl import load_workbook

    await registry.accounts("D-PD", range(1, 4))
    await registry.accounts("D-HP", range(4, 6))
    q = """mutation($f: SecureAccessAccountFilter) { secureAccessAccountsExport(filter: $f) {
      export { status total downloadUrl filename } errors { code } } }"""
    answer = (await gql(q, {"f": {"holderIdNumber": ID_NUMBERS[1]}}, as_user="pd_user"))["data"]["secureAccessAccountsExport"]
    export = answer["export"]
    assert (answer["errors"], export["status"], export["total"]) == ([], "DONE", 1)
    assert export["filename"].startswith("互联网安全加密接入账号台账-")
    content = (await gql.http.get(export["downloadUrl"])).content
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "账号" and [r[0] for r in rows[1:]] == ["JR00000001"]
