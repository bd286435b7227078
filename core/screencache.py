"""Dashboard figures computed once and shared: per (screen, data scope, arguments), per process.

An overview or a statistics screen aggregates hundreds of thousands of rows, and every administrator of a unit (or
every city-level operator) asks for the same figures every few seconds. The first request for a key computes them;
later ones within `ttl` get the same answer; after `ttl` the next request still gets the last answer at once while
one fresh computation runs in the background (stale-while-revalidate), so after the first computation nobody waits
for an aggregate. Each answer carries when it was computed (`computedAt` in the API), so a screen can say "as of".

Concurrent first requests for one key share one computation (single flight). A background computation that fails
keeps the last answer and is tried again by the next request. `ttl` 0 turns the cache off (every request computes).
Libraries such as aiocache or async-lru cache with a TTL but neither serves stale values while one task refreshes,
which is the point here; this is that, in a few dozen lines.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    value: Any
    fresh_until: float  # monotonic
    refreshing: asyncio.Task[None] | None = None


class ScreenCache:
    def __init__(self, ttl: float, max_entries: int = 4096, clock: Callable[[], float] = time.monotonic,
                 refreshes: int = 2, jitter: float = 0.2) -> None:  # fmt: skip
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        # Keys computed together (every unit's overview at start-up) would expire together and be recomputed all at
        # once: each answer's life is spread by ±jitter, and at most `refreshes` recomputations run at a time while
        # the others keep serving the last figures.
        self._jitter = jitter
        self._refreshes = asyncio.Semaphore(refreshes)
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Future[_Entry]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]], factor: float = 1.0) -> Any:
        """The figures, kept `factor` x ttl (they say themselves when they were computed). `compute` must open its own connection: it may outlive
        the request."""
        if self.ttl <= 0:
            return await compute()
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            if self._clock() >= entry.fresh_until and entry.refreshing is None:
                entry.refreshing = self._spawn(self._refresh(key, entry, compute, factor))
            return entry.value
        first = self._pending.get(key)
        if first is None:  # the first request: one computation, which the requests for the key all await
            first = self._pending[key] = asyncio.ensure_future(self._first(key, compute, factor))
        entry = await asyncio.shield(first)  # a caller that goes away does not cancel the others' computation
        return entry.value

    async def _first(self, key: Hashable, compute: Callable[[], Awaitable[Any]], factor: float) -> _Entry:
        try:
            entry = await self._compute(compute, factor)
            self._store(key, entry)
            return entry
        finally:
            del self._pending[key]

    async def _compute(self, compute: Callable[[], Awaitable[Any]], factor: float) -> _Entry:
        value = await compute()
        life = self.ttl * factor * (1 + random.uniform(-self._jitter, self._jitter))  # spreading expiries, not secrecy
        return _Entry(value, self._clock() + life)

    async def _refresh(self, key: Hashable, stale: _Entry, compute: Callable[[], Awaitable[Any]], factor: float) -> None:
        try:
            async with self._refreshes:
                self._store(key, await self._compute(compute, factor))
        except Exception:
            log.exception("screen figures could not be refreshed; serving the last ones", extra={"key": repr(key)[:200]})
        finally:
            stale.refreshing = None

    def _store(self, key: Hashable, entry: _Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _spawn(self, coro: Awaitable[None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def close(self) -> None:
        for task in [*self._tasks, *self._pending.values()]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._pending.values(), return_exceptions=True)
        self._entries.clear()
