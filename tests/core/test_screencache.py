"""Shared dashboard figures: one computation per key, served stale while one refresh runs (the API side is in
tests/wireless/test_overview.py)."""

from __future__ import annotations

import asyncio

import pytest

from core.screencache import ScreenCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_concurrent_first_requests_share_one_computation():
    cache, calls = ScreenCache(30, clock=Clock(), jitter=0), []
    gate = asyncio.Event()

    async def compute() -> int:
        calls.append(1)
        await gate.wait()
        return len(calls)

    waiting = [asyncio.ensure_future(cache.get("k", compute)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    answers = await asyncio.gather(*waiting)
    assert answers == [1] * 5 and len(calls) == 1


async def test_a_stale_answer_is_served_while_one_refresh_runs_then_the_fresh_one():
    clock = Clock()
    cache, version = ScreenCache(30, clock=clock, jitter=0), [0]
    release = asyncio.Event()

    async def compute() -> int:
        version[0] += 1
        if version[0] > 1:
            await release.wait()
        return version[0]

    assert await cache.get("k", compute) == 1
    clock.now = 29.9
    assert await cache.get("k", compute) == 1 and version[0] == 1  # fresh: not computed again
    clock.now = 31
    assert await cache.get("k", compute) == 1  # stale: answered at once, one refresh started
    await asyncio.sleep(0)
    assert await cache.get("k", compute) == 1 and version[0] == 2  # the refresh is running: no second one
    release.set()
    await asyncio.sleep(0.01)
    assert await cache.get("k", compute) == 2


async def test_a_failed_first_computation_reaches_every_waiter_and_is_tried_again():
    cache, tries = ScreenCache(30, clock=Clock(), jitter=0), [0]

    async def compute() -> str:
        tries[0] += 1
        if tries[0] == 1:
            raise RuntimeError("database gone")
        return "ok"

    with pytest.raises(RuntimeError):
        await cache.get("k", compute)
    assert await cache.get("k", compute) == "ok"


async def test_a_failed_refresh_keeps_the_last_answer():
    clock = Clock()
    cache, tries = ScreenCache(30, clock=clock, jitter=0), [0]

    async def compute() -> str:
        tries[0] += 1
        if tries[0] == 2:
            raise RuntimeError("timeout")
        return f"v{tries[0]}"

    assert await cache.get("k", compute) == "v1"
    clock.now = 40
    assert await cache.get("k", compute) == "v1"
    await asyncio.sleep(0.01)  # the refresh failed (logged)
    assert await cache.get("k", compute) == "v1"  # still the last answer; this request started another refresh
    await asyncio.sleep(0.01)
    assert await cache.get("k", compute) == "v3"


async def test_ttl_zero_computes_every_time_and_the_oldest_key_goes_first():
    calls = []

    async def compute() -> int:
        calls.append(1)
        return len(calls)

    off = ScreenCache(0)
    assert [await off.get("k", compute) for _ in range(3)] == [1, 2, 3]
    small = ScreenCache(30, max_entries=2, clock=Clock(), jitter=0)
    for key in ("a", "b", "c"):
        await small.get(key, compute)
    assert list(small._entries) == ["b", "c"]


async def test_expiries_are_spread_and_at_most_two_refreshes_run_at_once():
    clock = Clock()
    cache = ScreenCache(100, clock=clock, refreshes=2)
    running, most, release = [0], [0], asyncio.Event()

    async def compute() -> str:
        if clock.now:  # a refresh: count how many run together
            running[0] += 1
            most[0] = max(most[0], running[0])
            await release.wait()
            running[0] -= 1
        return "v"

    for key in range(20):
        await cache.get(key, compute)
    lives = sorted(e.fresh_until for e in cache._entries.values())
    assert 80 <= lives[0] < lives[-1] <= 120  # ±20 %: the keys made together do not expire together
    clock.now = 200
    for key in range(20):
        assert await cache.get(key, compute) == "v"  # every key stale: answered at once
    await asyncio.sleep(0.01)
    assert most[0] == 2 and running[0] == 2
    release.set()
    await asyncio.sleep(0.05)
    assert running[0] == 0 and all(e.fresh_until > 200 for e in cache._entries.values())


async def test_a_screen_may_keep_its_figures_longer():
    clock = Clock()
    cache, calls = ScreenCache(60, clock=clock, jitter=0), []

    async def compute() -> int:
        calls.append(1)
        return len(calls)

    await cache.get("statistics", compute, factor=5)
    clock.now = 299
    assert await cache.get("statistics", compute, factor=5) == 1 and len(calls) == 1
    clock.now = 301
    await cache.get("statistics", compute, factor=5)
    await asyncio.sleep(0.01)
    assert len(calls) == 2
