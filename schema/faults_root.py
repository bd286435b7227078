"""The fault fields of Query and Mutation; schema.root's classes inherit them (root.py stays readable)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers import faults as rf
from schema.exports.types import ExportPayload
from schema.faults import enums, inputs, types
from schema.pagination import After, Connection, Filter, First
from schema.permissions import guard
from schema.workorders import enums as wo_enums


@strawberry.type
class FaultQuery:
    @strawberry.field(
        permission_classes=guard(rf.VIEW),
        description="故障报修: fault reports in your data scope, with their response and resolution times. A fault is "
        'reported with workOrderSubmit(kind: "faults.rectify") and handled through that order\'s steps.',
    )
    async def faults(
        self, info: strawberry.Info,
        filter: Annotated[inputs.FaultFilter | None, Filter] = None,
        sort: Annotated[enums.FaultSort, strawberry.argument(description="Order of the list.")] = enums.FaultSort.REPORTED_DESC,  # type: ignore[valid-type]
        first: First = 20, after: After = None,
    ) -> Connection[types.Fault]:  # fmt: skip
        return await rf.faults(info, filter, sort, first, after)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard(rf.VIEW), description="One fault with its rectification order.")
    async def fault(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")]
    ) -> types.Fault | None:
        return await rf.fault(info, id)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(rf.VIEW),
        description="故障统计: faults reported in the period (and the filter), by stage, level, category, service, "
        "carrier (运营商报修) and unit (故障排行), per period, with mean response and resolution times.",
    )
    async def fault_statistics(
        self, info: strawberry.Info,
        filter: Annotated[inputs.FaultFilter | None, Filter] = None,
        grain: Annotated[wo_enums.Grain, strawberry.argument(description="The time dimension.")] = wo_enums.Grain.MONTH,  # type: ignore[valid-type]
        start: Annotated[datetime | None, strawberry.argument(name="from", description="Period start (default: a year ago).")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to", description="Period end (default: now).")] = None,
    ) -> types.FaultStatistics:  # fmt: skip
        return await rf.statistics(info, filter, grain, start, end)


@strawberry.type
class FaultMutation:
    @strawberry.mutation(
        permission_classes=guard(rf.VIEW),
        description="The filtered faults as .xlsx (故障报修台账): at once up to 2,000, else by a job (follow exportProgress).",
    )
    async def faults_export(
        self, info: strawberry.Info, filter: Annotated[inputs.FaultFilter | None, Filter] = None
    ) -> ExportPayload:
        return await rf.export(info, filter)  # type: ignore[no-any-return]
