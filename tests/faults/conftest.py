"""Fault fixtures: a reporting unit's card and account, and helpers to report and walk a fault through its flow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.clock import utcnow
from domain.catalog import repository as catalog
from domain.wireless import service as wireless
from tests.secure_access import conftest as secure_access
from tests.wireless import conftest as wireless_fixtures
from tests.wireless.conftest import issued

SUBMIT = """mutation($i: WorkOrderSubmitInput!) { workOrderSubmit(input: $i) {
  workOrder { id number title status step applicant { username } } errors { code field message } } }"""
APPROVE = (
    "mutation($i: WorkOrderApproveInput!) { workOrderApprove(input: $i) { workOrder { status step } errors { code message } } }"
)
REJECT = (
    "mutation($i: WorkOrderDecisionInput!) { workOrderReject(input: $i) { workOrder { status step } errors { code message } } }"
)
RETURN = (
    "mutation($i: WorkOrderDecisionInput!) { workOrderReturn(input: $i) { workOrder { status step } errors { code message } } }"
)


@pytest.fixture
async def records(demo: Any) -> Any:
    """D-PD's cards 1-2 and accounts JR00000001-2, D-HP's card 3 and account JR00000003."""
    async with demo.unit_of_work() as uow:
        await wireless.ensure_catalog(uow, wireless_fixtures.PLANS, wireless_fixtures.APPLICATIONS)
        await catalog.ensure(uow, secure_access.SYSTEMS)
    cards, accounts = wireless_fixtures.Registry(demo), secure_access.Registry(demo)
    await cards.cards("D-PD", range(1, 3))
    await cards.cards("D-HP", range(3, 4))
    await accounts.accounts("D-PD", range(1, 3))
    await accounts.accounts("D-HP", range(3, 4))
    return demo


def report(**extra: Any) -> dict[str, Any]:
    """A wireless fault report on the first test card, level 2 (respond in 2 h, resolve in 8 h)."""
    return {
        "domain": "WIRELESS", "category": "SIGNAL", "level": "LEVEL_2", "title": "执法记录仪无信号",
        "description": "浦东分局三楼会议室5G信号弱，终端频繁掉线", "occurredAt": (utcnow() - timedelta(minutes=30)).isoformat(),
        "location": "浦东分局三楼", "iccid": issued(1).iccid, **extra,
    }  # fmt: skip


async def submit(gql: Any, form: dict[str, Any], user: str = "pd_user") -> dict[str, Any]:
    answer = await gql(SUBMIT, {"i": {"kind": "faults.rectify", "form": form}}, as_user=user)
    assert "errors" not in answer, answer
    return answer["data"]["workOrderSubmit"]  # type: ignore[no-any-return]


async def decide(gql: Any, query: str, values: dict[str, Any], user: str = "operator") -> dict[str, Any]:
    answer = await gql(query, {"i": values}, as_user=user)
    assert "errors" not in answer, answer
    return next(iter(answer["data"].values()))  # type: ignore[no-any-return]
