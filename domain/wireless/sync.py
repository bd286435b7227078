"""What the platforms report back on their own: the carriers' daily traffic per card, the support platform's
user sync (who is online). Jobs fetch the reports; these functions store them (idempotent: a day read twice
is written once)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, insert, select

from core.db.uow import UnitOfWork
from domain.wireless.models import SimCard, SimCardTraffic, TerminalAccount, UnitTraffic


async def record_traffic(uow: UnitOfWork, day: date, rows: list[tuple[str, int, int]]) -> int:
    """Store one day's (ICCID, uplink, downlink) for the cards we know (a repeat of the day replaces it)."""
    iccids = sorted({r[0] for r in rows})
    known: dict[str, int] = {}
    for i in range(0, len(iccids), 1000):
        chunk = iccids[i : i + 1000]
        known |= dict((await uow.session.execute(select(SimCard.iccid, SimCard.id).where(SimCard.iccid.in_(chunk)))).all())
    values = [{"card_id": known[i], "day": day, "uplink_bytes": up, "downlink_bytes": down} for i, up, down in rows if i in known]
    if values:
        ids = [v["card_id"] for v in values]
        for i in range(0, len(ids), 1000):
            await uow.session.execute(
                delete(SimCardTraffic).where(SimCardTraffic.day == day, SimCardTraffic.card_id.in_(ids[i : i + 1000]))
            )
        await uow.session.execute(insert(SimCardTraffic), values)
        await roll_unit_traffic(uow, day)
    return len(values)


async def roll_unit_traffic(uow: UnitOfWork, day: date) -> None:
    """The day's per-unit totals, summed again from the cards' rows (exact whatever part of the day was re-sent),
    each card counted in the unit that holds it now."""
    t, c, u = SimCardTraffic.__table__.c, SimCard.__table__.c, UnitTraffic.__table__.c
    await uow.session.execute(delete(UnitTraffic).where(u.day == day))
    totals = (
        select(c.unit_id, t.day, func.sum(t.uplink_bytes), func.sum(t.downlink_bytes), func.count())
        .select_from(SimCardTraffic.__table__.join(SimCard.__table__, c.id == t.card_id))
        .where(t.day == day)
        .group_by(c.unit_id, t.day)
    )
    await uow.session.execute(
        insert(UnitTraffic).from_select(["unit_id", "day", "uplink_bytes", "downlink_bytes", "cards"], totals)
    )


async def sync_users(uow: UnitOfWork, users: list[tuple[str, bool, datetime | None]], now: datetime) -> int:
    """Set each known terminal account online or not, as the support platform sees it now."""
    by_name = {name: (online, seen) for name, online, seen in users}
    accounts = (
        await uow.session.execute(select(TerminalAccount).where(TerminalAccount.account_name.in_(sorted(by_name))))
    ).scalars()
    changed = 0
    for account in accounts:
        online, seen = by_name[account.account_name]
        if account.online != online or (seen and account.last_seen_at != seen):
            account.online, account.last_seen_at, account.updated_at = online, seen or account.last_seen_at, now
            changed += 1
    return changed
