"""Alembic: upgrade, downgrade and upgrade again on both backends; the models match the migrations."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import models  # noqa: F401
from core.db.base import Base
from core.db.engine import create_engine
from core.settings import ROOT
from domain.metrics.partitions import not_a_partition
from tests.conftest import PG_URL, migrate


@pytest.fixture
def scratch_url(backend, tmp_path):
    if backend.name == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'mig.sqlite3'}"
        return
    assert PG_URL is not None
    name = f"govops_mig_{uuid.uuid4().hex[:8]}"
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    run = "import asyncio, asyncpg, sys\nasync def m():\n c = await asyncpg.connect(sys.argv[1])\n await c.execute(sys.argv[2])\n await c.close()\nasyncio.run(m())"
    dsn = admin.replace("+asyncpg", "")
    subprocess.run([sys.executable, "-c", run, dsn, f'CREATE DATABASE "{name}"'], check=True)
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    subprocess.run([sys.executable, "-c", run, dsn, f'DROP DATABASE "{name}" WITH (FORCE)'], check=True)


async def tables(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    # metric_sample's daily partitions (PostgreSQL) are parts of one table of the model, not tables of their own.
    return {n for n in names if not_a_partition(n, "table")} - {"alembic_version", "sqlite_sequence"}


async def drift(url: str) -> list[object]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True, "include_name": not_a_partition}), Base.metadata
            )
        )
    await engine.dispose()
    return diff


async def test_upgrade_downgrade_upgrade(scratch_url):
    migrate(scratch_url)
    assert await tables(scratch_url) == set(Base.metadata.tables)
    migrate(scratch_url, "base", down=True)
    assert await tables(scratch_url) == set()
    migrate(scratch_url)
    assert await tables(scratch_url) == set(Base.metadata.tables)
    assert await drift(scratch_url) == [], "models and migrations differ: add a migration"


def test_there_is_one_head():
    out = subprocess.run([sys.executable, "-m", "alembic", "heads"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert len([line for line in out.stdout.splitlines() if "(head)" in line]) == 1


async def test_0004_seals_existing_contacts_and_its_downgrade_restores_them(scratch_url):
    from sqlalchemy import text

    from core.keyring import KeyRing
    from tests.conftest import TEST_MASTER_KEY

    migrate(scratch_url, "0003")
    engine = create_engine(scratch_url)
    now = "2026-01-01 00:00:00+00"
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO org_unit (id, code, name, kind, status, path, contact_phone, contact_email, created_at, updated_at) "
            f"VALUES (1, 'U1', '单位', 'MANAGEMENT', 'ACTIVE', '/1/', '13912340000', 'a@b.cn', '{now}', '{now}')"
        ))  # fmt: skip
        await conn.execute(text(
            "INSERT INTO user_account (id, username, display_name, org_unit_id, status, password_hash, password_changed_at,"
            f" failed_logins, phone, created_at, updated_at) VALUES (1, 'u1', 'U', 1, 'ACTIVE', 'x', '{now}', 0, '13800000001',"
            f" '{now}', '{now}')"
        ))  # fmt: skip
    migrate(scratch_url)
    ring = KeyRing()
    ring.configure(TEST_MASTER_KEY)
    await ring.load(engine)
    async with engine.connect() as conn:
        unit = (await conn.execute(text("SELECT contact_phone, contact_phone_bidx, contact_email FROM org_unit"))).one()
        phone = (await conn.execute(text("SELECT phone, email FROM user_account"))).one()
    assert b"13912340000" not in bytes(unit[0])
    assert ring.open(bytes(unit[0]), b"org_unit.contact_phone") == b"13912340000"
    assert unit[1] == ring.blind_index("org_unit.contact_phone", "13912340000")
    assert ring.open(bytes(unit[2]), b"org_unit.contact_email") == b"a@b.cn"
    assert ring.open(bytes(phone[0]), b"user_account.phone") == b"13800000001" and phone[1] is None
    from core import integrity
    from core.db.engine import create_session_factory
    from domain.identity import repository as repo

    integrity.configure(TEST_MASTER_KEY)  # the same key the suite's services use (idempotent)
    async with create_session_factory(engine)() as session:  # 0009 sealed the rows that were there
        assert await repo.broken_scopes(session) == []
    migrate(scratch_url, "0003", down=True)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT contact_phone, contact_email FROM org_unit"))).one() == ("13912340000", "a@b.cn")
        assert (await conn.execute(text("SELECT phone FROM user_account"))).scalar_one() == "13800000001"
    await engine.dispose()
