"""arq WorkerSettings for `govops worker`: the outbox job runner, the outbox relay and the crons."""

from __future__ import annotations

from typing import Any, ClassVar

from arq.connections import RedisSettings

from core import keys
from core.bus import RedisBus
from core.db.engine import create_engine, create_session_factory
from core.logging import configure_logging
from core.queue.runner import ArqRelay, JobExecutor, arq_functions_and_crons, runner_name
from core.settings import get_settings
from jobs import registry

_settings = get_settings()
_functions, _crons = arq_functions_and_crons(registry)


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging(_settings.log_level)
    assert _settings.master_key is not None
    keys.configure(_settings.master_key.get_secret_value())
    engine = create_engine(_settings.database_url, _settings.database_pool_size)
    bus = RedisBus(_settings.redis_url or "")
    relay: ArqRelay | None = None
    executor = JobExecutor(
        registry, create_session_factory(engine), bus.publish, lambda: relay.wake() if relay else None, runner_name("worker")
    )
    relay = ArqRelay(executor, ctx["redis"], poll_seconds=_settings.job_poll_seconds)
    await relay.start()
    ctx.update(engine=engine, bus=bus, executor=executor, relay=relay)


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["relay"].close()
    await ctx["bus"].close()
    await ctx["engine"].dispose()


class WorkerSettings:
    functions: ClassVar[list[Any]] = _functions
    cron_jobs: ClassVar[list[Any]] = _crons
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(_settings.redis_url or "redis://127.0.0.1:6379")
    max_tries = 1  # retries with backoff are the outbox's: durable in the database, same as embedded mode
    job_timeout = 3600
    keep_result = 3600
