"""Alerts: deduplication at volume, the list and its data scope, the acts on an alert and its history, statistics,
and the alertFired / alertChanged subscriptions with filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core.ids import to_global_id
from domain.alerts import service
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.alerts.models import Alert, AlertEvent
from domain.identity.models import OrgUnit, User
from tests.resolvers.identity.test_subscriptions import open_subscription

T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
LIST = """query($f: AlertFilter, $n: Int) { alerts(filter: $f, first: $n) { totalCount edges { node {
  id title kind severity status count unit { code } owner { username } history { kind actorName comment } } } } }"""


async def unit_id(services: Any, code: str) -> int:
    async with services.session_factory() as s:
        return int((await s.execute(select(OrgUnit.id).where(OrgUnit.code == code))).scalar_one())


async def raise_(services: Any, fingerprint: str, *, unit: str | None = None, kind: AlertKind = AlertKind.UPF,
                 severity: AlertSeverity = AlertSeverity.MAJOR, at: datetime = T0) -> int:  # fmt: skip
    unit_pk = await unit_id(services, unit) if unit else None
    async with services.unit_of_work() as uow:
        alert = await service.fire(uow, kind=kind, severity=severity, source="test", fingerprint=fingerprint,
                                   title=f"告警 {fingerprint}", unit_id=unit_pk, now=at)  # fmt: skip
    return alert.id


async def test_ten_thousand_duplicate_events_are_one_alert_counted_ten_thousand_times(demo):
    batch = [
        service.Occurrence(AlertKind.UPF, AlertSeverity.MAJOR, "upf-monitor", "upf:3:down", "UPF-3 不可达",
                           at=T0 + timedelta(seconds=i)) for i in range(1000)
    ]  # fmt: skip
    for _ in range(10):  # ten pushes of a thousand
        async with demo.unit_of_work() as uow:
            await service.fire_batch(uow, batch)
    async with demo.session_factory() as s:
        [alert] = (await s.execute(select(Alert))).scalars()
        events = (await s.execute(select(func.count()).select_from(AlertEvent))).scalar_one()
    assert (alert.count, alert.first_seen_at, alert.last_seen_at, events) == (10_000, T0, T0 + timedelta(seconds=999), 1)


async def test_the_list_keeps_to_the_data_scope(demo, gql):
    await raise_(demo, "pd:1", unit="D-PD", severity=AlertSeverity.CRITICAL)
    await raise_(demo, "hp:1", unit="D-HP")
    await raise_(demo, "core:1")  # no unit: the management unit's business
    everything = (await gql(LIST, as_user="operator"))["data"]["alerts"]
    assert everything["totalCount"] == 3
    pd = (await gql(LIST, as_user="pd_admin"))["data"]["alerts"]
    assert [e["node"]["title"] for e in pd["edges"]] == ["告警 pd:1"]
    critical = (await gql(LIST, {"f": {"severities": ["CRITICAL"]}}, as_user="operator"))["data"]["alerts"]
    assert critical["totalCount"] == 1
    assert (await gql(LIST, {"f": {"keyword": "hp"}}, as_user="operator"))["data"]["alerts"]["totalCount"] == 1
    denied = await gql(LIST, as_user="secadmin")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


ACT = """mutation($i: Alert{op}Input!) {{ alert{op}(input: $i) {{ alert {{ status version owner {{ username }}
  history {{ kind actorName comment }} }} errors {{ code field }} }} }}"""


async def act(gql: Any, op: str, values: dict[str, Any], user: str = "operator") -> dict[str, Any]:
    answer = await gql(ACT.format(op=op), {"i": values}, as_user=user)
    assert "errors" not in answer, answer
    return answer["data"][f"alert{op}"]  # type: ignore[no-any-return]


async def test_acknowledge_assign_comment_and_resolve_by_hand_leave_a_history(demo, gql):
    gid = to_global_id("Alert", await raise_(demo, "pd:2", unit="D-PD"))
    acked = await act(gql, "Acknowledge", {"id": gid, "comment": "值班处理中", "expectedVersion": 1})
    assert acked["errors"] == [] and acked["alert"]["owner"] == {"username": "operator"}
    again = await act(gql, "Acknowledge", {"id": gid})
    assert again["errors"] == [{"code": "INVALID_TRANSITION", "field": "id"}]
    stale = await act(gql, "Resolve", {"id": gid, "resolution": "x", "expectedVersion": 1})
    assert stale["errors"] == [{"code": "STALE_STATE", "field": "id"}]
    async with demo.session_factory() as s:
        pd_admin = (await s.execute(select(User.id).where(User.username == "pd_admin"))).scalar_one()
    assigned = await act(gql, "Assign", {"id": gid, "ownerId": to_global_id("User", pd_admin), "comment": "请浦东核查"})
    assert assigned["alert"]["owner"] == {"username": "pd_admin"}
    assert (await act(gql, "Comment", {"id": gid, "text": " "}))["errors"] == [{"code": "INVALID_INPUT", "field": "text"}]
    await act(gql, "Comment", {"id": gid, "text": "已联系运营商"})
    assert (await act(gql, "Resolve", {"id": gid, "resolution": ""}))["errors"] == [
        {"code": "INVALID_INPUT", "field": "resolution"}
    ]
    done = await act(gql, "Resolve", {"id": gid, "resolution": "运营商已修复光缆"})
    assert done["alert"]["status"] == "RESOLVED"
    assert [(h["kind"], h["actorName"]) for h in done["alert"]["history"]] == [
        ("FIRED", "系统"), ("ACKNOWLEDGED", "运营值班员"), ("ASSIGNED", "运营值班员"), ("COMMENTED", "运营值班员"),
        ("RESOLVED", "运营值班员"),
    ]  # fmt: skip
    assert (await act(gql, "Resolve", {"id": gid, "resolution": "再次"}))["errors"][0]["code"] == "INVALID_TRANSITION"
    refused = await gql(ACT.format(op="Comment"), {"i": {"id": gid, "text": "看看"}}, as_user="pd_admin")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # seeing is not handling
    logged = await gql('{ auditEvents(first: 10, filter: {operation: "alerts.acknowledge"}) { totalCount } }', as_user="auditor")
    assert logged["data"]["auditEvents"]["totalCount"] == 1


async def test_statistics_by_kind_severity_source_and_day(demo, gql):
    await raise_(demo, "a", unit="D-PD", kind=AlertKind.UPF)
    await raise_(demo, "b", unit="D-PD", kind=AlertKind.UPF, at=T0 + timedelta(days=1))
    await raise_(demo, "c", unit="D-HP", kind=AlertKind.BUSINESS, severity=AlertSeverity.CRITICAL)
    q = """{ alertStatistics(grain: DAY) { byKind { key count } bySeverity { key count } bySource { key count }
      byPeriod { period kind count } } }"""
    stats = (await gql(q, as_user="operator"))["data"]["alertStatistics"]
    assert stats["byKind"] == [{"key": "UPF", "count": 2}, {"key": "BUSINESS", "count": 1}]
    assert stats["bySource"] == [{"key": "test", "count": 3}]
    assert stats["byPeriod"] == [
        {"period": "2026-11-29", "kind": "BUSINESS", "count": 1}, {"period": "2026-11-29", "kind": "UPF", "count": 1},
        {"period": "2026-11-30", "kind": "UPF", "count": 1},
    ]  # fmt: skip
    pd = (await gql(q, as_user="pd_user"))["data"]["alertStatistics"]
    assert pd["byKind"] == [{"key": "UPF", "count": 2}]


async def test_subscribers_get_the_alerts_their_filter_and_scope_allow(demo, gql, served):
    query = "subscription { alertFired(filter: {severities: [CRITICAL]}) { title severity } }"
    ws, sub = await open_subscription(served, await gql.token("pd_admin"), query)
    try:
        await raise_(demo, "hp:9", unit="D-HP", severity=AlertSeverity.CRITICAL)  # another unit's
        await raise_(demo, "pd:8", unit="D-PD", severity=AlertSeverity.MINOR)  # not critical
        await raise_(demo, "pd:9", unit="D-PD", severity=AlertSeverity.CRITICAL)
        message = await sub.next()
    finally:
        await ws.close()
    assert message["payload"]["data"]["alertFired"] == {"title": "告警 pd:9", "severity": "CRITICAL"}


ALERT_SCREEN = """query($n: Int) { alerts(first: $n, filter: {statuses: [FIRING]}, sort: FIRST_SEEN_DESC) { totalCount totalCountIsEstimate
  edges { node { id kind severity status title count firstSeenAt unit { name } owner { displayName } history { kind } } } } }"""


async def test_the_alert_list_issues_the_same_statements_for_any_page_size(demo, gql):
    from tests.resolvers.test_read_path import StatementCounter

    for n in range(24):
        await raise_(demo, f"upf:{n}", unit=("D-PD", "D-HP", "B-GA")[n % 3], at=T0 + timedelta(minutes=n))

    async def statements(n: int, user: str) -> int:
        await gql(ALERT_SCREEN, {"n": n}, as_user=user)  # warm: login and caches out of the count
        with StatementCounter(demo.engine) as counter:
            answer = await gql(ALERT_SCREEN, {"n": n}, as_user=user)
        assert len(answer["data"]["alerts"]["edges"]) == min(n, 24 if user == "operator" else 8), answer
        return counter.count

    for user in ("operator", "pd_admin"):
        assert await statements(3, user) == await statements(20, user)
