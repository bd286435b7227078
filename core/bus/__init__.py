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

    async def subscribe(self, *channels: str) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(self._max_queue)
        for channel in channels:
            self._subscribers[channel].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            for channel in channels:
                self._subscribers[channel].discard(queue)
                if not self._subscribers[channel]:
                    del self._subscribers[channel]

    async def close(self) -> None:
        self._subscribers.clear()


class RedisBus:
    """Many processes: any API replica's subscriber hears what any process published."""

    def __init__(self, url: str, prefix: str = "govops:") -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)
        self._prefix = prefix

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._prefix + channel, orjson.dumps(message))

    async def subscribe(self, *channels: str) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(*(self._prefix + c for c in channels))
        try:
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    channel = item["channel"].decode()[len(self._prefix) :]
                    yield channel, orjson.loads(item["data"])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
                await pubsub.aclose()

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def close(self) -> None:
        await self._redis.aclose()


def make_bus(redis_url: str | None) -> MemoryBus | RedisBus:
    return MemoryBus() if redis_url is None else RedisBus(redis_url)
