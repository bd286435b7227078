"""Alembic environment: async engine, the same revisions on SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

import asyncio
import sys
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import event
from sqlalchemy.engine import Connection

import models  # noqa: F401  (imports every area's models onto Base.metadata)
from core.db.base import Base
from core.db.encrypted import Encrypted
from core.db.engine import create_engine
from core.settings import ROOT, get_settings
from domain.metrics.partitions import not_a_partition

# Revisions import migrations.support (shared data-migration steps) whatever directory alembic runs from.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def render_item(type_: str, obj: Any, _autogen_context: Any) -> str | bool:
    """Encrypted columns are plain bytes to the database: autogenerate writes them as such."""
    if type_ == "type" and isinstance(obj, Encrypted):
        return "sa.LargeBinary()"
    return False


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=not_a_partition,
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    # Batch mode rebuilds a table by copy, drop and rename; with foreign keys on, dropping a table that
    # others refer to fails (SQLite's documented procedure turns them off). They are checked after.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


async def run_async_migrations() -> None:
    engine = create_engine(url())
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_foreign_keys_off)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
        if engine.dialect.name == "sqlite":
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:10]}")
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())
