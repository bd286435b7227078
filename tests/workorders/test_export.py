"""Exports of work orders: small ones answer at once, large ones go through the job with live progress; the file
is an encrypted object in the store, downloaded by a signed link, and opens with openpyxl."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from core.audit import AuditEvent
from domain.workorders.exports import COLUMNS
from tests.resolvers.identity.test_subscriptions import open_subscription
from tests.workorders.bulk import bulk_orders
from tests.workorders.test_dispatch import drive
from tests.workorders.test_engine import FORM

EXPORT = """mutation($f: WorkOrderFilter) { workOrdersExport(filter: $f) {
  export { id kind status total done progress filename size sm3 downloadUrl downloadExpiresAt } errors { code field message } } }"""
READ = "query($id: ID!) { export(id: $id) { status done total downloadUrl } }"


async def download(gql: Any, url: str) -> list[tuple[Any, ...]]:
    response = await gql.http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(r) for r in book.active.iter_rows(values_only=True)]


async def test_a_small_export_answers_at_once(wo, gql):
    for _ in range(3):
        await wo.submit("pd_user", "test.single", FORM)
    await wo.submit("hp_user", "test.single", FORM)
    answer = (await gql(EXPORT, {"f": {"kinds": ["test.single"]}}, as_user="pd_user"))["data"]["workOrdersExport"]
    assert answer["errors"] == []
    export = answer["export"]
    assert (export["kind"], export["status"], export["total"], export["done"], export["progress"]) == (
        "work_orders",
        "DONE",
        3,
        3,
        1.0,
    )
    assert export["filename"].startswith("工单-") and export["filename"].endswith(".xlsx") and len(export["sm3"]) == 64
    rows = await download(gql, export["downloadUrl"])
    assert rows[0] == tuple(name for name, _ in COLUMNS)
    assert [r[3] for r in rows[1:]] == ["处理中"] * 3 and [r[5] for r in rows[1:]] == ["浦东新区大数据中心"] * 3  # PD's only
    async with wo.services.session_factory() as s:
        logged = (await s.execute(select(AuditEvent.detail).where(AuditEvent.operation == "exports.request"))).scalar_one()
    assert (logged["kind"], logged["rows"], logged["params"]) == ("work_orders", 3, {"kinds": ["test.single"]})
    other = await gql(READ, {"id": export["id"]}, as_user="pd_admin")  # somebody else's export does not exist for them
    assert other["data"]["export"] is None


async def test_a_large_export_runs_as_a_job_with_live_progress(wo, gql, served):
    await bulk_orders(wo.services, 2_600)
    answer = (await gql(EXPORT, {"f": {"statuses": ["COMPLETED"]}}, as_user="operator"))["data"]["workOrdersExport"]
    export = answer["export"]
    assert (export["status"], export["total"], export["downloadUrl"]) == ("PENDING", 2_600, None)
    follow = f'subscription {{ exportProgress(id: "{export["id"]}") {{ status done total progress }} }}'
    ws, sub = await open_subscription(served, await gql.token("operator"), follow)
    try:
        await drive(wo.services)
        seen = []
        while not seen or seen[-1]["status"] not in ("DONE", "FAILED"):
            message = await sub.next()
            assert message["type"] == "next", message
            seen.append(message["payload"]["data"]["exportProgress"])
    finally:
        await ws.close()
    assert seen[0]["status"] in ("PENDING", "RUNNING") and seen[-1] == {
        "status": "DONE",
        "done": 2_600,
        "total": 2_600,
        "progress": 1.0,
    }
    done = (await gql(READ, {"id": export["id"]}, as_user="operator"))["data"]["export"]
    rows = await download(gql, done["downloadUrl"])
    assert len(rows) == 2_601 and rows[1][0] < rows[-1][0]  # the header, then every order oldest first
    assert sum(1 for r in rows[1:] if r[9] == "是") == 260  # every tenth was overdue


async def test_the_file_at_rest_is_not_readable_without_the_key(wo, gql):
    await wo.submit("pd_user", "test.single", {"quantity": 1, "reason": "明文不应落盘的标记"})
    export = (await gql(EXPORT, {}, as_user="pd_user"))["data"]["workOrdersExport"]["export"]
    files = [p for p in wo.services.settings.storage_dir.rglob("*") if p.is_file()]
    assert files
    assert not any("明文不应落盘的标记".encode() in p.read_bytes() or b"PK\x03\x04" in p.read_bytes()[:64] for p in files)
    assert export["status"] == "DONE"
