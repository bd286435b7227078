"""The interface log's writer: every platform call in a short transaction of its own.

A call must stay in the log even when the job that made it rolls back (a retry, a crash), so the
recorder does not write in the caller's transaction. Clients get it at construction (server and worker wiring).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.uow import UnitOfWork
from domain.integration import repository
from domain.integration.ports import CallRecord, CallRecorder


def recorder(session_factory: async_sessionmaker[AsyncSession]) -> CallRecorder:
    async def record(rec: CallRecord) -> None:
        async with UnitOfWork(session_factory) as uow:
            await repository.record_call(uow.session, rec)

    return record
