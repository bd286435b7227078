"""Every list filter an export stores goes to JSON and comes back equal (dates, datetimes, enums, tuples, booleans)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from domain.assets.enums import AssetStatus, AssetType
from domain.assets.repository import AssetFilter
from domain.catalog.enums import ServiceDomain
from domain.exports.params import from_params, to_params
from domain.faults.enums import FaultLevel
from domain.faults.repository import FaultFilter
from domain.secure_access.enums import AccountStatus
from domain.secure_access.repository import AccountFilter
from domain.wireless.enums import Carrier
from domain.wireless.repository import CardFilter
from domain.workorders.enums import WorkOrderStatus
from domain.workorders.repository import WorkOrderFilter


def test_filters_round_trip_through_json():
    cases = [
        FaultFilter(
            domains=(ServiceDomain.WIRELESS,),
            levels=(FaultLevel.LEVEL_1,),
            overdue=False,
            open_only=True,
            reported_from=datetime(2026, 11, 1, tzinfo=UTC),
            keyword="信号",
        ),
        AssetFilter(
            domains=(ServiceDomain.FIBER,),
            types=(AssetType.ROUTER,),
            statuses=(AssetStatus.IN_SERVICE,),
            end_of_life_before=date(2027, 1, 1),
            vendor="华为",
        ),
        CardFilter(carriers=(Carrier.TELECOM,), activated_from=datetime(2026, 1, 1, tzinfo=UTC)),
        AccountFilter(statuses=(AccountStatus.ACTIVE,), today=date(2026, 11, 29), expiring_within_days=30),
        WorkOrderFilter(statuses=(WorkOrderStatus.PROCESSING,), kinds=("wireless.open",)),
        FaultFilter(),
    ]
    for f in cases:
        stored = json.loads(json.dumps(to_params(f)))
        assert from_params(type(f), stored) == f
    assert to_params(FaultFilter()) == {"open_only": False}
