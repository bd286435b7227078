"""Security alerts reach the integrated operations platform once, through retries; a push that cannot get through
leaves a business alert."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.clock import utcnow
from domain.alerts import push, service
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.alerts.models import Alert
from integrations import registry as platform_registry
from integrations.base.serve import serve
from integrations.operations_platform.gateway import operations_gateway
from integrations.operations_platform.simulator import create_operations_simulator
from jobs.interface_log import recorder
from tests.workorders.test_dispatch import drive


@pytest.fixture
async def operations(demo: Any) -> AsyncIterator[Any]:
    app = create_operations_simulator()
    async with serve(app) as url:
        gateway = operations_gateway(url, recorder(demo.session_factory), timeout=2)
        platform_registry.register(gateway)
        try:
            yield app
        finally:
            platform_registry.unregister(gateway.platform)
            await gateway.client.close()


async def fire(services: Any, fingerprint: str, kind: AlertKind = AlertKind.NETWORK_SECURITY) -> int:
    async with services.unit_of_work() as uow:
        alert = await service.fire(uow, kind=kind, severity=AlertSeverity.CRITICAL, source="border-ids",
                                   fingerprint=fingerprint, title=f"边界攻击 {fingerprint}", labels={"srcIp": "203.0.113.9"})  # fmt: skip
    return alert.id


async def test_a_security_alert_arrives_once_even_after_two_failures(demo, operations):
    operations.state.sim.fail("500", times=2, operation="security_alert")
    alert_id = await fire(demo, "ids:1")
    await fire(demo, "ids:1")  # a repeat counts on the alert: not pushed again
    await fire(demo, "upf:1", AlertKind.UPF)  # not a security alert
    await drive(demo)
    received = operations.state.operations.alerts
    assert [(a["alertId"], a["kind"], a["labels"]) for a in received] == [
        (alert_id, "NETWORK_SECURITY", {"srcIp": "203.0.113.9"})
    ]
    assert operations.state.sim.calls_by_operation["security_alert"] == 3
    await drive(demo)  # nothing left to send
    assert len(operations.state.operations.alerts) == 1


async def test_pushes_that_never_get_through_raise_one_outage_alert_and_go_out_when_the_platform_is_back(demo, operations):
    operations.state.sim.fail("down", times=None, operation="security_alert")
    first, second = await fire(demo, "ids:2"), await fire(demo, "ids:3")
    await drive(demo)
    assert operations.state.operations.alerts == []
    async with demo.session_factory() as s:
        stuck = (await s.execute(select(Alert).where(Alert.kind == AlertKind.BUSINESS))).scalar_one()
    assert (stuck.source, stuck.count, stuck.status.value) == ("operations_platform", 2, "FIRING")  # one per outage
    operations.state.sim.clear_failures()
    async with demo.unit_of_work() as uow:
        assert await push.retry_unpushed(uow, utcnow() + timedelta(minutes=11)) == 2
    await drive(demo)
    assert sorted(a["alertId"] for a in operations.state.operations.alerts) == [first, second]
    async with demo.session_factory() as s:
        assert (await s.get(Alert, stuck.id)).status.value == "RESOLVED"  # type: ignore[union-attr]
        assert all(a.pushed_at for a in (await s.execute(select(Alert).where(Alert.id.in_([first, second])))).scalars())
    async with demo.unit_of_work() as uow:
        assert await push.retry_unpushed(uow, utcnow() + timedelta(minutes=11)) == 0  # nothing left to send
