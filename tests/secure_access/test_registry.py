"""The secure access registry: sealed holder numbers found exactly, filters, data scope, constant statements per
list, the management unit's audited edit, and the usage feed (sessions, abnormal behaviour as alerts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import LargeBinary, select, type_coerce

from core.ids import to_global_id
from domain.alerts.models import Alert
from domain.secure_access import usage
from domain.secure_access.enums import AccountStatus
from domain.secure_access.models import SecureAccessAccount
from tests.resolvers.test_read_path import StatementCounter
from tests.secure_access.conftest import ID_NUMBERS

LIST = """query($n: Int!, $f: SecureAccessAccountFilter, $after: String, $sort: SecureAccessAccountSort) {
  secureAccessAccounts(first: $n, filter: $f, after: $after, sort: $sort) { totalCount
    pageInfo { hasNextPage endCursor } edges { node { accountName validTo unit { code name } macs systems { code }
    workOrders { number } } } } }"""


async def listed(gql: Any, user: str, f: dict[str, Any] | None = None, n: int = 50, **extra: Any) -> dict[str, Any]:
    answer = await gql(LIST, {"n": n, "f": f, **extra}, as_user=user)
    assert "errors" not in answer, answer
    return answer["data"]["secureAccessAccounts"]  # type: ignore[no-any-return]


async def test_holder_numbers_are_sealed_at_rest_and_the_id_number_is_found_exactly(registry, gql):
    await registry.accounts("D-PD", range(1, 4))
    async with registry.services.session_factory() as s:
        raw = (await s.execute(select(
            type_coerce(SecureAccessAccount.holder_phone, LargeBinary),
            type_coerce(SecureAccessAccount.holder_id_number, LargeBinary)).where(SecureAccessAccount.account_name == "JR00000001")
        )).one()  # fmt: skip
    assert b"13900000001" not in bytes(raw[0]) and ID_NUMBERS[1].encode() not in bytes(raw[1])
    found = await listed(gql, "operator", {"holderIdNumber": ID_NUMBERS[1].lower()})
    assert [e["node"]["accountName"] for e in found["edges"]] == ["JR00000001"]


async def test_filters_paging_and_the_data_scope(registry, gql):
    await registry.accounts("D-PD", range(1, 6))
    await registry.accounts("D-HP", range(6, 9), valid_days=10)
    assert (await listed(gql, "operator"))["totalCount"] == 8
    pd = await listed(gql, "pd_user")
    assert pd["totalCount"] == 5 and {e["node"]["unit"]["code"] for e in pd["edges"]} == {"D-PD"}
    assert (await listed(gql, "hp_admin", {"mac": "3c-22-fb-00-01-01"}))["totalCount"] == 0  # PD's: not found
    assert [e["node"]["accountName"] for e in (await listed(gql, "operator", {"mac": "3c-22-fb-00-01-01"}))["edges"]] == [
        "JR00000001"]  # fmt: skip
    assert (await listed(gql, "operator", {"expiringWithinDays": 30}))["totalCount"] == 3
    assert (await listed(gql, "operator", {"system": "OA"}))["totalCount"] == 8
    assert (await listed(gql, "operator", {"system": "CITY-BRAIN"}))["totalCount"] == 0
    assert (await listed(gql, "operator", {"holderName": "用户"}))["totalCount"] == 8
    first = await listed(gql, "operator", n=5, sort="VALID_TO_ASC")
    rest = await listed(gql, "operator", n=5, after=first["pageInfo"]["endCursor"], sort="VALID_TO_ASC")
    names = [e["node"]["accountName"] for e in first["edges"] + rest["edges"]]
    assert names[:3] == ["JR00000006", "JR00000007", "JR00000008"] and len(set(names)) == 8
    denied = await gql(LIST, {"n": 5}, as_user="auditor")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("user", ["operator", "pd_admin"])
async def test_account_lists_issue_a_constant_number_of_statements(registry, gql, user):
    await registry.accounts("D-PD", range(1, 121))

    async def statements(n: int) -> int:
        await gql(LIST, {"n": n}, as_user=user)
        with StatementCounter(registry.services.engine) as counter:
            answer = await gql(LIST, {"n": n}, as_user=user)
        assert len(answer["data"]["secureAccessAccounts"]["edges"]) == n
        return counter.count

    assert await statements(10) == await statements(100)


UPDATE = """mutation($i: SecureAccessAccountUpdateInput!) { secureAccessAccountUpdate(input: $i) {
  account { holderName holderPhone version history { kind detail } } errors { code field } } }"""


async def test_the_management_unit_corrects_an_account_with_an_audit_trail(registry, gql):
    [account_id] = await registry.accounts("D-PD", range(1, 2))
    gid = to_global_id("SecureAccessAccount", account_id)
    done = (await gql(UPDATE, {"i": {"id": gid, "holderName": "用户一", "holderPhone": "13811112222", "expectedVersion": 1}},
                      as_user="operator"))["data"]["secureAccessAccountUpdate"]  # fmt: skip
    assert done["errors"] == [] and (done["account"]["holderName"], done["account"]["holderPhone"]) == ("用户一", "13811112222")
    assert done["account"]["history"][-1] == {
        "kind": "EDITED", "detail": {"holderName": {"before": "用户1", "after": "用户一"}, "holderPhone": {"changed": True}}}  # fmt: skip
    stale = await gql(UPDATE, {"i": {"id": gid, "holderName": "x", "expectedVersion": 1}}, as_user="operator")
    assert stale["data"]["secureAccessAccountUpdate"]["errors"] == [{"code": "STALE_STATE", "field": "id"}]
    bad = await gql(UPDATE, {"i": {"id": gid, "holderPhone": "12345"}}, as_user="operator")
    assert bad["data"]["secureAccessAccountUpdate"]["errors"] == [{"code": "INVALID_INPUT", "field": "holderPhone"}]
    denied = await gql(UPDATE, {"i": {"id": gid, "holderName": "x"}}, as_user="pd_admin")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    logged = await gql('{ auditEvents(first: 5, filter: {operation: "secure_access.account_update"}) { edges { node { targetId } } } }',
                       as_user="auditor")  # fmt: skip
    assert len(logged["data"]["auditEvents"]["edges"]) == 1


async def test_the_usage_feed_keeps_sessions_and_turns_abnormal_behaviour_into_alerts_once(registry):
    [account_id] = await registry.accounts("D-PD", range(1, 2))
    at = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    page = [
        usage.UsageEvent(1, "LOGIN", "JR00000001", at, "10.1.2.3"),
        usage.UsageEvent(2, "LOGIN", "JR00000001", at, "10.1.2.4"),
        usage.UsageEvent(3, "LOGOUT", "JR00000001", at, "10.1.2.3"),
        usage.UsageEvent(4, "ABNORMAL", "JR00000001", at, "10.1.2.4", "BRUTE_FORCE", "MAJOR", "连续登录失败"),
        usage.UsageEvent(5, "LOGIN", "JR99999999", at, "10.1.2.5"),  # not an account of ours
    ]
    for _ in range(2):  # the same page read twice (a crash before the cursor moved on): taken once
        async with registry.services.unit_of_work() as uow:
            counts = await usage.take(uow, page, 5)
    assert counts == {"taken": 0, "skipped": 5, "unknown": 0, "alerts": 0}
    async with registry.services.session_factory() as s:
        account = await s.get(SecureAccessAccount, account_id)
        assert account is not None and (account.online_sessions, account.last_login_at) == (1, at)
        [alert] = (await s.execute(select(Alert))).scalars()
    assert (alert.kind.value, alert.target_type, alert.target_id, alert.count) == (
        "USER_BEHAVIOUR", "SecureAccessAccount", account_id, 1)  # fmt: skip
    async with registry.services.unit_of_work() as uow:
        assert await usage.stored_cursor(uow.session) == 5


async def test_accounts_past_their_validity_expire_free_their_macs_and_may_still_be_revoked(registry, gql):
    from datetime import timedelta

    from core.clock import beijing_today
    from domain.secure_access import service

    [late, fine] = await registry.accounts("D-PD", range(1, 3), valid_days=0)  # valid until today
    async with registry.services.unit_of_work() as uow:
        assert await service.expire(uow, beijing_today()) == 0  # today is still a valid day
    async with registry.services.unit_of_work() as uow:
        account = await uow.session.get(SecureAccessAccount, fine)
        assert account is not None
        account.valid_to = beijing_today() + timedelta(days=30)
    async with registry.services.unit_of_work() as uow:
        assert await service.expire(uow, beijing_today() + timedelta(days=1)) == 1
    found = await listed(gql, "operator", {"statuses": ["EXPIRED"]})
    assert [(e["node"]["accountName"], e["node"]["macs"]) for e in found["edges"]] == [("JR00000001", [])]
    assert (await listed(gql, "operator", {"mac": "3C:22:FB:00:01:01"}))["totalCount"] == 0  # free for a new account
    async with registry.services.unit_of_work() as uow:
        expired = await uow.session.get(SecureAccessAccount, late)
        assert expired is not None
        await service.change_status(uow, expired, AccountStatus.REVOKED)
