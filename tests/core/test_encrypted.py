"""Confidentiality at rest: sealed columns, blind-index search, and key rotation under load."""

from __future__ import annotations

import asyncio
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import LargeBinary, select, text, type_coerce

from core import keyring
from core.db.encrypted import Encrypted, mask, normalize_email, normalize_phone
from core.keyring import RING, DataKey, KeyRing, KeyRingError, KeyState
from domain.identity.demo import demo_phone, demo_users
from domain.identity.models import OrgUnit, User
from tests.conftest import TEST_MASTER_KEY, govops_on

UNIT_PHONES = "{ orgUnits(first: 5, filter: {contactPhone: $p}) { edges { node { code contactPhone } } } }"


def test_normalizers_and_masks():
    assert normalize_phone("+86 139-1234-5678") == normalize_phone("13912345678") == "13912345678"
    assert normalize_phone("0086 13912345678") == "13912345678"
    assert normalize_phone("021-6232 0000") == "02162320000"
    assert normalize_email("  Li.Ming@Example.CN ") == "li.ming@example.cn"
    assert mask("13912345678") == "139****5678"
    assert mask("li.ming@example.cn") == "l***@example.cn"
    assert mask("021-62320000") == "021*****0000"
    assert mask("1234") == "****"
    assert mask(None) is None


def test_encrypted_columns_refuse_sql_comparisons():
    with pytest.raises(TypeError, match="blind index"):
        _ = User.phone == "13912345678"
    with pytest.raises(TypeError, match="blind index"):
        User.phone.like("139%")
    User.phone.is_(None)  # presence tests stay allowed
    User.phone.is_not(None)


def raw_bytes(backend: Any) -> bytes:
    """Everything the database holds, as an attacker with the files or a dump would see it."""
    if backend.name == "sqlite":
        path = Path(backend.database_url.split("///", 1)[1])
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    dsn = backend.database_url.replace("+asyncpg", "")
    return subprocess.run(["pg_dump", "--no-owner", dsn], capture_output=True, check=True).stdout


async def test_raw_database_holds_no_phone_number_and_exact_search_finds_it(demo, gql, backend):
    created = await gql(
        "mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id phone email } errors { message } } }",
        {"i": {"username": "zhang_wei", "displayName": "张伟", "orgUnitId": await unit_id(gql, "D-PD"),
               "password": "Zhang@Wei2026!", "phone": "13700998866", "email": "Zhang.Wei@PD.gov.cn"}},
        as_user="admin",
    )  # fmt: skip
    assert created["data"]["userCreate"]["errors"] == [], created
    await gql(
        "mutation($i: UserUpdateInput!) { userUpdate(input: $i) { errors { message } } }",
        {"i": {"id": created["data"]["userCreate"]["user"]["id"], "phone": "13700998877"}}, as_user="admin",
    )  # fmt: skip
    unit_phone = "13910059595"  # the seeded contact of 浦东新区 … (demo.py, unit 5)
    seeded_user_phone = demo_phone(3)
    dump = raw_bytes(backend)
    assert len(dump) > 10_000
    for secret in (unit_phone, seeded_user_phone, "13700998866", "13700998877", "Zhang.Wei@PD.gov.cn", "zhang.wei@pd.gov.cn"):
        assert secret.encode() not in dump, f"{secret} is readable in the raw {backend.name} database"

    found = await gql(
        UNIT_PHONES.replace("{ orgUnits", "query($p: String) { orgUnits"), {"p": "+86 139 1005 9595"}, as_user="admin"
    )
    assert [e["node"]["contactPhone"] for e in found["data"]["orgUnits"]["edges"]] == [unit_phone]
    users = await gql(
        "query($p: String, $e: String) { a: users(first: 5, filter: {phone: $p}) { edges { node { username phone } } }"
        " b: users(first: 5, filter: {email: $e}) { edges { node { username email } } } }",
        {"p": "+86 137-0099-8877", "e": "zhang.wei@pd.gov.cn"}, as_user="admin",
    )  # fmt: skip
    assert users["data"]["a"]["edges"] == [{"node": {"username": "zhang_wei", "phone": "13700998877"}}]
    assert users["data"]["b"]["edges"] == [{"node": {"username": "zhang_wei", "email": "Zhang.Wei@PD.gov.cn"}}]
    nobody = await gql("query($p: String) { users(first: 5, filter: {phone: $p}) { edges { node { username } } } }",
                       {"p": "1370099887"}, as_user="admin")  # fmt: skip
    assert nobody["data"]["users"]["edges"] == []  # exact match only: a prefix finds nothing
    log = await gql("{ __typename }", as_user="auditor")
    assert "errors" not in log
    async with demo.session_factory() as s:  # the operation log keeps a mask, not the number
        details = [str(d) for d in (await s.execute(text("SELECT detail FROM audit_event"))).scalars()]
    assert any("137****8877" in d for d in details)


async def unit_id(gql: Any, code: str) -> str:
    found = await gql("query($s: String) { orgUnits(first: 1, filter: {search: $s}) { edges { node { id } } } }",
                      {"s": code}, as_user="admin")  # fmt: skip
    return found["data"]["orgUnits"]["edges"][0]["node"]["id"]


async def test_a_value_does_not_open_in_another_column(demo):
    async with demo.session_factory() as s, s.begin():
        await s.execute(text("UPDATE user_account SET email = phone WHERE username = 'admin'"))
    async with demo.session_factory() as s:
        with pytest.raises(Exception, match="authentication failed"):
            await s.execute(select(User.email).where(User.username == "admin"))


async def sealed_versions(services: Any) -> set[int]:
    from core.crypto.sm4 import key_id_of

    versions = set()
    async with services.engine.connect() as conn:
        for _table, _pk, column in keyring.encrypted_columns():
            raw = await conn.execute(select(type_coerce(column, LargeBinary)).where(column.is_not(None)))
            versions |= {key_id_of(bytes(v)) for v in raw.scalars()}
    return versions


async def test_rotation_under_concurrent_reads_and_writes(demo, tmp_path):
    from core.db.uow import UnitOfWork
    from domain.identity import repository as repo
    from domain.identity.service import UserData, update_user
    from domain.identity.system import system_actor

    before = await sealed_versions(demo)
    assert before == {RING.active_version}
    async with demo.session_factory() as s:
        ids = list((await s.execute(select(User.id).order_by(User.id))).scalars())
    expected = {user_id: demo_phone(n) for n, user_id in enumerate(ids)}
    applicants = [i for i, person in zip(ids, demo_users(), strict=True) if person.role == "unit_applicant"]
    stop = asyncio.Event()
    reads = writes = 0

    async def writer(seed: int) -> None:
        nonlocal writes
        rng = random.Random(seed)
        while not stop.is_set():
            user_id = rng.choice(applicants)  # administrators' accounts are not editable by design
            phone = f"1590000{rng.randrange(10_000):04d}"
            async with UnitOfWork(demo.session_factory) as uow:
                await update_user(uow, system_actor(), user_id, UserData(phone=phone))
            expected[user_id] = phone
            writes += 1
            await asyncio.sleep(0)

    async def reader() -> None:
        nonlocal reads
        while not stop.is_set():
            async with demo.reader.connect() as conn:
                page = await repo.list_users(conn, system_actor(), repo.UserFilter(), repo.PageRequest(100, None))
            assert all(u.phone for u in page.items)
            reads += 1
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(writer(i)) for i in range(3)] + [asyncio.create_task(reader()) for _ in range(2)]
    from core.storage import LocalFileStore

    files = LocalFileStore(tmp_path / "files")  # an attachment stored before the rotation must open after it
    await files.put_bytes("attachments/a.txt", "附件内容".encode(), filename="a.txt", content_type="text/plain")
    try:
        columns = keyring.encrypted_columns()
        report = await keyring.rotate(demo.engine, demo.bus.publish, columns, propagation_seconds=0.2, batch_size=7, files=files)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert reads > 0 and writes > 0
    assert report.old_versions == list(before) and report.new_version == max(before) + 1
    assert report.rewritten >= 64
    assert await sealed_versions(demo) == {report.new_version}
    assert all(v == 0 for v in (await keyring.stale_values(demo.engine, keyring.encrypted_columns())).values())
    async with demo.engine.connect() as conn:
        rows = {r.version: r for r in await conn.execute(select(DataKey))}
    assert rows[max(before)].state is KeyState.RETIRED and rows[max(before)].wrapped is None  # the old key is gone
    assert rows[report.new_version].state is KeyState.ACTIVE

    fresh = KeyRing()  # a process started after the rotation: only the new key exists
    fresh.configure(TEST_MASTER_KEY)
    await fresh.load(demo.engine)
    assert fresh.versions == [report.new_version]
    async with demo.engine.connect() as conn:
        sealed = dict((await conn.execute(select(User.id, type_coerce(User.phone, LargeBinary)))).all())
    assert {i: fresh.open(bytes(v), b"user_account.phone").decode() for i, v in sealed.items()} == expected
    assert (await LocalFileStore(tmp_path / "files", ring=fresh).read("attachments/a.txt")).decode() == "附件内容"
    async with demo.session_factory() as s:  # the blind index still finds what the writers left
        some = next(iter(expected))
        f = repo.UserFilter(phone=expected[some])
        found = await repo.list_users(s, system_actor(), f, repo.PageRequest(5, None))
    assert some in [u.id for u in found.items]
    async with demo.session_factory() as s:
        audit_ops = list(
            (await s.execute(text("SELECT operation FROM audit_event WHERE operation LIKE 'keys.%' ORDER BY id"))).scalars()
        )
    assert audit_ops == ["keys.rotate_prepare", "keys.rotate_activate", "keys.rotate_retire"]


async def test_keys_cli_rotates_and_reports(demo, backend):
    status = govops_on(backend, "keys", "status")
    assert status.returncode == 0, status.stderr
    assert "key 1: ACTIVE" in status.stdout and "user_account.phone: all on the active key" in status.stdout
    rotated = govops_on(backend, "keys", "rotate", "--propagation-seconds", "0", "--batch-size", "10")
    assert rotated.returncode == 0, rotated.stderr
    assert "rotated to key 2" in rotated.stdout and "retired [1]" in rotated.stdout
    status = govops_on(backend, "keys", "status")
    assert "key 1: RETIRED" in status.stdout and "key 2: ACTIVE" in status.stdout
    with pytest.raises(KeyRingError, match="not loaded"):  # this process has not reloaded yet: a clear error
        async with demo.session_factory() as s:
            await s.execute(select(User.phone).where(User.username == "admin"))
    await keyring.reload(demo.engine)  # what the bus message or the periodic refresh does
    async with demo.session_factory() as s:
        assert (await s.execute(select(OrgUnit.contact_phone).where(OrgUnit.code == "SHBDC"))).scalar_one()
        assert (await s.execute(select(User.phone).where(User.username == demo_users()[0].username))).scalar_one() == demo_phone(
            0
        )


async def test_a_wrong_master_key_is_refused_with_a_clear_error(demo):
    other = KeyRing()
    other.configure("another-master-key-of-at-least-32-characters")
    with pytest.raises(KeyRingError, match="master key"):
        await other.load(demo.engine)


def test_every_encrypted_column_is_known_to_the_rotation():
    names = {f"{t.name}.{c.name}" for t, _pk, c in keyring.encrypted_columns()}
    assert names == {
        "org_unit.contact_phone",
        "org_unit.contact_email",
        "user_account.phone",
        "user_account.email",
        "api_client.secret",
        "sso_pending.code_verifier",
        "user_totp.secret",
        "sim_card.msisdn",
        "sim_card.holder_phone",
        "secure_access_account.holder_phone",
        "secure_access_account.holder_id_number",
        "work_order.payload",
        "work_order_dispatch.request",
        "work_order_dispatch.result",
    }
    for _t, _pk, c in keyring.encrypted_columns():
        assert isinstance(c.type, Encrypted) and c.type.context == f"{_t.name}.{c.name}"
