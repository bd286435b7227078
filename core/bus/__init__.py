"""Publish/subscribe for live updates: Redis pub/sub across processes, or in memory when embedded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

import orjson

log = logging.getLogger(__name__)


class Bus(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, *channels: str) -> AsyncIterator[tuple[str, dict[str, Any]]]: ...

    async def close(self) -> None: ...


class MemoryBus:
    """One process: every subscriber of a channel gets its own queue."""

    def __init__(self, max_queue: int = 1000) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[tuple[str, dict[str, Any]]]]] = defaultdict(set)
        self._max_queue = max_queue

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            try:
                queue.put_nowait((channel, message))
            except asyncio.QueueFull:
                log.warning("slow subscriber dropped a message", extra={"channel": channel})

    def attach(self, channels: tuple[str, ...]) -> asyncio.Queue[tuple[str, dict[str, Any]]]:
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(self._max_queue)
        for channel in channels:
            self._subscribers[channel].add(queue)
        return queue

    def detach(self, channels: tuple[str, ...], queue: asyncio.Queue[tuple[str, dict[str, Any]]]) -> None:
        for channel in channels:
            self._subscribers[channel].discard(queue)
            if not self._subscribers[channel]:
                del self._subscribers[channel]

    async def subscribe(self, *channels: str) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        queue = self.attach(channels)
        try:
            while True:
                yield await queue.get()
        finally:
            self.detach(channels, queue)

    async def close(self) -> None:
        self._subscribers.clear()


class RedisBus:
    """Many processes: any API replica's subscriber hears what any process published.

    One Redis pub/sub connection per process, fanned out locally: a thousand open subscriptions
    cost one Redis connection, not a thousand.
    """

    def __init__(self, url: str, prefix: str | None = None) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)
        # Redis pub/sub ignores the database number: two deployments (or two test workers) on databases 14 and 15 of
        # one server would hear each other's channels. The database goes into the channel prefix.
        db = self._redis.connection_pool.connection_kwargs.get("db", 0)
        self._prefix = prefix if prefix is not None else f"govops:{db}:"
        self._local = MemoryBus()
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._refs: dict[str, int] = defaultdict(int)
        self._lock = asyncio.Lock()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._prefix + channel, orjson.dumps(message))

    async def subscribe(self, *channels: str) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        queue = self._local.attach(channels)
        try:
            await self._retain(channels)
            while True:
                yield await queue.get()
        finally:
            self._local.detach(channels, queue)
            await self._release(channels)

    async def _retain(self, channels: tuple[str, ...]) -> None:
        async with self._lock:
            if self._pubsub is None:
                self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            new = [c for c in channels if self._refs[c] == 0]
            for c in channels:
                self._refs[c] += 1
            if new:
                await self._pubsub.subscribe(*(self._prefix + c for c in new))
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")

    async def _release(self, channels: tuple[str, ...]) -> None:
        async with self._lock:
            gone = []
            for c in channels:
                self._refs[c] -= 1
                if self._refs[c] <= 0:
                    del self._refs[c]
                    gone.append(c)
            if gone and self._pubsub is not None:
                with contextlib.suppress(Exception):
                    await self._pubsub.unsubscribe(*(self._prefix + c for c in gone))

    async def _read(self) -> None:
        while True:
            try:
                item = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis bus read failed; retrying")
                await asyncio.sleep(1)
                continue
            if item and item.get("type") == "message":
                channel = item["channel"].decode()[len(self._prefix) :]
                await self._local.publish(channel, orjson.loads(item["data"]))

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self._local.close()
        await self._redis.aclose()


def make_bus(redis_url: str | None) -> MemoryBus | RedisBus:
    return MemoryBus() if redis_url is None else RedisBus(redis_url)
