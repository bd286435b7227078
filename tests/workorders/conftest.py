"""Work order engine fixtures: the demo organisation plus the people the flows in flows.py need."""

from __future__ import annotations

from typing import Any

import pytest

import tests.workorders.flows  # noqa: F401  (declares the test kinds)
from tests.workorders.helpers import Engine, make_user


@pytest.fixture
async def org(demo: Any) -> Any:
    """The demo organisation plus three reviewers (countersign), a second D-PD leader and a D-PD deputy."""
    for name in ("reviewer1", "reviewer2", "reviewer3"):
        await make_user(demo, name, "SHBDC", "test_reviewer")
    await make_user(demo, "pd_admin2", "D-PD", "unit_admin")
    await make_user(demo, "pd_deputy", "D-PD", "unit_applicant")
    return demo


@pytest.fixture
def wo(org: Any) -> Engine:
    return Engine(org)
