"""The secure access overview and application statistics count what the viewer may see."""

from __future__ import annotations

from sqlalchemy import update

from domain.alerts import service as alerts
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.secure_access import service
from domain.secure_access.enums import AccountStatus
from domain.secure_access.models import SecureAccessAccount
from tests.secure_access.conftest import opening
from tests.wireless.test_open import SUBMIT

OVERVIEW = """{ secureAccessOverview { accounts byStatus { key count } unitsConnected systemsAccessed onlineUsers
  expiringSoon openAlerts topUnits { unitName count } applications { kind status count } } }"""
STATS = """query($g: Grain) { secureAccessApplicationStatistics(grain: $g) { period kind status count } }"""


async def test_the_overview_counts_what_the_viewer_may_see(registry, gql):
    pd = await registry.accounts("D-PD", range(1, 4))
    await registry.accounts("D-HP", range(4, 6), valid_days=20)  # expiring within 30 days
    services = registry.services
    async with services.unit_of_work() as uow:
        await uow.session.execute(update(SecureAccessAccount).where(SecureAccessAccount.id == pd[0]).values(online_sessions=2))
        revoked = await uow.session.get(SecureAccessAccount, pd[2])
        assert revoked is not None
        await service.change_status(uow, revoked, AccountStatus.REVOKED)
        await alerts.fire(uow, kind=AlertKind.USER_BEHAVIOUR, severity=AlertSeverity.MAJOR, source="secure_access_support",
                          fingerprint="t:1", title="异常", target=("SecureAccessAccount", pd[1]), unit_id=revoked.unit_id)  # fmt: skip
    made = await gql(SUBMIT, {"i": {"kind": "secure_access.open", "form": opening()}}, as_user="pd_user")
    assert made["data"]["workOrderSubmit"]["errors"] == []

    everything = (await gql(OVERVIEW, as_user="operator"))["data"]["secureAccessOverview"]
    assert (everything["accounts"], everything["unitsConnected"], everything["systemsAccessed"]) == (5, 2, 1)
    assert (everything["onlineUsers"], everything["expiringSoon"], everything["openAlerts"]) == (1, 2, 1)
    assert {b["key"]: b["count"] for b in everything["byStatus"]} == {"ACTIVE": 4, "REVOKED": 1}
    assert sorted((u["unitName"], u["count"]) for u in everything["topUnits"]) == [
        ("浦东新区大数据中心", 2),
        ("黄浦区大数据中心", 2),
    ]
    assert everything["applications"] == [{"kind": "secure_access.open", "status": "PROCESSING", "count": 1}]

    hp_view = (await gql(OVERVIEW, as_user="hp_admin"))["data"]["secureAccessOverview"]
    assert (hp_view["accounts"], hp_view["expiringSoon"], hp_view["openAlerts"], hp_view["applications"]) == (2, 2, 0, [])
    pd_view = (await gql(OVERVIEW, as_user="pd_user"))["data"]["secureAccessOverview"]
    assert (pd_view["accounts"], pd_view["onlineUsers"], pd_view["openAlerts"]) == (3, 1, 1)

    stats = (await gql(STATS, {"g": "DAY"}, as_user="pd_user"))["data"]["secureAccessApplicationStatistics"]
    assert [(s["kind"], s["status"], s["count"]) for s in stats] == [("secure_access.open", "PROCESSING", 1)]
    assert (await gql(STATS, {"g": "MONTH"}, as_user="hp_user"))["data"]["secureAccessApplicationStatistics"] == []
