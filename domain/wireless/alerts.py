"""Security alerts the wireless support platform pushes in: terminal abnormal behaviour, stored as alerts of kind
TERMINAL_BEHAVIOUR on the card (deduplicated by the platform's fingerprint), ready for the alerts module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.db.uow import UnitOfWork
from domain.alerts import service as alerts
from domain.alerts.enums import AlertKind, AlertSeverity
from domain.wireless.models import SimCard, TerminalAccount

SOURCE = "wireless_support"


@dataclass(frozen=True)
class PushedAlert:
    fingerprint: str
    account_name: str
    iccid: str
    severity: AlertSeverity
    title: str
    detail: str | None
    occurred_at: datetime


async def record(uow: UnitOfWork, pushed: list[PushedAlert]) -> tuple[int, int]:
    """Store each alert on its card (a repeat of a firing one counts up); returns (stored, of unknown cards)."""
    s = uow.session
    iccids = sorted({a.iccid for a in pushed})
    cards = {c.iccid: c for c in (await s.execute(select(SimCard).where(SimCard.iccid.in_(iccids)))).scalars()}
    accounts = {a.account_name for a in pushed}
    known = set(
        (await s.execute(select(TerminalAccount.account_name).where(TerminalAccount.account_name.in_(accounts)))).scalars()
    )
    unknown = 0
    for a in pushed:
        card = cards.get(a.iccid)
        unknown += card is None
        await alerts.fire(
            uow, kind=AlertKind.TERMINAL_BEHAVIOUR, severity=a.severity, source=SOURCE, fingerprint=f"{SOURCE}:{a.fingerprint}",
            title=a.title, detail=a.detail,
            labels={"accountName": a.account_name, "iccid": a.iccid, "occurredAt": a.occurred_at.isoformat(),
                    "accountKnown": a.account_name in known},
            target=("SimCard", card.id) if card else None, unit_id=card.unit_id if card else None, now=a.occurred_at,
        )  # fmt: skip
    return len(pushed), unknown
