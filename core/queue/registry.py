"""The job port: jobs declare themselves here; the arq worker and the in-process runner run them alike."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.queue.context import JobContext

JobFunc = Callable[..., Awaitable[Any]]
CronFunc = Callable[["JobContext"], Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    max_tries: int = 5
    timeout: float = 60.0
    backoff_base: float = 2.0
    backoff_max: float = 600.0

    def backoff(self, attempt: int) -> timedelta:
        """Exponential backoff with jitter: base * 2^(attempt-1), capped, +-20%."""
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(0, attempt - 1)))
        return timedelta(seconds=delay * random.uniform(0.8, 1.2))


@dataclass(frozen=True)
class CronSpec:
    """A periodic job; `schedule` takes arq's cron fields (minute=, hour=, second=, ...)."""

    name: str
    func: CronFunc
    schedule: dict[str, Any] = field(default_factory=dict)
    timeout: float = 300.0


class JobRegistry:
    def __init__(self) -> None:
        self.jobs: dict[str, JobSpec] = {}
        self.crons: dict[str, CronSpec] = {}

    def job(
        self, name: str, *, max_tries: int = 5, timeout: float = 60.0, backoff_base: float = 2.0
    ) -> Callable[[JobFunc], JobFunc]:
        def register(func: JobFunc) -> JobFunc:
            if name in self.jobs:
                raise ValueError(f"job {name} registered twice")
            self.jobs[name] = JobSpec(name, func, max_tries=max_tries, timeout=timeout, backoff_base=backoff_base)
            return func

        return register

    def cron(self, name: str, *, timeout: float = 300.0, **schedule: Any) -> Callable[[CronFunc], CronFunc]:
        def register(func: CronFunc) -> CronFunc:
            if name in self.crons:
                raise ValueError(f"cron {name} registered twice")
            self.crons[name] = CronSpec(name, func, schedule, timeout)
            return func

        return register
