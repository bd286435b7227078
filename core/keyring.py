"""The key ring: versioned SM4 data keys, wrapped by the master key (GB/T 39786 level 3: 密钥管理).

The master key comes from settings (a file or the environment in production) and never enters the
database. From it we derive a key-encryption key, which wraps random 128-bit SM4 data keys; the
database stores only the wrapped data keys (`data_key`), so a copy of the database alone opens
nothing. Every sealed value names the version of the data key that sealed it, so the ring opens
values of any loaded version and seals new ones with the one ACTIVE version.

Rotation (`govops keys rotate`, see `rotate`) moves every encrypted column to a new version while the
system keeps serving:

1. PREPARED: the new version is created; every process loads it (on the bus message at once, or at
   its next periodic refresh) and can then open values sealed with it.
2. ACTIVE: after the propagation window the new version seals; the old one is RETIRING (still opens).
3. Re-encryption in batches, each row compare-and-swapped so a concurrent write is never lost; passes
   repeat until no value of an older version remains.
4. RETIRED: the old version's wrapped key is destroyed; nothing in the database needs it any more.

The blind-index key (exact-match search over encrypted columns) is derived from the master key and
does not rotate with the data keys: rotating it means recomputing every index (a future command).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, LargeBinary, bindparam, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.crypto import hmac_sm3, provider
from core.crypto.sm4 import DecryptionError, key_id_of
from core.db.base import Base, UTCDateTime, enum_column
from core.db.engine import WRITER

log = logging.getLogger(__name__)

KEYS_CHANNEL = "govops.keys"


class KeyState(str, enum.Enum):
    PREPARED = "PREPARED"  # opens, does not seal yet (waiting for every process to load it)
    ACTIVE = "ACTIVE"  # seals and opens
    RETIRING = "RETIRING"  # opens; values are being moved off it
    RETIRED = "RETIRED"  # destroyed: no value needs it


class DataKey(Base):
    __tablename__ = "data_key"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[KeyState] = mapped_column(enum_column(KeyState, "key_state"))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class KeyRingError(RuntimeError):
    pass


@dataclass(frozen=True)
class KeyInfo:
    version: int
    state: KeyState
    created_at: datetime
    activated_at: datetime | None
    retired_at: datetime | None


_KEK_ID = 0  # the key id in a wrapped data key's header (data keys are numbered from 1)


class KeyRing:
    """The process's loaded data keys. Sealing and opening are synchronous (they run inside column
    types); loading is async and happens at start-up, on the bus message and periodically."""

    def __init__(self) -> None:
        self._kek: bytes | None = None
        self._blind: bytes | None = None
        self._keys: dict[int, bytes] = {}
        self._active: int | None = None
        self._opened: OrderedDict[bytes, bytes] = OrderedDict()  # sealed -> plaintext, most recent last
        self._lock = threading.Lock()
        self.cache_size = 65536

    def configure(self, master_key: str) -> None:
        self._kek = hmac_sm3(master_key.encode(), b"govops/key-encryption/v1")[:16]
        self._blind = hmac_sm3(master_key.encode(), b"govops/blind-index/v1")
        self._keys, self._active = {}, None
        self._opened.clear()

    @property
    def active_version(self) -> int | None:
        return self._active

    @property
    def versions(self) -> list[int]:
        return sorted(self._keys)

    # -- loading ---------------------------------------------------------------------------------

    def _unwrap(self, version: int, wrapped: bytes) -> bytes:
        assert self._kek is not None
        try:
            return provider().sm4_open(lambda _i: self._kek, wrapped, b"govops/data-key/%d" % version)
        except DecryptionError as exc:
            raise KeyRingError(
                f"数据密钥 {version} 无法用主密钥解开 / data key {version} does not open with this master key "
                "(GOVOPS_MASTER_KEY differs from the one this database was set up with)"
            ) from exc

    def _wrap(self, version: int, key: bytes) -> bytes:
        assert self._kek is not None
        return provider().sm4_seal(_KEK_ID, self._kek, key, b"govops/data-key/%d" % version)

    async def load(self, engine: AsyncEngine) -> None:
        """Read the data keys; on a database without any, create version 1 (first start)."""
        if self._kek is None:
            raise KeyRingError("key ring not configured: call core.keys.configure(master_key) at start-up")
        rows = await _read_keys(engine)
        if not rows:
            await self._create_first(engine)
            rows = await _read_keys(engine)
        self.install([(r.version, r.state, r.wrapped) for r in rows])

    def install(self, rows: list[tuple[int, KeyState, bytes | None]]) -> None:
        """Unwrap and adopt `(version, state, wrapped)` rows (async `load` and migrations both end here)."""
        keys = {version: self._unwrap(version, wrapped) for version, _state, wrapped in rows if wrapped is not None}
        active = [version for version, state, _w in rows if KeyState(state) is KeyState.ACTIVE]
        if not active:
            raise KeyRingError("no ACTIVE data key in data_key (run `govops keys status`)")
        with self._lock:
            self._keys, self._active = keys, active[0]

    def new_wrapped_key(self, version: int) -> bytes:
        """A fresh random data key, wrapped for storage as `version`."""
        return self._wrap(version, provider().random(16))

    async def _create_first(self, engine: AsyncEngine) -> None:
        values = {"version": 1, "state": KeyState.ACTIVE, "wrapped": self.new_wrapped_key(1), "created_at": utcnow(),
                  "activated_at": utcnow()}  # fmt: skip
        async with engine.connect() as conn:
            await conn.execution_options(**WRITER)
            ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            await conn.execute(ins(DataKey).values(**values).on_conflict_do_nothing(index_elements=["version"]))
            await conn.commit()

    # -- sealing ---------------------------------------------------------------------------------

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        version = self._active
        if version is None:
            raise KeyRingError("key ring not loaded: no active data key (start-up did not run keys.load)")
        return self.seal_with(version, plaintext, aad)

    def seal_with(self, version: int, plaintext: bytes, aad: bytes) -> bytes:
        return provider().sm4_seal(version, self._keys[version], plaintext, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        cached = self._opened.get(sealed)
        if cached is not None:
            return cached
        try:
            plaintext = provider().sm4_open(self._keys.get, sealed, aad)
        except DecryptionError as exc:
            version = key_id_of(sealed) if len(sealed) > 3 else None
            if version is not None and version not in self._keys:
                raise KeyRingError(
                    f"数据密钥 {version} 尚未加载，请稍后重试 / data key {version} is not loaded in this process yet; retry"
                ) from exc
            raise
        with self._lock:
            self._opened[sealed] = plaintext
            if len(self._opened) > self.cache_size:
                self._opened.popitem(last=False)
        return plaintext

    def blind_index(self, context: str, normalized: str) -> str:
        """HMAC-SM3 of the normalized value, keyed per deployment and separated per column (128 bits, hex)."""
        if self._blind is None:
            raise KeyRingError("key ring not configured: call core.keys.configure(master_key) at start-up")
        return hmac_sm3(self._blind, context.encode() + b"\x00" + normalized.encode())[:16].hex()


RING = KeyRing()


async def _read_keys(engine: AsyncEngine) -> list[DataKey]:
    async with engine.connect() as conn:
        return list(await conn.execute(select(DataKey).order_by(DataKey.version)))  # type: ignore[arg-type]


async def key_infos(engine: AsyncEngine) -> list[KeyInfo]:
    return [KeyInfo(r.version, r.state, r.created_at, r.activated_at, r.retired_at) for r in await _read_keys(engine)]


async def reload(engine: AsyncEngine) -> None:
    """Reload this process's ring; a failure keeps the loaded keys (the next reload tries again)."""
    try:
        await RING.load(engine)
    except Exception:
        log.exception("key ring reload failed")


async def refresh_forever(engine: AsyncEngine, seconds: float) -> None:
    """Periodic reload: bounds how long a process that missed a `govops.keys` message lags behind."""
    while True:
        await asyncio.sleep(seconds)
        await reload(engine)


# -- rotation ------------------------------------------------------------------------------------


@dataclass
class RotationReport:
    old_versions: list[int]
    new_version: int
    rewritten: int
    passes: int


def encrypted_columns() -> list[tuple[Any, Any, Any]]:
    """(table, primary key column, encrypted column) for every encrypted column in the schema."""
    from core.db.encrypted import Encrypted

    found = []
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        for column in table.columns:
            if isinstance(column.type, Encrypted):
                if len(pk) != 1:
                    raise KeyRingError(f"{table.name}: encrypted columns need a single-column primary key")
                found.append((table, pk[0], column))
    return found


async def _change(
    engine: AsyncEngine, operation: str, changes: dict[int, dict[str, object]], insert: dict[str, object] | None = None
) -> None:
    """Apply one step of a rotation and record it in the operation log, in one transaction."""
    from core import audit
    from core.db.engine import create_session_factory
    from core.db.uow import UnitOfWork

    async with UnitOfWork(create_session_factory(engine)) as uow:
        if insert is not None:
            await uow.session.execute(DataKey.__table__.insert().values(**insert))
        for version, values in changes.items():
            await uow.session.execute(update(DataKey).where(DataKey.version == version).values(**values))
        detail = {str(v): getattr(c.get("state"), "value", None) for v, c in changes.items()}
        if insert is not None:
            detail[str(insert["version"])] = "PREPARED"
        audit.record(uow.session, operation=operation, actor_username="system", target_type="DataKey", detail=detail)


async def rotate(
    engine: AsyncEngine,
    publish: Callable[[str, dict[str, object]], Awaitable[None]],
    columns: list[tuple[Any, Any, Any]],
    *,
    propagation_seconds: float,
    batch_size: int = 500,
    progress: Callable[[str], None] = lambda _m: None,
    files: Any = None,
) -> RotationReport:
    """Move every encrypted value to a new data key version; see the module docstring for the steps.

    `columns` is `encrypted_columns()` with every model imported: the old key is destroyed at the end,
    so a column left out would be lost, and an empty list is refused. `files` is the file store
    (core.storage): each stored object's file key is re-sealed under the new key before the old one goes."""
    if not columns:
        raise KeyRingError("no encrypted columns given: import the models before rotating (the old key is destroyed)")
    await RING.load(engine)
    rows = await _read_keys(engine)
    prepared = [r.version for r in rows if r.state is KeyState.PREPARED]
    retiring = [r.version for r in rows if r.state is KeyState.RETIRING]
    if prepared or retiring:
        progress("继续上次未完成的轮换 / resuming an unfinished rotation")
    if retiring and not prepared:  # stopped while re-encrypting: the new key is already the active one
        new = next(r.version for r in rows if r.state is KeyState.ACTIVE)
    else:
        if prepared:
            new = prepared[0]
        else:
            new = max((r.version for r in rows), default=0) + 1
            insert = {"version": new, "state": KeyState.PREPARED, "wrapped": RING.new_wrapped_key(new), "created_at": utcnow()}
            await _change(engine, "keys.rotate_prepare", {}, insert)
        await publish(KEYS_CHANNEL, {"version": new, "state": "PREPARED"})
        await RING.load(engine)
        progress(f"key {new} prepared; waiting {propagation_seconds:g} s for every process to load it")
        await asyncio.sleep(propagation_seconds)
        changes: dict[int, dict[str, object]] = {
            r.version: {"state": KeyState.RETIRING} for r in await _read_keys(engine) if r.state is KeyState.ACTIVE
        }
        changes[new] = {"state": KeyState.ACTIVE, "activated_at": utcnow()}
        await _change(engine, "keys.rotate_activate", changes)
        await publish(KEYS_CHANNEL, {"version": new, "state": "ACTIVE"})
        await RING.load(engine)
        progress(f"key {new} active; waiting {propagation_seconds:g} s before re-encrypting")
        await asyncio.sleep(propagation_seconds)
    old = [r.version for r in await _read_keys(engine) if r.state is KeyState.RETIRING]

    rewritten, passes = 0, 0
    while True:
        passes += 1
        stale = moved_this_pass = 0
        for table, pk, column in columns:
            moved, left = await _reencrypt_column(engine, table, pk, column, new, batch_size)
            rewritten += moved
            moved_this_pass += moved
            stale += left
            if moved:
                progress(f"{table.name}.{column.name}: {moved} values re-encrypted")  # type: ignore[attr-defined]
        if stale == 0 and moved_this_pass == 0:  # a full pass found nothing left on an old key
            break
        if passes >= 20:
            raise KeyRingError(f"{stale} values still change under the rotation after {passes} passes; run it again")
    if files is not None:  # attachments and exports: only each file's small sealed key is rewritten
        rewrapped = 0
        for key, _modified in await files.listing(""):
            rewrapped += bool(await files.rewrap(key))
        progress(f"{rewrapped} stored files re-sealed under key {new}")
    retire = {v: {"state": KeyState.RETIRED, "wrapped": None, "retired_at": utcnow()} for v in old}
    await _change(engine, "keys.rotate_retire", retire)
    await publish(KEYS_CHANNEL, {"version": new, "state": "RETIRED", "retired": old})
    await RING.load(engine)
    progress(f"keys {old} retired and destroyed")
    return RotationReport(old, new, rewritten, passes)


async def _reencrypt_column(engine: AsyncEngine, table, pk, column, new: int, batch_size: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """One pass over a column; returns (values moved, values that changed under us and are left for the next pass)."""
    raw = type_coerce(column, LargeBinary)
    aad = column.type.aad
    cas = (
        update(table)
        .where(pk == bindparam("_pk"), raw == bindparam("_old", type_=LargeBinary))
        .values({column.name: bindparam("_new", type_=LargeBinary)})
    )
    moved = left = 0
    last = None
    while True:
        query = select(pk, raw).where(column.is_not(None)).order_by(pk).limit(batch_size)
        if last is not None:
            query = query.where(pk > last)
        async with engine.connect() as conn:
            batch = list(await conn.execute(query))
        if not batch:
            return moved, left
        last = batch[-1][0]
        work = []
        for key, sealed in batch:
            sealed = bytes(sealed)
            if key_id_of(sealed) != new:
                work.append({"_pk": key, "_old": sealed, "_new": RING.seal_with(new, RING.open(sealed, aad), aad)})
        if work:
            async with engine.connect() as conn:
                await conn.execution_options(**WRITER)
                for params in work:
                    result = await conn.execute(cas, params)
                    if result.rowcount == 1:
                        moved += 1
                    else:
                        left += 1
                await conn.commit()


async def stale_values(engine: AsyncEngine, columns: list[tuple[Any, Any, Any]]) -> dict[str, int]:
    """Per encrypted column, how many values are sealed with a version other than the active one."""
    counts: dict[str, int] = {}
    active = RING.active_version
    for table, _pk, column in columns:
        async with engine.connect() as conn:
            values = (await conn.execute(select(type_coerce(column, LargeBinary)).where(column.is_not(None)))).scalars()
            counts[f"{table.name}.{column.name}"] = sum(1 for v in values if key_id_of(bytes(v)) != active)  # type: ignore[attr-defined]
    return counts
