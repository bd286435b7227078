"""Alerts of the configured severity open a fault, once, with its clocks started at the alert's first occurrence;
silenced alerts open none until their silence ends while they still fire."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.clock import utcnow
from core.ids import to_global_id
from domain.alerts import service, silences
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.catalog.enums import ServiceDomain
from domain.faults.enums import FaultLevel, FaultStage
from domain.faults.models import Fault
from domain.identity.models import OrgUnit
from domain.wireless.models import SimCard
from domain.workorders import timers
from domain.workorders.models import WorkOrder, WorkOrderSla
from tests.faults.conftest import RETURN, decide
from tests.workorders.helpers import actor
from tests.workorders.test_dispatch import drive


async def fire(services: Any, fingerprint: str, *, severity: AlertSeverity = AlertSeverity.CRITICAL, at: Any = None,
               card: bool = True) -> int:  # fmt: skip
    async with services.unit_of_work() as uow:
        target = None
        unit_id = None
        if card:
            found = (await uow.session.execute(select(SimCard).order_by(SimCard.id).limit(1))).scalar_one()
            target, unit_id = ("SimCard", found.id), found.unit_id
        alert = await service.fire(uow, kind=AlertKind.UPF, severity=severity, source="carrier:TELECOM",
                                   fingerprint=fingerprint, title=f"UPF不可达 {fingerprint}", detail="专网卡所在UPF无响应",
                                   target=target, unit_id=unit_id, now=at)  # fmt: skip
    return alert.id


async def faults(services: Any) -> list[tuple[Fault, WorkOrder]]:
    async with services.session_factory() as s:
        rows = await s.execute(select(Fault, WorkOrder).join(WorkOrder, WorkOrder.id == Fault.order_id).order_by(Fault.id))
        return [(fault, order) for fault, order in rows]


async def test_a_critical_alert_opens_a_fault_whose_clocks_start_at_the_alert(records):
    fired = utcnow().replace(microsecond=0) - timedelta(hours=3)
    alert_id = await fire(records, "term:1", at=fired)
    await fire(records, "term:1")  # a repeat: the same alert, no second fault
    await drive(records)
    [(fault, order)] = await faults(records)
    async with records.session_factory() as s:
        pd = (await s.execute(select(OrgUnit.id).where(OrgUnit.code == "D-PD"))).scalar_one()
        clocks = {
            c.step or "order": c
            for c in (await s.execute(select(WorkOrderSla).where(WorkOrderSla.order_id == order.id))).scalars()
        }
    assert (fault.alert_id, fault.level, fault.domain, fault.stage) == (
        alert_id,
        FaultLevel.LEVEL_1,
        ServiceDomain.WIRELESS,
        FaultStage.REVIEWING,
    )
    assert (order.applicant_id, order.unit_id, fault.unit_id, fault.reporter_id) == (None, pd, pd, None)
    assert fault.sim_card_id is not None and fault.occurred_at == fired
    # Both clocks started when the alert fired: the hour to respond ran out two hours ago.
    assert clocks["order"].intervals[0][0] == fired.isoformat() and clocks["review"].intervals[0][0] == fired.isoformat()
    assert clocks["review"].due_at <= utcnow()
    assert abs(clocks["order"].due_at - (fired + timedelta(hours=4))) < timedelta(seconds=1)
    async with records.unit_of_work() as uow:
        ticked = await timers.tick(uow, utcnow())
    assert ticked.breached == 1  # the response is overdue; the repair still has an hour
    await drive(records)
    assert len(await faults(records)) == 1  # the job ran once per alert


async def test_a_fault_the_system_opened_cannot_be_returned_to_nobody(records, gql):
    await fire(records, "term:2")
    await drive(records)
    [(_fault, order)] = await faults(records)
    answer = await decide(gql, RETURN, {"id": to_global_id("WorkOrder", order.id), "reason": "请补充"})
    assert answer["errors"][0]["code"] == "INVALID_TRANSITION"


async def test_lesser_alerts_open_none_unless_the_threshold_says_so(records, monkeypatch):
    await fire(records, "term:3", severity=AlertSeverity.MAJOR)
    await drive(records)
    assert await faults(records) == []
    monkeypatch.setenv("GOVOPS_FAULT_ALERT_SEVERITY", "MAJOR")
    service.get_settings.cache_clear()
    try:
        await fire(records, "term:4", severity=AlertSeverity.MAJOR, card=False)
        await drive(records)
    finally:
        monkeypatch.delenv("GOVOPS_FAULT_ALERT_SEVERITY")
        service.get_settings.cache_clear()
    [(fault, order)] = await faults(records)
    # An alert of no unit is the Big Data Center's; a carrier's alert is a wireless one.
    async with records.session_factory() as s:
        assert (await s.get(OrgUnit, order.unit_id)).code == "SHBDC"
    assert (fault.level, fault.domain, fault.sim_card_id) == (FaultLevel.LEVEL_2, ServiceDomain.WIRELESS, None)


async def test_a_silenced_alert_opens_no_fault_until_its_silence_ends_while_it_fires(records):
    now = utcnow()
    async with records.unit_of_work() as uow:
        silence = await silences.create(uow, await actor(records, "operator"), silences.SilenceSpec(
            comment="割接窗口", starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1),
            kinds=[AlertKind.UPF]), now=now)  # fmt: skip
    await fire(records, "term:5", at=now)
    await drive(records)
    assert await faults(records) == []
    async with records.unit_of_work() as uow:
        await silences.cancel(uow, await actor(records, "operator"), silence.id, now=now + timedelta(minutes=1))
    async with records.unit_of_work() as uow:
        assert (await service.silence_tick(uow, now + timedelta(minutes=2)))["unsilenced"] == 1
    await drive(records)
    [(fault, _order)] = await faults(records)
    assert fault.occurred_at == now  # the clock still starts at the alert
