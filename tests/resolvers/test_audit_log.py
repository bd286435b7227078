"""The operation log as its readers use it: queries, the two scopes, exports, archiving after retention."""

from __future__ import annotations

import base64
import gzip
import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from core import audit
from core.audit import GENESIS, AuditChainHead, AuditEvent, compute_mac, verify_chain
from core.clock import utcnow
from domain.audit.archive import ArchiveError, archive_old, verify_archives

EVENTS = """query($f: AuditEventFilter, $after: String) { auditEvents(first: 2, filter: $f, after: $after) {
  edges { node { id operation outcome actorUsername detail chainSeq mac } } pageInfo { hasNextPage endCursor } } }"""
SECURITY = (
    "query($f: AuditEventFilter) { securityEvents(first: 50, filter: $f) { edges { node { operation outcome actorUsername } } } }"
)
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { token } }"


async def some_history(gql: Any) -> None:
    await gql(LOGIN, {"i": {"username": "pd_user", "password": "wrong-password"}})
    await gql(LOGIN, {"i": {"username": "=HYPERLINK(1)", "password": "wrong-password"}})  # a formula for a name
    await gql(
        "mutation($i: OrgUnitUpdateInput!) { orgUnitUpdate(input: $i) { errors { code } } }",
        {"i": {"id": (await gql('{ orgUnits(first: 1, filter: {search: "D-PD"}) { edges { node { id } } } }', as_user="admin"))
               ["data"]["orgUnits"]["edges"][0]["node"]["id"], "contactName": "审计测试"}},
        as_user="admin",
    )  # fmt: skip


async def test_the_audit_administrator_filters_pages_and_reads_details(demo, gql):
    await some_history(gql)
    failed = await gql(EVENTS, {"f": {"operation": "identity.login", "outcome": "FAILURE"}}, as_user="auditor")
    page = failed["data"]["auditEvents"]
    assert [e["node"]["actorUsername"] for e in page["edges"]] == ["=HYPERLINK(1)", "pd_user"]  # newest first
    assert page["pageInfo"]["hasNextPage"] is False
    prefix = await gql(EVENTS, {"f": {"operation": "identity."}}, as_user="auditor")
    assert prefix["data"]["auditEvents"]["pageInfo"]["hasNextPage"] is True
    rest = await gql(EVENTS, {"f": {"operation": "identity."}, "after": prefix["data"]["auditEvents"]["pageInfo"]["endCursor"]},
                     as_user="auditor")  # fmt: skip
    first_ids = {e["node"]["id"] for e in prefix["data"]["auditEvents"]["edges"]}
    assert first_ids.isdisjoint({e["node"]["id"] for e in rest["data"]["auditEvents"]["edges"]})
    found = await gql(EVENTS, {"f": {"keyword": "审计测试"}}, as_user="auditor")
    [update_event] = [e["node"] for e in found["data"]["auditEvents"]["edges"]]
    assert (
        update_event["operation"] == "identity.org_unit_update" and update_event["detail"]["after"]["contact_name"] == "审计测试"
    )
    detail = await gql("query($id: ID!) { auditEvent(id: $id) { operation clientIp requestId chainSeq mac } }",
                       {"id": update_event["id"]}, as_user="auditor")  # fmt: skip
    assert detail["data"]["auditEvent"]["clientIp"] == "10.1.2.3" and len(detail["data"]["auditEvent"]["mac"]) == 64
    window = await gql(EVENTS, {"f": {"occurredFrom": (utcnow() + timedelta(minutes=1)).isoformat()}}, as_user="auditor")
    assert window["data"]["auditEvents"]["edges"] == []


async def test_the_security_administrator_sees_security_events_only(demo, gql):
    await some_history(gql)
    seen = await gql(SECURITY, {}, as_user="secadmin")
    operations = {(e["node"]["operation"], e["node"]["outcome"]) for e in seen["data"]["securityEvents"]["edges"]}
    assert ("identity.login", "FAILURE") in operations
    assert all(op.startswith("security.") or outcome != "SUCCESS" for op, outcome in operations)
    assert not any(op == "identity.org_unit_update" for op, _ in operations)
    refused = await gql(EVENTS, {}, as_user="secadmin")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_export_holds_the_matching_records_and_is_itself_logged(demo, gql):
    await some_history(gql)
    exported = await gql(
        "mutation($f: AuditEventFilter) { auditEventsExport(filter: $f) { filename mediaType contentBase64 rowCount errors { code } } }",
        {"f": {"operation": "identity.login", "outcome": "FAILURE"}}, as_user="auditor",
    )  # fmt: skip
    payload = exported["data"]["auditEventsExport"]
    assert payload["errors"] == [] and payload["rowCount"] == 2 and payload["filename"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(base64.b64decode(payload["contentBase64"]))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号 / Id" and len(rows) == 3
    assert rows[1][2] == "'=HYPERLINK(1)"  # text that Excel would run as a formula is defused
    logged = await gql(EVENTS, {"f": {"operation": "audit.export"}}, as_user="auditor")
    [entry] = logged["data"]["auditEvents"]["edges"]
    assert entry["node"]["actorUsername"] == "auditor" and entry["node"]["detail"]["rows"] == 2


async def backdate_and_reseal(services: Any, count: int, days: int) -> None:
    """Make the first `count` records as old as `days` (as if written then), with a chain that still holds."""
    async with services.session_factory() as s, s.begin():
        events = list((await s.execute(select(AuditEvent).order_by(AuditEvent.chain_seq))).scalars())
        mac = GENESIS
        for n, event in enumerate(events):
            if n < count:
                event.occurred_at = utcnow() - timedelta(days=days, minutes=count - n)
            event.mac = compute_mac(audit.chain_key(), mac, event)
            mac = event.mac
        await s.execute(update(AuditChainHead).values(mac=mac))


async def test_old_records_move_to_verified_archives_and_the_chain_still_holds(demo, gql, tmp_path):
    await some_history(gql)
    async with demo.session_factory() as s:
        total = len(list((await s.execute(select(AuditEvent.id))).scalars()))
    await backdate_and_reseal(demo, 3, 400)
    async with demo.unit_of_work() as uow:
        with pytest.raises(ArchiveError, match="180"):
            await archive_old(uow, tmp_path, 90)
    async with demo.unit_of_work() as uow:
        result = await archive_old(uow, tmp_path, 365)
    assert result.archived == 3 and result.file is not None and result.file.exists()
    async with demo.unit_of_work() as uow:
        assert (await archive_old(uow, tmp_path, 365)).archived == 0
    async with demo.session_factory() as s:
        left = len(list((await s.execute(select(AuditEvent.id))).scalars()))
        assert left == total - 3 + 1  # the archive run logged itself
        assert (await verify_chain(s)).reason is None
        assert await verify_archives(s, tmp_path) == []
    lines = gzip.decompress(result.file.read_bytes()).splitlines()
    assert len(lines) == 3
    result.file.write_bytes(gzip.compress(b"\n".join([lines[0], lines[1].replace(b"identity", b"identitx"), lines[2]])))
    async with demo.session_factory() as s:
        assert await verify_archives(s, tmp_path) == [f"archive {result.file.name}: file altered (SM3 differs)"]
    result.file.unlink()
    async with demo.session_factory() as s:
        assert await verify_archives(s, tmp_path) == [f"archive {result.file.name}: file missing"]


async def test_a_broken_stretch_is_never_archived(demo, gql, tmp_path):
    await some_history(gql)
    await backdate_and_reseal(demo, 3, 400)
    async with demo.session_factory() as s, s.begin():
        second = (await s.execute(select(AuditEvent).order_by(AuditEvent.chain_seq).offset(1).limit(1))).scalar_one()
        second.detail = {**(second.detail or {}), "forged": True}
    async with demo.unit_of_work() as uow:
        with pytest.raises(ArchiveError, match="does not verify"):
            await archive_old(uow, tmp_path, 365)
    assert list(tmp_path.iterdir()) == []
