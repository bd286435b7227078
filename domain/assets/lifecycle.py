"""Lifecycle reminders (年限告警, 保修到期): at 90, 30, 7 and 0 days before an asset's end of life or warranty end, and
every day after 0 until someone acts on it (acknowledges or resolves its alert).

The daily `assets.lifecycle` cron asks each asset that is not retired and whose date falls within 90 days which
threshold it has reached; a threshold not noticed yet fires: an ASSET_LIFECYCLE alert on the asset (one per
threshold; the previous threshold's resolves, superseded), a notice to the unit's administrators and the duty desk,
and a REMINDED entry in the asset's history. After 0 it fires again each day while its alert is neither acknowledged
nor resolved by hand. Retiring the asset, or moving its dates out of reach, resolves its reminder alerts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.alerts import service as alerts
from domain.alerts.enums import AlertKind, AlertSeverity, AlertStatus
from domain.alerts.models import Alert
from domain.assets.enums import REMINDER_DAYS, AssetEventKind, AssetStatus, ReminderKind
from domain.assets.models import Asset
from domain.assets.service import history
from domain.notifications.models import NotificationKind
from domain.notifications.service import notify
from domain.workorders.enums import ScopeKind
from domain.workorders.repository import holders

SOURCE = "asset-lifecycle"
BATCH = 500
SEVERITY = {90: AlertSeverity.WARNING, 30: AlertSeverity.MINOR, 7: AlertSeverity.MINOR, 0: AlertSeverity.MAJOR}
WHAT = {ReminderKind.END_OF_LIFE: "使用年限到期", ReminderKind.WARRANTY: "保修到期"}
COLUMNS = {  # the date, the last threshold noticed, when
    ReminderKind.END_OF_LIFE: ("end_of_life", "eol_notice_days", "eol_noticed_on"),
    ReminderKind.WARRANTY: ("warranty_until", "warranty_notice_days", "warranty_noticed_on"),
}


def threshold(days_left: int) -> int | None:
    """The nearest threshold reached (90, 30, 7 or 0), or None while more than 90 days remain."""
    reached = [t for t in REMINDER_DAYS if days_left <= t]
    return min(reached) if reached else None


def fingerprint(asset_id: int, kind: ReminderKind, days: int) -> str:
    return f"asset:{asset_id}:{kind.value.lower()}:{days}"


async def _acted(uow: UnitOfWork, asset_id: int, kind: ReminderKind) -> bool:
    """Whether someone acted on the 0-day reminder: its latest alert was acknowledged or resolved by hand."""
    stmt = select(Alert.acknowledged_at, Alert.resolved_by_id).where(Alert.fingerprint == fingerprint(asset_id, kind, 0))
    latest = (await uow.session.execute(stmt.order_by(Alert.id.desc()).limit(1))).first()
    return latest is not None and (latest.acknowledged_at is not None or latest.resolved_by_id is not None)


async def remind(uow: UnitOfWork, today: date, now: datetime | None = None, batch: int = BATCH) -> int:
    """Fire the reminders due `today` (Beijing date); returns how many fired. Run daily (a second run on the same day
    fires nothing). Every candidate is read, in keyset batches by id, so none waits behind others."""
    now = now or utcnow()
    fired = 0
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    for kind, (date_col, days_col, on_col) in COLUMNS.items():
        column, noticed_on = getattr(Asset, date_col), getattr(Asset, on_col)
        last_id = 0
        while True:
            stmt = (
                select(Asset)
                .where(Asset.id > last_id, Asset.status != AssetStatus.RETIRED, column.is_not(None), column <= horizon,
                       or_(noticed_on.is_(None), noticed_on < today))
                .order_by(Asset.id).limit(batch).with_for_update(skip_locked=True)
            )  # fmt: skip
            assets = list((await uow.session.execute(stmt)).scalars())
            if not assets:
                break
            last_id = assets[-1].id
            for asset in assets:
                days_left = (getattr(asset, date_col) - today).days
                reached, last = threshold(days_left), getattr(asset, days_col)
                if reached is None:
                    continue
                new = last is None or reached < last
                again = reached == 0 and last == 0 and not await _acted(uow, asset.id, kind)
                if not (new or again):
                    continue
                await _fire(uow, asset, kind, reached, days_left, now, supersede=last if new and last is not None else None)
                setattr(asset, days_col, reached)
                setattr(asset, on_col, today)
                fired += 1
    return fired


async def _fire(uow: UnitOfWork, asset: Asset, kind: ReminderKind, reached: int, days_left: int, now: datetime, *,
                supersede: int | None) -> None:  # fmt: skip
    when = f"剩余{days_left}天" if days_left > 0 else ("今天到期" if days_left == 0 else f"已过期{-days_left}天")
    title = f"{WHAT[kind]}：{asset.name}（{asset.serial}）{when}"
    if supersede is not None:
        await alerts.resolve(
            uow, fingerprint(asset.id, kind, supersede), "进入下一提醒阶段 / superseded by the next reminder", now
        )
    await alerts.fire(
        uow, kind=AlertKind.ASSET_LIFECYCLE, severity=SEVERITY[reached], source=SOURCE,
        fingerprint=fingerprint(asset.id, kind, reached), title=title[:300],
        detail=f"{WHAT[kind]}日期 {(asset.end_of_life if kind is ReminderKind.END_OF_LIFE else asset.warranty_until)}",
        labels={"reminder": kind.value, "threshold": reached, "serial": asset.serial}, target=("Asset", asset.id),
        unit_id=asset.unit_id, now=now,
    )  # fmt: skip
    people = {h[0] for h in await holders(uow.session, "unit_admin", ScopeKind.ORDER_UNIT, await _unit_path(uow, asset))}
    people |= {h[0] for h in await holders(uow.session, alerts.DUTY_DESK, ScopeKind.MANAGEMENT, "/")}
    notify(uow, sorted(people), NotificationKind.ASSET_REMINDER, title, target=("Asset", asset.id), now=now)
    history(uow, asset, AssetEventKind.REMINDED, now, reminder=kind.value, threshold=reached, daysLeft=days_left)


async def _unit_path(uow: UnitOfWork, asset: Asset) -> str:
    from domain.identity.models import OrgUnit

    unit = await uow.session.get(OrgUnit, asset.unit_id)
    return unit.path if unit is not None else "/"


async def settle(uow: UnitOfWork, asset: Asset, why: str, now: datetime) -> int:
    """The asset's reminders no longer apply (retired, dates moved): resolve its firing reminder alerts."""
    stmt = select(Alert.fingerprint).where(Alert.kind == AlertKind.ASSET_LIFECYCLE, Alert.target_type == "Asset",
                                           Alert.target_id == asset.id, Alert.status == AlertStatus.FIRING)  # fmt: skip
    done = 0
    for (print_,) in list(await uow.session.execute(stmt)):
        done += await alerts.resolve(uow, print_, why, now)
    return done
