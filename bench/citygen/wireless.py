"""SIM cards of the 5G private network, their terminal accounts and their daily traffic.

Numbers come from the carriers' own generators with the demo's seeds, skipping the draws the demo used, so every
ICCID, IMSI and MSISDN is well formed and none repeats. Cards spread over the units by the units' sizes.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.citygen.base import Gen, Picker, Progress, chunks
from bench.citygen.identity import Organisation, person_name
from core.db.engine import create_session_factory
from core.db.uow import UnitOfWork
from domain.wireless.enums import Carrier, SimCardDomain, SimCardEventKind, SimCardStatus, TerminalAccountStatus
from domain.wireless.sync import roll_unit_traffic
from integrations.carriers.numbers import NumberGenerator, luhn_complete

CARRIER_SHARE = [(Carrier.MOBILE, 40), (Carrier.TELECOM, 30), (Carrier.UNICOM, 20), (Carrier.CBN, 10)]
STATUS_SHARE = [(SimCardStatus.ACTIVE, 86), (SimCardStatus.SUSPENDED, 4), (SimCardStatus.CANCELLED, 7), (SimCardStatus.APPLIED, 1),
                (SimCardStatus.REPLACED, 2)]  # fmt: skip
CARD_COLUMNS = ["id", "iccid", "msisdn", "msisdn_bidx", "imsi", "domain", "carrier", "plan_id", "unit_id", "holder_name", "holder_phone",
                "status", "imei", "activated_at", "cancelled_at", "version", "created_at", "updated_at"]  # fmt: skip
EVENT_COLUMNS = ["card_id", "kind", "from_status", "to_status", "order_id", "actor_name", "at", "detail"]
ACCOUNT_COLUMNS = ["id", "card_id", "account_name", "holder_name", "status", "online", "last_seen_at", "created_at", "updated_at",
                   "closed_at"]  # fmt: skip


async def cards(g: Gen, org: Organisation, progress: Progress) -> None:
    started = time.monotonic()
    have = {r["carrier"]: r["n"] for r in await g.conn.fetch("SELECT carrier, count(*) AS n FROM sim_card GROUP BY carrier")}
    total = g.n(60_000) - sum(have.values())
    if total <= 0:
        return
    generators = {c: NumberGenerator(c.value, seed=9000 + i) for i, c in enumerate(Carrier)}  # the demo's (cli.demo_numbers)
    for carrier, gen in generators.items():
        for _ in range(have.get(carrier.value, 0)):  # the demo's draws: skip them
            gen.iccid(), gen.msisdn(), gen.imsi()
    plans: dict[str, list[int]] = {}
    for r in await g.conn.fetch("SELECT id, carrier FROM sim_plan ORDER BY id"):
        plans.setdefault(r["carrier"], []).append(r["id"])
    apps = [r["id"] for r in await g.conn.fetch("SELECT id FROM application ORDER BY id")]
    carrier_of = Picker([c for c, _ in CARRIER_SHARE], [w for _, w in CARRIER_SHARE])
    status_of = Picker([s for s, _ in STATUS_SHARE], [w for _, w in STATUS_SHARE])
    account_no = int(await g.conn.fetchval("SELECT count(*) FROM terminal_account")) + 20_000_000
    for part in chunks(total, 20_000):
        card_rows, event_rows, account_rows, app_rows = [], [], [], []
        card_ids = await g.ids("sim_card", len(part))
        account_ids = await g.ids("terminal_account", len(part))
        for cid, aid in zip(card_ids, account_ids, strict=True):
            carrier = carrier_of(g.rng)
            gen = generators[carrier]
            iccid, msisdn, imsi = gen.iccid(), gen.msisdn(), gen.imsi()
            status = status_of(g.rng)
            opened = g.working_instant(g.now - timedelta(days=1100), g.now - timedelta(hours=2))
            activated = None if status is SimCardStatus.APPLIED else opened + timedelta(hours=g.rng.randint(2, 72))
            ended = None
            if status in (SimCardStatus.CANCELLED, SimCardStatus.REPLACED) and activated is not None:
                ended = min(activated + timedelta(days=g.rng.randint(30, 700)), g.now - timedelta(hours=1))
            holder, phone = person_name(g), f"13{g.rng.randrange(10**9):09d}"
            unit = org.unit_picker(g.rng)
            imei = (
                luhn_complete(f"86{g.rng.randrange(10**12):012d}")
                if status is SimCardStatus.ACTIVE and g.rng.random() < 0.7
                else None
            )
            updated = ended or activated or opened
            card_rows.append((
                cid, iccid, g.seal("sim_card.msisdn", msisdn), g.phone_index("sim_card.msisdn", msisdn), imsi,
                (SimCardDomain.DUAL if g.rng.random() < 0.3 else SimCardDomain.SINGLE).value, carrier.value,
                g.rng.choice(plans[carrier.value]), unit.id, holder, g.seal("sim_card.holder_phone", phone), status.value, imei,
                activated, ended if status is SimCardStatus.CANCELLED else None, 1 + (ended is not None), opened, updated,
            ))  # fmt: skip
            event_rows.append(
                (cid, SimCardEventKind.REGISTERED.value, None, SimCardStatus.APPLIED.value, None, "carrier", opened, "{}")
            )
            if activated is not None:
                event_rows.append((cid, SimCardEventKind.ACTIVATED.value, SimCardStatus.APPLIED.value, SimCardStatus.ACTIVE.value, None,
                                   "carrier", activated, "{}"))  # fmt: skip
            if ended is not None or status is SimCardStatus.SUSPENDED:
                event_rows.append((cid, SimCardEventKind.STATUS_CHANGED.value, SimCardStatus.ACTIVE.value, status.value, None,
                                   person_name(g), ended or updated, "{}"))  # fmt: skip
            if status in (SimCardStatus.ACTIVE, SimCardStatus.SUSPENDED):
                account_no += 1
                online = status is SimCardStatus.ACTIVE and g.rng.random() < 0.35
                seen = g.now - timedelta(minutes=g.rng.randint(1, 20_000))
                account_rows.append((aid, cid, f"ZD{account_no}", holder, TerminalAccountStatus.ACTIVE.value, online, seen,
                                     activated or opened, activated or opened, None))  # fmt: skip
                for app in g.rng.sample(apps, g.rng.randint(1, 3)):
                    app_rows.append((aid, app))
        await g.copy("sim_card", CARD_COLUMNS, card_rows)
        await g.copy("sim_card_event", EVENT_COLUMNS, event_rows)
        await g.copy("terminal_account", ACCOUNT_COLUMNS, account_rows)
        await g.copy("terminal_account_application", ["account_id", "application_id"], app_rows)
    progress.stage("sim_card (+ events, accounts)", g.counts.get("sim_card", 0), started)


async def traffic(g: Gen, engine: AsyncEngine, progress: Progress) -> None:
    """35 days of traffic for every live card (the demo's too), and the per-unit totals the overview reads."""
    started = time.monotonic()
    # Daily traffic of every live card for the last 35 days: heavy-tailed, quieter at weekends. One statement.
    await g.conn.execute(
        """
        INSERT INTO sim_card_traffic (card_id, day, uplink_bytes, downlink_bytes)
        SELECT c.id, d::date,
               (w.base * 0.25 * (0.6 + random() * 0.8) * CASE WHEN extract(isodow FROM d) >= 6 THEN 0.3 ELSE 1 END)::bigint,
               (w.base * (0.6 + random() * 0.8) * CASE WHEN extract(isodow FROM d) >= 6 THEN 0.3 ELSE 1 END)::bigint
        FROM sim_card c
        CROSS JOIN LATERAL (SELECT (exp(random() * 6) * 2000000 + c.id * 0)::float8 AS base) w  -- per card (correlated)
        CROSS JOIN generate_series(($1::date - 35), ($1::date - 1), interval '1 day') d
        WHERE c.status IN ('ACTIVE', 'SUSPENDED')
        ON CONFLICT DO NOTHING
        """,
        g.now.date(),
    )
    factory = create_session_factory(engine)
    for back in range(1, 36):  # the per-unit daily totals the overview reads, as storing a carrier's day makes them
        async with UnitOfWork(factory) as uow:
            await roll_unit_traffic(uow, g.now.date() - timedelta(days=back))
    n = int(await g.conn.fetchval("SELECT count(*) FROM sim_card_traffic"))
    g.counts["sim_card_traffic"] = n
    progress.stage("sim_card_traffic (35 days)", n, started)
