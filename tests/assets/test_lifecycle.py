"""Lifecycle reminders with a frozen clock: 90, 30, 7 and 0 days before the end of life, then every day until someone
acts; retiring the asset ends them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from domain.alerts import service as alerts
from domain.alerts.enums import AlertKind, AlertStatus
from domain.alerts.models import Alert
from domain.assets import lifecycle, service
from domain.assets.enums import AssetEventKind, AssetStatus
from domain.assets.models import Asset, AssetEvent
from domain.notifications.models import Notification, NotificationKind
from tests.workorders.helpers import actor

EOL = date(2028, 1, 1)  # commissioned 2020-01-01, eight years of service life


async def run(services, day: date) -> int:
    async with services.unit_of_work() as uow:
        return await lifecycle.remind(uow, day, now=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=1))


async def test_reminders_fire_at_90_30_7_and_0_days_and_daily_after_until_acknowledged(catalogue):
    asset_id = await catalogue.asset("HW2020000001")
    async with catalogue.services.session_factory() as s:
        assert (await s.get(Asset, asset_id)).end_of_life == EOL
    fired = {}
    for offset in range(-120, 4):
        day = EOL + timedelta(days=offset)
        if await run(catalogue.services, day):
            fired[offset] = day
    assert sorted(fired) == [-90, -30, -7, 0, 1, 2, 3]
    assert await run(catalogue.services, EOL + timedelta(days=3)) == 0  # twice on one day fires once
    async with catalogue.services.session_factory() as s:
        firing = list((await s.execute(select(Alert).where(Alert.kind == AlertKind.ASSET_LIFECYCLE)
                                       .order_by(Alert.id))).scalars())  # fmt: skip
        events = list((await s.execute(select(AssetEvent.detail).where(AssetEvent.kind == AssetEventKind.REMINDED))).scalars())
        notices = (
            await s.execute(select(Notification.title).where(Notification.kind == NotificationKind.ASSET_REMINDER))
        ).scalars()
        notices = list(notices)
    # One alert per threshold; each new one resolves the one before; the 0-day one counts the daily repeats.
    assert [(a.labels["threshold"], a.status, a.count) for a in firing] == [
        (90, AlertStatus.RESOLVED, 1), (30, AlertStatus.RESOLVED, 1), (7, AlertStatus.RESOLVED, 1), (0, AlertStatus.FIRING, 4),
    ]  # fmt: skip
    assert [e["daysLeft"] for e in events] == [90, 30, 7, 0, -1, -2, -3]
    assert notices and all("使用年限到期" in t for t in notices)

    async with catalogue.services.unit_of_work() as uow:  # someone takes it on
        await alerts.acknowledge(uow, await actor(catalogue.services, "operator"), firing[-1].id, "已列入更换计划")
    assert await run(catalogue.services, EOL + timedelta(days=4)) == 0
    assert await run(catalogue.services, EOL + timedelta(days=30)) == 0


async def test_warranty_reminders_and_retirement_ends_them(catalogue):
    asset_id = await catalogue.asset("HW2020000002", warranty=date(2027, 6, 30))
    assert await run(catalogue.services, date(2027, 6, 30) - timedelta(days=30)) == 1
    async with catalogue.services.session_factory() as s:
        [alert] = (await s.execute(select(Alert).where(Alert.kind == AlertKind.ASSET_LIFECYCLE))).scalars()
    assert alert.labels["reminder"] == "WARRANTY" and alert.target_id == asset_id
    async with catalogue.services.unit_of_work() as uow:
        await service.change_status(uow, await actor(catalogue.services, "operator"), asset_id, AssetStatus.RETIRED, "报废")
    async with catalogue.services.session_factory() as s:
        assert (await s.get(Alert, alert.id)).status is AlertStatus.RESOLVED
    assert await run(catalogue.services, date(2027, 6, 30)) == 0  # retired: no more reminders


async def test_moving_the_end_of_life_restarts_the_reminders(catalogue):
    asset_id = await catalogue.asset("HW2020000003")
    assert await run(catalogue.services, EOL - timedelta(days=30)) == 1
    who = await actor(catalogue.services, "operator")
    async with catalogue.services.unit_of_work() as uow:  # a model with a longer life: the reminders wait again
        model = await service.save_model(uow, who, service.ModelFields("华为", "NE40E", service.AssetType.ROUTER, 10,
                                                                     software="V800R021"), catalogue.models["NE40E"])  # fmt: skip
    async with catalogue.services.session_factory() as s:
        asset = await s.get(Asset, asset_id)
        assert (asset.end_of_life, asset.eol_notice_days, model.lifespan_years) == (date(2030, 1, 1), None, 10)
    assert await run(catalogue.services, EOL - timedelta(days=29)) == 0
    assert await run(catalogue.services, date(2030, 1, 1) - timedelta(days=90)) == 1
