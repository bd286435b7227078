"""arq WorkerSettings for `govops worker`: the outbox job runner, the outbox relay and the crons."""

from __future__ import annotations

import asyncio
from datetime import UTC
from typing import Any, ClassVar

from arq.connections import RedisSettings

from core import keyring, keys, storage
from core.bus import RedisBus
from core.db.engine import create_engine, create_session_factory, read_engine
from core.logging import configure_logging
from core.queue.runner import ArqRelay, JobExecutor, arq_functions_and_crons, runner_name
from core.settings import get_settings
from integrations import wiring
from jobs import registry
from jobs.interface_log import recorder

_settings = get_settings()
_functions, _crons = arq_functions_and_crons(registry)


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging(_settings.log_level)
    assert _settings.master_key is not None
    keys.configure(_settings.master_key.get_secret_value())
    engine = create_engine(_settings.database_url, _settings.database_pool_size)
    await keys.load(engine)
    bus = RedisBus(_settings.redis_url or "")
    tasks = [
        asyncio.create_task(_follow_keys(engine, bus)),
        asyncio.create_task(keyring.refresh_forever(engine, _settings.key_refresh_seconds)),
    ]
    relay: ArqRelay | None = None
    executor = JobExecutor(
        registry, create_session_factory(engine), bus.publish, lambda: relay.wake() if relay else None, runner_name("worker"),
        extra={"storage": storage.store_from_settings(_settings), "read": read_engine(engine).connect},
    )  # fmt: skip
    gateways = wiring.register_configured(_settings, recorder(executor.session_factory))
    relay = ArqRelay(executor, ctx["redis"], poll_seconds=_settings.job_poll_seconds)
    await relay.start()
    ctx.update(engine=engine, bus=bus, executor=executor, relay=relay, tasks=tasks, gateways=gateways)


async def _follow_keys(engine: Any, bus: RedisBus) -> None:
    """Reload the key ring when a rotation moves on (see core.keyring)."""
    while True:
        try:
            async for _channel, _message in bus.subscribe(keyring.KEYS_CHANNEL):
                await keyring.reload(engine)
        except asyncio.CancelledError:
            raise
        except Exception:
            await asyncio.sleep(1)


async def shutdown(ctx: dict[str, Any]) -> None:
    for task in ctx["tasks"]:
        task.cancel()
    await ctx["relay"].close()
    await wiring.close(ctx["gateways"])
    await ctx["bus"].close()
    await ctx["engine"].dispose()


class WorkerSettings:
    functions: ClassVar[list[Any]] = _functions
    cron_jobs: ClassVar[list[Any]] = _crons
    timezone = UTC  # cron hours are UTC, as in the embedded runner (arq would take the host's zone)
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(_settings.redis_url or "redis://127.0.0.1:6379")
    max_tries = 1  # retries with backoff are the outbox's: durable in the database, same as embedded mode
    job_timeout = 3600
    keep_result = 3600
