"""Security alerts the wireless support platform pushes in: stored on the card as TERMINAL_BEHAVIOUR alerts,
deduplicated by the platform's fingerprint, signed and persisted like every third-party call."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from domain.alerts.models import Alert
from domain.wireless.models import SimCard
from tests.wireless.test_changes import opened


def alert(iccid: str, fingerprint: str = "fp-1", account: str = "ZD00000001") -> dict[str, object]:
    return {"fingerprint": fingerprint, "accountName": account, "iccid": iccid, "kind": "TERMINAL_BEHAVIOUR",
            "severity": "MAJOR", "title": "终端访问未授权应用", "detail": "连续访问非白名单地址",
            "occurredAt": "2026-11-28T08:00:00+08:00"}  # fmt: skip


async def test_pushed_alerts_land_on_their_cards_once_per_fingerprint(registry, platforms, gql):
    [iccid] = await opened(gql, registry)
    support = platforms.support.state.support
    first = await support.push_alerts([alert(iccid), alert("89860000000000000009", "fp-2")])
    again = await support.push_alerts([alert(iccid)])
    answers = [orjson.loads(a["answer"])["data"]["wirelessSecurityAlertPush"] for a in (first[-1], again[-1])]
    assert answers == [{"stored": 2, "unknownCards": 1}, {"stored": 1, "unknownCards": 0}]
    async with registry.services.session_factory() as s:
        card_id = (await s.execute(select(SimCard.id).where(SimCard.iccid == iccid))).scalar_one()
        rows = list((await s.execute(select(Alert).order_by(Alert.id))).scalars())
    assert [(a.kind.value, a.target_type, a.target_id, a.count) for a in rows] == [
        ("TERMINAL_BEHAVIOUR", "SimCard", card_id, 2), ("TERMINAL_BEHAVIOUR", None, None, 1),
    ]  # fmt: skip
    assert rows[0].labels["iccid"] == iccid and rows[0].source == "wireless_support"
