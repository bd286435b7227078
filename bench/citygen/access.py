"""Internet secure-access accounts: holders with sealed phones and ID numbers, their terminals' MACs, systems, history.

The demo's own helpers make the holders' numbers (valid resident ID numbers, real number segments) and the MACs
(distinct for every holder and terminal), so the generated accounts pass the same checks as issued ones.
"""

from __future__ import annotations

import time
from datetime import timedelta

import orjson

from bench.citygen.base import BEIJING, Gen, Progress, chunks
from bench.citygen.identity import Organisation
from domain.secure_access.demo import FIRST_ACCOUNT, ORDER_MACS, holder, id_number, mac, phone
from domain.secure_access.enums import AccountEventKind, AccountStatus

COLUMNS = ["id", "account_name", "holder_name", "holder_phone", "holder_id_number", "holder_id_bidx", "unit_id", "status",
           "valid_from", "valid_to", "mac_limit", "online_sessions", "last_login_at", "activated_at", "revoked_at", "version",
           "created_at", "updated_at"]  # fmt: skip
EVENT_COLUMNS = ["account_id", "kind", "from_status", "to_status", "order_id", "actor_name", "at", "detail"]


async def accounts(g: Gen, org: Organisation, progress: Progress) -> None:
    started = time.monotonic()
    have = int(await g.conn.fetchval("SELECT count(*) FROM secure_access_account"))
    total = g.n(20_000) - have
    if total <= 0:
        return
    systems = [r["id"] for r in await g.conn.fetch("SELECT id FROM application ORDER BY id")]
    today = (g.now + BEIJING).date()
    first = 10_000  # holder numbers for names and MACs, past the demo's
    for part in chunks(total, 10_000):
        rows, macs, linked, events = [], [], [], []
        ids = await g.ids("secure_access_account", len(part))
        for aid, i in zip(ids, part, strict=True):
            n = first + i
            n += 0x1000 if n >= ORDER_MACS else 0  # the demo orders' terminals are numbered from ORDER_MACS
            valid_to = today + timedelta(days=g.rng.randint(0, 30) if g.rng.random() < 0.12 else g.rng.randint(31, 720))
            valid_from = max(valid_to - timedelta(days=g.rng.randint(180, 1095)), today - timedelta(days=1000))
            if valid_from >= today:
                valid_from = today - timedelta(days=g.rng.randint(1, 60))
            opened = min(g.working_instant(g.now - timedelta(days=(today - valid_from).days + 1), g.now), g.now)
            fate = g.rng.random()
            status = AccountStatus.REVOKED if fate < 0.08 else AccountStatus.SUSPENDED if fate < 0.13 else AccountStatus.ACTIVE
            later = opened + (g.now - opened) * g.rng.uniform(0.2, 0.95)
            terminals = [mac(n, k) for k in range(1, g.rng.randint(1, 3) + 1)]
            seen = (
                g.now - timedelta(minutes=g.rng.randint(5, 20_000))
                if status is AccountStatus.ACTIVE and g.rng.random() < 0.65
                else None
            )
            sessions = g.rng.randint(1, len(terminals)) if seen is not None and g.rng.random() < 0.35 else 0
            id_no = id_number(g.rng)
            rows.append((
                aid, f"JR{FIRST_ACCOUNT + n:08d}", holder(g.rng), g.seal("secure_access_account.holder_phone", phone(g.rng)),
                g.seal("secure_access_account.holder_id_number", id_no),
                g.exact_index("secure_access_account.holder_id_number", id_no), org.unit_picker(g.rng).id, status.value,
                valid_from, valid_to, max(3, len(terminals)), sessions, seen, opened,
                later if status is AccountStatus.REVOKED else None, 1 + (status is not AccountStatus.ACTIVE), opened,
                later if status is not AccountStatus.ACTIVE else opened,
            ))  # fmt: skip
            if status is not AccountStatus.REVOKED:  # revoking releases the terminals
                macs.extend((aid, m) for m in terminals)
            linked.extend((aid, s) for s in g.rng.sample(systems, g.rng.randint(1, 3)))
            detail = {"macs": terminals, "validFrom": valid_from.isoformat(), "validTo": valid_to.isoformat()}
            events.append((aid, AccountEventKind.OPENED.value, None, AccountStatus.ACTIVE.value, None, "platform", opened,
                           orjson.dumps(detail).decode()))  # fmt: skip
            if status is not AccountStatus.ACTIVE:
                events.append((aid, AccountEventKind.STATUS_CHANGED.value, AccountStatus.ACTIVE.value, status.value, None, "system",
                               later, "{}"))  # fmt: skip
        await g.copy("secure_access_account", COLUMNS, rows)
        await g.copy("secure_access_mac", ["account_id", "mac"], macs)
        await g.copy("secure_access_system", ["account_id", "application_id"], linked)
        await g.copy("secure_access_event", EVENT_COLUMNS, events)
    progress.stage("secure_access_account (+ MACs, events)", g.counts["secure_access_account"], started)
