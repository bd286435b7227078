"""Engine and session factory for both backends."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the driver so that writers can BEGIN IMMEDIATE (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers run beside the one writer; busy_timeout queues writers instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A deferred transaction that later writes can fail at once with "database is locked"; a unit of
    # work declares itself a writer up front so SQLite queues it behind the current writer instead.
    writer = conn.get_execution_options().get("govops_writer", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


WRITER = {"govops_writer": True}

# What read functions take: the read path's plain connection, or a unit of work's session.
Db = AsyncSession | AsyncConnection


def dialect_name(db: Db) -> str:
    bind = db.bind if isinstance(db, AsyncSession) else db
    assert bind is not None
    return bind.dialect.name


def _json(value: Any) -> str:
    # orjson: faster, and text stays readable (json.dumps would store Chinese as \uXXXX escapes, which a
    # keyword search over the stored JSON could not match).
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_engine(url: str, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, poolclass=NullPool, json_serializer=_json)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        json_serializer=_json,
        pool_size=pool_size,
        # No overflow: under a burst, requests wait a moment for a pooled connection instead of
        # opening throw-away ones (a new asyncpg connection costs a login, type introspection and
        # a cold prepared-statement cache; churning them showed up in the profile at 150 users).
        max_overflow=0,
        pool_timeout=30,
        # No pre-ping: it is a round trip on every checkout (it doubled the cost of a read). A
        # connection that died with the server is invalidated on its first error and the pool
        # refills; pool_recycle retires connections before network middleboxes drop them.
        pool_recycle=1800,
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The engine for the read path: on PostgreSQL each statement runs in autocommit, so a read
    costs no BEGIN and ROLLBACK round trips; SQLite reads are in-process and stay as they are."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine
