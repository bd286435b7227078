"""Terminal accounts: listed within the data scope, and corrected by the management unit, audited."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import AuditEvent
from core.ids import to_global_id
from domain.wireless.models import TerminalAccount
from tests.wireless.test_changes import opened

LIST = """query($f: TerminalAccountFilter) { terminalAccounts(filter: $f) { totalCount edges { node { id accountName holderName
  status online applications { code } } } } }"""
UPDATE = """mutation($i: TerminalAccountUpdateInput!) { terminalAccountUpdate(input: $i) {
  terminalAccount { holderName } errors { code field message } } }"""


async def test_accounts_are_listed_in_scope_and_corrected_with_an_audit_record(registry, platforms, gql):
    await opened(gql, registry, 2)
    mine = (await gql(LIST, as_user="pd_user"))["data"]["terminalAccounts"]
    assert mine["totalCount"] == 2 and mine["edges"][0]["node"]["applications"] == [{"code": "YWTB"}, {"code": "YWTG"}]
    assert (await gql(LIST, as_user="hp_user"))["data"]["terminalAccounts"]["totalCount"] == 0
    first = mine["edges"][0]["node"]
    named = await gql(LIST, {"f": {"accountName": first["accountName"]}}, as_user="operator")
    assert [e["node"]["id"] for e in named["data"]["terminalAccounts"]["edges"]] == [first["id"]]
    denied = await gql(UPDATE, {"i": {"id": first["id"], "holderName": "赵六"}}, as_user="pd_admin")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    empty = await gql(UPDATE, {"i": {"id": first["id"], "holderName": "  "}}, as_user="operator")
    assert empty["data"]["terminalAccountUpdate"]["errors"][0]["field"] == "holderName"
    missing = await gql(UPDATE, {"i": {"id": to_global_id("TerminalAccount", 999), "holderName": "赵六"}}, as_user="operator")
    assert missing["data"]["terminalAccountUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    done = await gql(UPDATE, {"i": {"id": first["id"], "holderName": "赵六"}}, as_user="operator")
    assert done["data"]["terminalAccountUpdate"] == {"terminalAccount": {"holderName": "赵六"}, "errors": []}
    async with registry.services.session_factory() as s:
        logged = (
            await s.execute(select(AuditEvent.detail).where(AuditEvent.operation == "wireless.terminal_account_update"))
        ).scalar_one()
        assert (
            await s.execute(select(TerminalAccount.holder_name).where(TerminalAccount.account_name == first["accountName"]))
        ).scalar_one() == "赵六"
    assert logged["holderName"]["after"] == "赵六"
