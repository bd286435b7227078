"""Rate limits: the same behaviour in memory (embedded mode) and in Redis (shared by replicas), failing open.

Redis-backed cases run when GOVOPS_TEST_REDIS_URL is set (CI sets it) and are skipped otherwise; each
test uses its own key prefix and clears it afterwards, so runs never see each other's counts.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from core.ratelimit import RATE_LIMITED, Decision, RateLimiter, Rule, rate_limited_error
from tests.conftest import REDIS_URL

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="Redis-backed rate-limit test: GOVOPS_TEST_REDIS_URL is not set")
BACKENDS = ["memory", pytest.param("redis", marks=needs_redis)]


def _prefix() -> str:
    return f"govops:test:rl:{uuid.uuid4().hex}"


@pytest.fixture(params=BACKENDS)
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    rl = RateLimiter(REDIS_URL if request.param == "redis" else None, prefix=_prefix())
    yield rl
    await rl.reset()
    await rl.close()


@pytest.fixture
async def redis_pair() -> AsyncIterator[tuple[RateLimiter, RateLimiter]]:
    """Two limiters on one Redis and prefix: two API replicas."""
    prefix = _prefix()
    a, b = RateLimiter(REDIS_URL, prefix=prefix), RateLimiter(REDIS_URL, prefix=prefix)
    yield a, b
    await a.reset()
    await a.close()
    await b.close()


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Clock]:
    """Drive the memory store's clock (it reads time.time() from its own module), 10.5 s into a minute."""
    clock = _Clock(60 * 28_000_000 + 10.5)
    monkeypatch.setattr(importlib.import_module("limits.aio.storage.memory"), "time", clock)
    yield clock


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the same behaviour on both backends ---


async def test_allows_the_limit_then_refuses_with_retry_after(limiter: RateLimiter) -> None:
    rule = Rule("user", per_minute=3)
    decisions = [await limiter.hit(rule, "u1") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    assert all(d.limit == 3 and d.retry_after_seconds == 0 for d in decisions)

    refused = await limiter.hit(rule, "u1")
    assert not refused.allowed and refused.remaining == 0
    # A minute window: the wait is at most the window (plus the one millisecond of the edge instant).
    assert 0 < refused.retry_after_seconds <= 60.001
    again = await limiter.hit(rule, "u1")  # a refused hit counts nothing
    assert not again.allowed and again.remaining == 0


async def test_without_remaining_an_allowed_hit_still_counts(limiter: RateLimiter) -> None:
    rule = Rule("user", per_minute=2)
    assert [await limiter.hit(rule, "u1", remaining=False) for _ in range(2)] == [Decision(True, 2, None, 0.0)] * 2
    refused = await limiter.hit(rule, "u1", remaining=False)  # a refusal still says how long to wait
    assert not refused.allowed and refused.remaining == 0 and 0 < refused.retry_after_seconds <= 60.001


async def test_keys_and_rules_are_independent(limiter: RateLimiter) -> None:
    user, client = Rule("user", per_minute=2), Rule("client", per_minute=2)
    for _ in range(2):
        assert (await limiter.hit(user, "5")).allowed
    assert not (await limiter.hit(user, "5")).allowed
    assert (await limiter.hit(user, "6")).remaining == 1  # another user
    assert (await limiter.hit(client, "5")).remaining == 1  # API client 5 is not user 5


async def test_cost_takes_several_hits(limiter: RateLimiter) -> None:
    rule = Rule("export", per_minute=5)
    assert (await limiter.hit(rule, "u1", cost=3)).remaining == 2
    too_much = await limiter.hit(rule, "u1", cost=3)
    assert not too_much.allowed and too_much.remaining == 2 and too_much.retry_after_seconds > 0
    assert (await limiter.hit(rule, "u1", cost=2)) == Decision(True, 5, 0, 0.0)
    with pytest.raises(ValueError):
        await limiter.hit(rule, "u1", cost=0)
    with pytest.raises(ValueError):
        await limiter.hit(rule, "u1", cost=6)  # could never fit


async def test_reset_clears_counts(limiter: RateLimiter) -> None:
    rule = Rule("user", per_minute=1)
    assert (await limiter.hit(rule, "u1")).allowed
    assert not (await limiter.hit(rule, "u1")).allowed
    await limiter.reset()
    assert (await limiter.hit(rule, "u1")).allowed


# --- windows passing ---


async def test_memory_window_passes_at_retry_after(clock: _Clock) -> None:
    limiter = RateLimiter(None)
    rule = Rule("user", per_minute=3)
    for _ in range(3):
        assert (await limiter.hit(rule, "u1")).allowed
    refused = await limiter.hit(rule, "u1")
    assert refused.retry_after_seconds == pytest.approx(49.501)  # the rest of the minute, strictly after its edge

    clock.now += refused.retry_after_seconds - 0.01
    assert not (await limiter.hit(rule, "u1")).allowed
    clock.now += 0.01
    # The new window still weighs the old one's 3 hits by the share of it that overlaps: one more fits.
    assert (await limiter.hit(rule, "u1")) == Decision(True, 3, 0, 0.0)
    decaying = await limiter.hit(rule, "u1")
    assert not decaying.allowed and decaying.retry_after_seconds == pytest.approx(20.0, abs=0.002)
    clock.now += decaying.retry_after_seconds
    assert (await limiter.hit(rule, "u1")).allowed

    clock.now += 120  # two idle windows: the full budget again
    assert (await limiter.hit(rule, "u1")).remaining == 2
    await limiter.close()


async def test_memory_cost_retry_after(clock: _Clock) -> None:
    limiter = RateLimiter(None)
    rule = Rule("export", per_minute=4)
    assert (await limiter.hit(rule, "u1", cost=4)).allowed
    clock.now += 49.5  # next window starts; the old 4 hits weigh 4, then decay one per 15 s
    refused = await limiter.hit(rule, "u1", cost=2)
    assert not refused.allowed and refused.retry_after_seconds == pytest.approx(15.001, abs=0.002)
    clock.now += refused.retry_after_seconds - 0.01
    assert not (await limiter.hit(rule, "u1", cost=2)).allowed
    clock.now += 0.01
    assert (await limiter.hit(rule, "u1", cost=2)).allowed
    await limiter.close()


@needs_redis
async def test_redis_window_passes_at_retry_after() -> None:
    limiter = RateLimiter(REDIS_URL, prefix=_prefix())
    rule = Rule("burst", per_minute=2, window_seconds=1)
    try:
        assert (await limiter.hit(rule, "u1")).allowed
        assert (await limiter.hit(rule, "u1")).allowed
        refused = await limiter.hit(rule, "u1")
        assert not refused.allowed and 0 < refused.retry_after_seconds <= 1.001
        await asyncio.sleep(refused.retry_after_seconds)
        assert (await limiter.hit(rule, "u1")).allowed
    finally:
        await limiter.reset()
        await limiter.close()


# --- Redis: shared by replicas, namespaced by prefix ---


@needs_redis
async def test_two_replicas_share_counts(redis_pair: tuple[RateLimiter, RateLimiter]) -> None:
    a, b = redis_pair
    rule = Rule("client", per_minute=4)
    assert (await a.hit(rule, "app-1")).remaining == 3
    assert (await b.hit(rule, "app-1")).remaining == 2
    assert (await a.hit(rule, "app-1", cost=2)).remaining == 0
    refused = await b.hit(rule, "app-1")
    assert not refused.allowed and refused.retry_after_seconds > 0


@needs_redis
async def test_redis_keys_live_under_the_prefix_and_reset_spares_others() -> None:
    mine, other = RateLimiter(REDIS_URL, prefix=_prefix()), RateLimiter(REDIS_URL, prefix=_prefix())
    rule = Rule("user", per_minute=2)
    redis = Redis.from_url(REDIS_URL or "")
    try:
        await mine.hit(rule, "u1")
        await other.hit(rule, "u1")
        keys = [k.decode() async for k in redis.scan_iter(match=f"{mine.prefix}:*")]
        assert keys and all("user/u1/" in k for k in keys)
        await mine.reset()
        assert [k async for k in redis.scan_iter(match=f"{mine.prefix}:*")] == []
        assert (await other.hit(rule, "u1")).remaining == 0  # the other prefix kept its count
    finally:
        await other.reset()
        await redis.aclose()
        await mine.close()
        await other.close()


# --- Redis down: fail open ---


async def test_unreachable_redis_fails_open_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RateLimiter(f"redis://127.0.0.1:{_closed_port()}/0", prefix=_prefix())
    rule = Rule("user", per_minute=1)
    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        first = await limiter.hit(rule, "u1")
        assert first == Decision(True, 1, 1, 0.0)
        assert "Rate-limit store unreachable" in caplog.text
        caplog.clear()
        # Within the back-off Redis is not asked again: allowed at once, and no warning per request.
        assert all([(await limiter.hit(rule, "u1")).allowed for _ in range(5)])
        assert caplog.records == []
    await limiter.close()


async def test_silent_redis_fails_open_within_the_timeout(caplog: pytest.LogCaptureFixture) -> None:
    """A black-holed Redis (accepts, never answers) costs one bounded wait, not a hung request."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        limiter = RateLimiter(f"redis://127.0.0.1:{server.getsockname()[1]}/0", prefix=_prefix(), timeout=0.2)
        with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
            started = time.monotonic()
            decision = await limiter.hit(Rule("user", per_minute=1), "u1")
            assert time.monotonic() - started < 1.0
        assert decision.allowed and "unreachable" in caplog.text
        await limiter.close()


# --- rules and the GraphQL error ---


def test_rule_validation_and_parse() -> None:
    assert Rule.parse("user", "120/minute") == Rule("user", 120)
    assert Rule.parse("burst", "10 per 5 seconds") == Rule("burst", 10, window_seconds=5)
    for bad in ("", "a/b", "x*"):
        with pytest.raises(ValueError):
            Rule(bad, 10)
    with pytest.raises(ValueError):
        Rule("user", 0)


def test_rate_limited_error_shape() -> None:
    error = rate_limited_error(Decision(False, 3, 0, 12.2))
    assert error == {
        "message": "请求过于频繁，请 13 秒后重试 / Too many requests; retry in 13 s",
        "extensions": {"code": RATE_LIMITED, "retryAfter": 13},
    }
    assert rate_limited_error(Decision(False, 3, 0, 0.004))["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 1}
    with pytest.raises(ValueError):
        rate_limited_error(Decision(True, 3, 2, 0.0))
