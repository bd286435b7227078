"""The operation log is an HMAC-SM3 chain: altering, removing or cutting records is found and named."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

from sqlalchemy import delete, func, select, text

from core.audit import AuditChainHead, AuditEvent, verify_chain
from tests.conftest import govops_on


def verify_cli(backend: Any) -> subprocess.CompletedProcess[str]:
    return govops_on(backend, "audit", "verify")


async def some_history(gql: Any) -> None:
    for user in ("admin", "operator", "pd_user"):
        await gql.token(user)
    await gql.login("operator", "wrong")  # a failure is logged too
    await gql("mutation { logout { errors { code } } }", as_user="pd_user")


async def records(services: Any) -> list[AuditEvent]:
    async with services.session_factory() as s:
        return list((await s.execute(select(AuditEvent).order_by(AuditEvent.chain_seq))).scalars())


async def test_the_chain_is_intact_after_normal_work(demo, gql, backend):
    await some_history(gql)
    events = await records(demo)
    assert [e.chain_seq for e in events] == list(range(1, len(events) + 1))
    assert len(events) >= 5
    result = verify_cli(backend)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"audit chain intact: {len(events)} records"


async def test_flipping_one_byte_names_that_record(demo, gql, backend):
    await some_history(gql)
    victim = (await records(demo))[2]
    async with demo.session_factory() as s, s.begin():
        # One byte of the operation name, as someone with database access might do.
        await s.execute(
            text("UPDATE audit_event SET operation = :op WHERE id = :id"), {"op": victim.operation[:-1] + "X", "id": victim.id}
        )
    result = verify_cli(backend)
    assert result.returncode == 1
    assert f"audit chain broken at record {victim.id} (sequence {victim.chain_seq}): record altered" in result.stdout


async def test_a_removed_record_and_a_cut_tail_are_found(demo, gql):
    await some_history(gql)
    events = await records(demo)
    async with demo.session_factory() as s, s.begin():
        await s.execute(delete(AuditEvent).where(AuditEvent.id == events[-1].id))
    async with demo.session_factory() as s:
        report = await verify_chain(s)
    assert report.reason == f"the chain ends at {len(events) - 1} but its head says {len(events)}: records are missing at the end"
    async with demo.session_factory() as s, s.begin():
        await s.execute(delete(AuditEvent).where(AuditEvent.id == events[1].id))
    async with demo.session_factory() as s:
        report = await verify_chain(s)
    assert (report.broken_id, report.checked) == (events[2].id, 1)
    assert report.reason == "sequence jumps from 1 to 3: records are missing"


async def test_concurrent_writers_keep_one_chain(demo, gql):
    await asyncio.gather(
        *(gql.login(u) for u in ("admin", "secadmin", "auditor", "operator", "pd_admin", "pd_user", "hp_admin", "hp_user"))
    )
    await asyncio.gather(*(gql.login("operator", f"wrong{i}") for i in range(4)))
    async with demo.session_factory() as s:
        report = await verify_chain(s)
        head = (await s.execute(select(AuditChainHead))).scalar_one()
        count = (await s.execute(select(func.count()).select_from(AuditEvent))).scalar_one()
    assert report.reason is None
    assert head.seq == count == report.checked
