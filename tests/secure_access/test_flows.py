"""Secure access work orders end to end, through GraphQL against the support platform simulator: open, change (MACs
only, systems only, both) and revoke; each with refusals that change nothing; a revoke that waits out an outage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from domain.alerts.models import Alert
from domain.secure_access.models import SecureAccessAccount
from domain.workorders.models import WorkOrder
from jobs.secure_access import take_usage
from tests.secure_access.conftest import opening
from tests.wireless.test_open import SUBMIT, approve_all
from tests.wireless.test_overview import cron
from tests.workorders.test_dispatch import drive

ACCOUNT = """query($f: SecureAccessAccountFilter) { secureAccessAccounts(filter: $f) { totalCount edges { node {
  id accountName holderName holderPhone status macs macLimit systems { code } unit { code }
  history { kind detail workOrderId } workOrders { title status } } } } }"""


async def submit(gql: Any, kind: str, values: dict[str, Any], user: str = "pd_user") -> dict[str, Any]:
    return (await gql(SUBMIT, {"i": {"kind": kind, "form": values}}, as_user=user))["data"]["workOrderSubmit"]  # type: ignore[no-any-return]


async def run(gql: Any, services: Any, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    made = await submit(gql, kind, values)
    assert made["errors"] == [], made
    await approve_all(gql, made["workOrder"]["id"])
    await drive(services)
    q = "query($id: ID!) { workOrder(id: $id) { status timeline { kind comment detail } } }"
    return (await gql(q, {"id": made["workOrder"]["id"]}, as_user="pd_user"))["data"]["workOrder"]  # type: ignore[no-any-return]


async def accounts(gql: Any, f: dict[str, Any] | None = None, user: str = "pd_user") -> list[dict[str, Any]]:
    found = (await gql(ACCOUNT, {"f": f or {}}, as_user=user))["data"]["secureAccessAccounts"]
    return [e["node"] for e in found["edges"]]


async def orders(services: Any) -> int:
    async with services.session_factory() as s:
        return int((await s.execute(select(func.count()).select_from(WorkOrder))).scalar_one())


async def refused(gql: Any, services: Any, kind: str, values: dict[str, Any], field: str, user: str = "pd_user") -> str:
    """Submitting is refused on `field`, and no order is made; returns the message."""
    before = await orders(services)
    made = await submit(gql, kind, values, user)
    assert made["workOrder"] is None and made["errors"][0]["field"] == field, made
    assert await orders(services) == before
    return made["errors"][0]["message"]  # type: ignore[no-any-return]


async def opened(gql: Any, registry: Any, platform: Any, **extra: Any) -> dict[str, Any]:
    done = await run(gql, registry.services, "secure_access.open", opening(**extra))
    assert done["status"] == "COMPLETED", done["timeline"][-3:]
    [account] = await accounts(gql)
    return account


async def test_open_issues_the_platforms_account_with_normalised_macs(registry, platform, gql):
    account = await opened(gql, registry, platform)
    assert account["accountName"].startswith("JR") and account["status"] == "ACTIVE"
    assert account["macs"] == ["3C:22:FB:11:22:33", "3C:22:FB:44:55:66"] and account["macLimit"] == 5
    assert [s["code"] for s in account["systems"]] == ["GOV-MAIL", "OA"] and account["unit"]["code"] == "D-PD"
    assert account["holderPhone"] == "13912345678" and account["history"][0]["kind"] == "OPENED"
    assert account["workOrders"] == [{"title": "安全接入开户 陈静", "status": "COMPLETED"}]
    sim = platform.state.secure_access.accounts[account["accountName"]]
    assert (sim.macs, sim.unit_code) == (["3C:22:FB:11:22:33", "3C:22:FB:44:55:66"], "D-PD")


async def test_open_refusals_change_nothing(registry, platform, gql):
    services = registry.services
    assert "ZZ-11" in await refused(gql, services, "secure_access.open", opening(["ZZ-11-22-33-44-55"]), "form.macs")
    six = [f"3C:22:FB:00:00:0{i}" for i in range(6)]
    assert "At most 5" in await refused(gql, services, "secure_access.open", opening(six), "form.macs")
    twice = ["3C:22:FB:00:00:01", "3c-22-fb-00-00-01"]
    assert "twice" in await refused(gql, services, "secure_access.open", opening(twice), "form.macs")
    assert "NOPE" in await refused(gql, services, "secure_access.open", opening(systems=["OA", "NOPE"]), "form.systems")
    bad_id = opening(holder={"name": "陈静", "phone": "13912345678", "idNumber": "110105194912310021"})
    await refused(gql, services, "secure_access.open", bad_id, "form.holder.idNumber")
    await refused(gql, services, "secure_access.open", opening(validTo="2020-01-01"), "form.validTo")
    await registry.accounts("D-HP", range(7, 8))  # another unit's account holds 3C:22:FB:00:07:01
    held = await refused(gql, services, "secure_access.open", opening(["3c:22:fb:00:07:01"]), "form.macs")
    assert "3C:22:FB:00:07:01" in held
    assert platform.state.secure_access.accounts == {}


async def test_change_macs_only_systems_only_and_both(registry, platform, gql):
    account = await opened(gql, registry, platform)
    name, services = account["accountName"], registry.services
    base = {"accountName": name, "reason": "更换终端"}
    assert (await run(gql, services, "secure_access.change", base | {"macs": ["3C:22:FB:AA:BB:01"]}))["status"] == "COMPLETED"
    assert (await run(gql, services, "secure_access.change", base | {"systems": ["CITY-BRAIN"]}))["status"] == "COMPLETED"
    both = base | {"macs": ["3C:22:FB:AA:BB:02", "3C:22:FB:AA:BB:03"], "systems": ["OA", "CITY-BRAIN"]}
    assert (await run(gql, services, "secure_access.change", both))["status"] == "COMPLETED"
    [after] = await accounts(gql)
    assert after["macs"] == ["3C:22:FB:AA:BB:02", "3C:22:FB:AA:BB:03"]
    assert [s["code"] for s in after["systems"]] == ["CITY-BRAIN", "OA"]
    kinds = [h["kind"] for h in after["history"]]
    assert kinds == ["OPENED", "MACS_CHANGED", "SYSTEMS_CHANGED", "MACS_CHANGED", "SYSTEMS_CHANGED"]
    assert after["history"][1]["detail"] == {"before": ["3C:22:FB:11:22:33", "3C:22:FB:44:55:66"], "after": ["3C:22:FB:AA:BB:01"]}
    sim = platform.state.secure_access.accounts[name]
    assert (sim.macs, sorted(sim.systems)) == (["3C:22:FB:AA:BB:02", "3C:22:FB:AA:BB:03"], ["CITY-BRAIN", "OA"])
    # The old MACs are free again: the unique index holds only live bindings.
    assert (await accounts(gql, {"mac": "3c-22-fb-11-22-33"})) == []


async def test_change_refusals_change_nothing(registry, platform, gql):
    account = await opened(gql, registry, platform)
    services, base = registry.services, {"accountName": account["accountName"], "reason": "变更"}
    await refused(gql, services, "secure_access.change", base, "form")  # neither MACs nor systems
    await refused(gql, services, "secure_access.change", base | {"macs": ["3C:22:FB:11:22:33", "3C:22:FB:44:55:66"]}, "form")
    await refused(gql, services, "secure_access.change", base | {"macs": ["01:00:5E:00:00:01"]}, "form.macs")  # multicast
    await refused(gql, services, "secure_access.change", base | {"systems": ["GHOST"]}, "form.systems")
    await refused(gql, services, "secure_access.change", base | {"macs": ["3C:22:FB:00:00:09"]}, "form.accountName",
                  user="hp_user")  # fmt: skip
    [after] = await accounts(gql)
    assert after["macs"] == account["macs"] and after["history"] == account["history"]


async def test_revoke_closes_the_account_on_the_platform_then_here(registry, platform, gql):
    account = await opened(gql, registry, platform)
    name, services = account["accountName"], registry.services
    revoke = {"accountName": name, "reason": "人员调离"}
    assert (await run(gql, services, "secure_access.revoke", revoke))["status"] == "COMPLETED"
    [after] = await accounts(gql)
    assert (after["status"], after["macs"]) == ("REVOKED", [])
    assert after["history"][-1]["detail"]["releasedMacs"] == ["3C:22:FB:11:22:33", "3C:22:FB:44:55:66"]
    assert platform.state.secure_access.accounts[name].revoked_at is not None
    assert "REVOKED" in await refused(gql, services, "secure_access.revoke", revoke, "form.accountName")


async def test_a_revoke_during_an_outage_completes_once_when_the_platform_is_back(registry, platform, gql):
    account = await opened(gql, registry, platform)
    name, services = account["accountName"], registry.services
    platform.state.sim.fail("down", times=3, operation="account_revoke")
    made = await submit(gql, "secure_access.revoke", {"accountName": name, "reason": "离职"})
    await approve_all(gql, made["workOrder"]["id"])
    await drive(services)
    q = "query($id: ID!) { workOrder(id: $id) { status dispatches { status attempts } } }"
    done = (await gql(q, {"id": made["workOrder"]["id"]}, as_user="pd_user"))["data"]["workOrder"]
    assert done["status"] == "COMPLETED" and done["dispatches"][0]["attempts"] == 4
    [after] = await accounts(gql)
    assert [h["kind"] for h in after["history"]].count("STATUS_CHANGED") == 1
    revokes = [e for e in platform.state.sim.accepted.values() if e["operation"] == "account_revoke"]
    assert len(revokes) == 1  # the platform did the work once
    async with services.session_factory() as s:
        assert (await s.execute(select(SecureAccessAccount.status))).scalar_one().value == "REVOKED"


async def test_an_abnormal_behaviour_event_from_the_platform_becomes_an_alert_on_the_account(registry, platform, gql):
    account = await opened(gql, registry, platform)
    name = account["accountName"]
    events = [{"kind": "LOGIN", "sourceIp": "10.8.0.5"},
              {"kind": "ABNORMAL", "sourceIp": "10.8.0.5", "detail": {"rule": "OFF_HOURS_BULK_DOWNLOAD", "severity": "CRITICAL",
                                                                     "description": "非工作时间批量下载"}}]  # fmt: skip
    platform.state.secure_access.generate_usage({"accountName": name, "events": events})
    assert await cron(registry.services, take_usage) == 2
    assert await cron(registry.services, take_usage) == 0  # nothing new: nothing taken twice
    q = """query($f: SecureAccessAccountFilter) { secureAccessAccounts(filter: $f) { edges { node { onlineSessions } } } }"""
    assert (await gql(q, {"f": {"accountName": name}}, as_user="pd_user"))["data"]["secureAccessAccounts"]["edges"][0][
        "node"]["onlineSessions"] == 1  # fmt: skip
    async with registry.services.session_factory() as s:
        [alert] = (await s.execute(select(Alert))).scalars()
    assert (alert.kind.value, alert.severity.value, alert.target_type, alert.labels["accountName"]) == (
        "USER_BEHAVIOUR", "CRITICAL", "SecureAccessAccount", name)  # fmt: skip
    assert alert.target_id == (await account_id(registry.services, name))


async def account_id(services: Any, name: str) -> int:
    async with services.session_factory() as s:
        return int((await s.execute(select(SecureAccessAccount.id).where(SecureAccessAccount.account_name == name))).scalar_one())


async def test_the_holders_numbers_are_sealed_in_the_order_and_its_dispatch_and_masked_in_the_api(registry, platform, gql):
    from sqlalchemy import LargeBinary, text, type_coerce

    from domain.workorders.models import WorkOrderDispatch
    from tests.secure_access.conftest import ID_NUMBERS

    await opened(gql, registry, platform)
    async with registry.services.session_factory() as s:
        payload = (await s.execute(select(type_coerce(WorkOrder.payload, LargeBinary)))).scalar_one()
        request = (await s.execute(select(type_coerce(WorkOrderDispatch.request, LargeBinary)))).scalar_one()
        logged = str((await s.execute(text("SELECT request FROM interface_call"))).all())
    for raw in (bytes(payload), bytes(request)):
        assert ID_NUMBERS[0].encode() not in raw and b"13912345678" not in raw
    assert ID_NUMBERS[0] not in logged and "13912345678" not in logged
    q = "{ workOrders(first: 1) { edges { node { form } } } }"
    form = (await gql(q, as_user="pd_user"))["data"]["workOrders"]["edges"][0]["node"]["form"]
    assert form["holder"] == {"name": "陈静", "phone": "139****5678", "idNumber": "***"}
