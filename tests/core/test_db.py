"""The column types behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from core import audit
from core.audit import AuditEvent, AuditOutcome
from core.clock import utcnow
from domain.identity.models import User


async def test_datetimes_come_back_timezone_aware_utc(services):
    shanghai = timezone(timedelta(hours=8))
    async with services.unit_of_work() as uow:
        event = audit.record(uow.session, operation="x", detail={"k": ["v", 1]})
        event.occurred_at = datetime(2026, 10, 1, 8, 0, tzinfo=shanghai)
    async with services.session_factory() as s:
        got = (await s.execute(select(AuditEvent))).scalar_one()
    assert got.occurred_at == datetime(2026, 10, 1, 0, 0, tzinfo=UTC)
    assert got.occurred_at.tzinfo is not None and got.occurred_at.utcoffset() == timedelta(0)
    assert got.detail == {"k": ["v", 1]}


async def test_naive_datetimes_are_refused(services):
    with pytest.raises(StatementError, match="naive datetime"):
        async with services.unit_of_work() as uow:
            event = audit.record(uow.session, operation="x")
            event.occurred_at = datetime(2026, 1, 1)


async def test_enum_columns_have_check_constraints(services):
    with pytest.raises(IntegrityError):
        async with services.session_factory() as s, s.begin():
            await s.execute(
                text(
                    "INSERT INTO audit_event (occurred_at, operation, outcome, detail) VALUES (CURRENT_TIMESTAMP, 'x', 'MAYBE', '{}')"
                )
            )
    assert {o.value for o in AuditOutcome} == {"SUCCESS", "FAILURE", "DENIED"}


async def test_foreign_keys_are_enforced(services):
    with pytest.raises(IntegrityError):
        async with services.unit_of_work() as uow:
            now = utcnow()
            uow.session.add(User(username="ghost", display_name="g", org_unit_id=424242, password_hash="x",
                                 password_changed_at=now, created_at=now, updated_at=now))  # fmt: skip


async def test_rollback_publishes_nothing_and_commit_publishes_after(services):
    seen: list[tuple[str, dict]] = []

    async def publish(channel: str, message: dict) -> None:
        seen.append((channel, message))

    from core.db.uow import UnitOfWork

    with pytest.raises(RuntimeError):
        async with UnitOfWork(services.session_factory, publish=publish) as uow:
            uow.publish("c", {"n": 1})
            raise RuntimeError
    assert seen == []
    async with UnitOfWork(services.session_factory, publish=publish) as uow:
        uow.publish("c", {"n": 2})
        assert seen == []
    assert seen == [("c", {"n": 2})]
