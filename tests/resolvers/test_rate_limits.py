"""Rate limits at the front door: per user, per API client, per address without a token; 429 with a retry time."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from core.ratelimit import RateLimiter
from server import create_app


async def limited_app(demo: Any, **limits: int) -> tuple[Any, RateLimiter]:
    """The app with limits on (the suite runs with them off) and a limiter of its own (Redis when the backend has it)."""
    demo.settings = demo.settings.model_copy(update=limits)
    limiter = RateLimiter(demo.settings.redis_url, prefix=f"govops:test-rl:{secrets.token_hex(4)}")
    demo.limiter = limiter
    return create_app(demo.settings, demo), limiter


async def test_a_user_over_the_limit_gets_rate_limited_with_a_retry_time(demo, gql):
    token = await gql.token("operator")
    other = await gql.token("pd_user")
    original = demo.settings, demo.limiter
    app, limiter = await limited_app(demo, rate_limit_user_per_minute=3, rate_limit_anonymous_per_minute=2)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.9.9.9", 1)), base_url="http://t") as http:
            query = {"query": "{ viewer { username } }"}
            for _ in range(3):
                assert (await http.post("/graphql", json=query, headers={"Authorization": f"Bearer {token}"})).status_code == 200
            refused = await http.post("/graphql", json=query, headers={"Authorization": f"Bearer {token}"})
            assert refused.status_code == 429
            error = refused.json()["errors"][0]
            assert error["extensions"]["code"] == "RATE_LIMITED" and 1 <= error["extensions"]["retryAfter"] <= 60
            assert refused.headers["retry-after"] == str(error["extensions"]["retryAfter"])
            assert " / " in error["message"]
            # Another user is not affected; anonymous callers are counted per address.
            assert (await http.post("/graphql", json=query, headers={"Authorization": f"Bearer {other}"})).status_code == 200
            login = {"query": 'mutation { login(input: {username: "x", password: "y"}) { errors { code } } }'}
            statuses = [(await http.post("/graphql", json=login)).status_code for _ in range(3)]
            assert statuses == [200, 200, 429]
    finally:
        await limiter.reset()
        await limiter.close()
        demo.settings, demo.limiter = original
