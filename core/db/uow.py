"""Unit of work: one transaction; jobs and bus messages queued in it leave only after commit."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import audit
from core.clock import utcnow
from core.db.engine import WRITER
from core.queue.outbox import new_outbox_row

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]


class UnitOfWork:
    """`async with UnitOfWork(...) as uow:` commits on a clean exit and rolls back on an exception."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        publish: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._publish = publish
        self._on_enqueued = on_enqueued
        self._messages: list[tuple[str, dict[str, Any]]] = []
        self._after_commit: list[AfterCommit] = []
        self._before_commit: list[Callable[[], Awaitable[None]]] = []
        self._enqueued = 0
        self.session: AsyncSession

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        await self.session.connection(execution_options=WRITER)
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                await self.commit()
            else:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        for hook in self._before_commit:
            await hook()
        await audit.seal(self.session)  # last, so the chain-head lock is held as briefly as possible
        await self.session.commit()
        messages, self._messages = self._messages, []
        hooks, self._after_commit = self._after_commit, []
        if self._enqueued and self._on_enqueued is not None:
            self._on_enqueued()
        self._enqueued = 0
        # After commit nothing may undo the transaction: failures here are logged, not raised.
        if self._publish is not None:
            for channel, message in messages:
                try:
                    await self._publish(channel, message)
                except Exception:
                    log.exception("publish after commit failed", extra={"channel": channel})
        for hook in hooks:
            try:
                await hook()
            except Exception:
                log.exception("after-commit hook failed")

    def enqueue(
        self,
        job_name: str,
        payload: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        delay: timedelta | None = None,
        run_at: datetime | None = None,
        max_tries: int | None = None,
    ) -> None:
        """Write a job into the outbox in this transaction; it is sent only if the transaction commits."""
        when = run_at or (utcnow() + delay if delay else None)
        self.session.add(new_outbox_row(job_name, payload or {}, key=key, run_at=when, max_tries=max_tries))
        self._enqueued += 1

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Queue a bus message; it is published only after a successful commit."""
        self._messages.append((channel, message))

    def before_commit(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._before_commit.append(hook)

    def after_commit(self, hook: AfterCommit) -> None:
        self._after_commit.append(hook)
