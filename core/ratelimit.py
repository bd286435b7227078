"""Per-user and per-API-client rate limits (MLPS level 3 API governance), counted by the `limits` library.

Where the counts live: in Redis when the deployment has one (`GOVOPS_REDIS_URL`), so every API replica
draws on the same budget; in process memory in embedded mode, where there is only one process.

Strategy: `limits`' sliding window counter. It keeps two integers per key (this window and the previous
one) updated by one atomic Lua script, so it is as cheap in Redis as a fixed window, yet it weights the
previous window's count by how much of it still overlaps, so a client cannot spend its budget twice
around a window edge (the fixed window's 2x burst). The moving window would be exact, but it stores
one timestamp per hit (600 list entries for a 600/min client), which costs Redis memory and CPU for no
gain an operator would notice.

Redis unreachable: the limiter fails OPEN. Rate limiting protects capacity; it is not an access control,
and with a 99% availability target a limiter outage must not take the API down with it. The first
failure logs a warning, then Redis is left alone for `outage_backoff` seconds (hits are allowed without
a round trip, so a black-holed Redis adds no latency to every request), then it is tried again. Every
Redis call is bounded by `timeout` seconds whatever the redis-py version's own retry policy is.

`retry_after_seconds` is worked out from the two window counters rather than from `limits`'
`get_window_stats`, whose reset time is when the count next drops, not when a hit of this cost fits.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass

import limits
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError

__all__ = ["RATE_LIMITED", "Decision", "RateLimiter", "Rule", "rate_limited_error"]

log = logging.getLogger(__name__)

RATE_LIMITED = "RATE_LIMITED"

# What a Redis outage looks like from here (limits wraps only some calls in StorageError; OSError covers timeouts too).
_OUTAGE_ERRORS = (RedisError, StorageError, OSError)


@dataclass(frozen=True)
class Rule:
    """A named budget: `per_minute` hits per window for each key (user id, API client id, ...).

    The window is a minute; `window_seconds` shortens it for burst rules and for tests that must see a
    window pass. The name namespaces the counters, so user 5 and API client 5 never share one.
    """

    name: str
    per_minute: int
    window_seconds: int = 60

    def __post_init__(self) -> None:
        if not self.name or any(c in self.name for c in "/{}*?[] \t\n"):
            raise ValueError(f"限流规则名无效 / Invalid rate-limit rule name: {self.name!r}")
        if self.per_minute < 1 or self.window_seconds < 1:
            raise ValueError(f"限流规则 {self.name} 的额度和窗口须为正 / Rule {self.name} needs a positive limit and window")

    @classmethod
    def parse(cls, name: str, text: str) -> Rule:
        """A rule from configuration text in `limits`' notation ("120/minute", "10 per second", "300/5 minutes")."""
        item = limits.parse(text)
        return cls(name, item.amount, item.get_expiry())

    def item(self) -> RateLimitItem:
        """The `limits` item; its namespace is the rule name (part of every storage key)."""
        return RateLimitItemPerSecond(self.per_minute, self.window_seconds, namespace=self.name)

    def __str__(self) -> str:
        return f"{self.name}: {self.per_minute}/{self.window_seconds}s"


@dataclass(frozen=True)
class Decision:
    """The outcome of one hit.

    A refused hit carries how long to wait: a hit of the same cost made `retry_after_seconds` later fits
    (barring others' hits meanwhile). It is in milliseconds and may exceed the window by one, because the
    stores count a window's edge instant as still inside it. Allowed hits carry 0.
    """

    allowed: bool
    limit: int
    remaining: int | None  # None: not read (an allowed hit asked with remaining=False)
    retry_after_seconds: float


def _limits_uri(redis_url: str) -> str:
    """`limits` names its async storages async+redis://...; a unix:// socket URL becomes async+redis+unix://."""
    if redis_url.startswith("unix://"):
        return "async+redis+" + redis_url
    return redis_url if redis_url.startswith("async+") else "async+" + redis_url


def _weighted(rule: Rule, prev: int, prev_ttl: float, cur: int) -> int:
    """The sliding-window count exactly as `limits` compares it with the limit."""
    return math.floor(prev * prev_ttl / rule.window_seconds) + cur


def _retry_after(rule: Rule, cost: int, prev: int, prev_ttl: float, cur: int, cur_ttl: float) -> float:
    """Seconds until `cost` more hits fit under the rule, from the counters of both windows.

    prev_ttl is the time left in the current window (when the previous window has hits); cur_ttl is that
    plus one window (the current counter lives two windows). Within the current window only the previous
    window's weight decays; if the current count alone leaves no room, wait for the window to roll over,
    after which the current count becomes the decaying one.
    """
    window, limit = rule.window_seconds, rule.per_minute
    left = prev_ttl if prev else max(cur_ttl - window, 0.0)
    room = limit - cur - cost  # how much of the previous window's weight may still be counted
    if room >= 0:
        wait = max(prev_ttl - (room + 1) * window / prev, 0.0) if prev else 0.0
    else:
        wait = left + max(window - (limit - cost + 1) * window / cur, 0.0)
    # Strictly after the instant the hit would fit (at it, the stores still count the hit as over), in milliseconds.
    return (math.floor(round(wait * 1000, 3)) + 1) / 1000


class RateLimiter:
    """Counts hits per (rule, key) in Redis (shared by replicas) or in memory (embedded mode)."""

    def __init__(
        self, redis_url: str | None, *, prefix: str = "govops:rl", timeout: float = 0.5, outage_backoff: float = 5.0
    ) -> None:
        self.prefix = prefix
        self.backend = "redis" if redis_url else "memory"
        self._timeout = timeout
        self._outage_backoff = outage_backoff
        self._skip_redis_until = 0.0
        self._degraded = False
        self._pool: ConnectionPool | None = None
        self._storage: MemoryStorage | RedisStorage
        if redis_url:
            # Our own pool: we set its timeouts and can close it; limits builds its client on it.
            self._pool = ConnectionPool.from_url(redis_url, socket_connect_timeout=timeout, socket_timeout=timeout)
            self._storage = RedisStorage(
                _limits_uri(redis_url),
                implementation="redispy",
                key_prefix=prefix,
                wrap_exceptions=True,
                connection_pool=self._pool,
            )
        else:
            self._storage = MemoryStorage()
        self._strategy = SlidingWindowCounterRateLimiter(self._storage)

    async def hit(self, rule: Rule, key: str, cost: int = 1, *, remaining: bool = True) -> Decision:
        """Count `cost` hits of `key` under `rule` if they fit, and say whether they did (a refused hit counts nothing).
        With `remaining=False` an allowed hit costs one Redis round trip instead of two (its `remaining` is None)."""
        if not 1 <= cost <= rule.per_minute:
            raise ValueError(f"单次消耗须在 1 到 {rule.per_minute} 之间 / Cost must be between 1 and {rule.per_minute}")
        if not key:
            raise ValueError("限流键不能为空 / Rate-limit key must not be empty")
        if self._pool is not None and time.monotonic() < self._skip_redis_until:
            return self._open(rule)
        item = rule.item()
        try:
            async with asyncio.timeout(self._timeout if self._pool is not None else None):
                allowed = await self._strategy.hit(item, key, cost=cost)
                window = None
                if not allowed or remaining:
                    window = await self._storage.get_sliding_window(item.key_for(key), item.get_expiry())
        except _OUTAGE_ERRORS as exc:
            self._skip_redis_until = time.monotonic() + self._outage_backoff
            self._degraded = True
            log.warning(
                "限流存储不可用，%.0f 秒内放行所有请求 / Rate-limit store unreachable; allowing all requests for %.0f s: %r",
                self._outage_backoff,
                self._outage_backoff,
                exc,
            )
            return self._open(rule)
        if self._degraded:
            self._degraded = False
            log.info("限流存储已恢复 / Rate-limit store reachable again")
        if window is None:
            return Decision(True, rule.per_minute, None, 0.0)
        prev, prev_ttl, cur, cur_ttl = window
        left = max(rule.per_minute - _weighted(rule, prev, prev_ttl, cur), 0)
        if allowed:
            return Decision(True, rule.per_minute, left, 0.0)
        return Decision(False, rule.per_minute, left, _retry_after(rule, cost, prev, prev_ttl, cur, cur_ttl))

    @staticmethod
    def _open(rule: Rule) -> Decision:
        """Fail-open answer: allowed, and nothing is known about what is left."""
        return Decision(True, rule.per_minute, rule.per_minute, 0.0)

    async def reset(self) -> None:
        """Clear every counter under this limiter's prefix (tests; in Redis it runs KEYS over the prefix)."""
        self._skip_redis_until = 0.0
        await self._storage.reset()

    async def close(self) -> None:
        """Release the Redis connections (or stop the memory store's expiry task)."""
        if self._pool is not None:
            await self._pool.disconnect()
        elif isinstance(self._storage, MemoryStorage) and self._storage.timer is not None:
            self._storage.timer.cancel()


def rate_limited_error(decision: Decision) -> dict[str, object]:
    """The GraphQL error for a refused hit; retryAfter is whole seconds, rounded up, at least 1."""
    if decision.allowed:
        raise ValueError("只有被拒绝的请求才有限流错误 / Only a refused hit has a rate-limit error")
    seconds = max(1, math.ceil(decision.retry_after_seconds))
    return {
        "message": f"请求过于频繁，请 {seconds} 秒后重试 / Too many requests; retry in {seconds} s",
        "extensions": {"code": RATE_LIMITED, "retryAfter": seconds},
    }
