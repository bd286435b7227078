"""The secure access fields of Query and Mutation; schema.root's classes inherit them (root.py stays readable)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers import secure_access as rsa
from schema.exports.types import ExportPayload
from schema.pagination import After, Connection, Filter, First
from schema.permissions import guard
from schema.secure_access import enums, inputs, types
from schema.statistics import PeriodCount
from schema.workorders import enums as wo_enums

Sort = strawberry.argument(description="Order of the list.")


@strawberry.type
class SecureAccessQuery:
    @strawberry.field(permission_classes=guard(rsa.VIEW), description="互联网安全加密接入账号: the accounts in your data scope.")
    async def secure_access_accounts(
        self, info: strawberry.Info,
        filter: Annotated[inputs.SecureAccessAccountFilter | None, Filter] = None,
        sort: Annotated[enums.SecureAccessAccountSort, Sort] = enums.SecureAccessAccountSort.CREATED_DESC,  # type: ignore[valid-type]
        first: First = 20, after: After = None,
    ) -> Connection[types.SecureAccessAccount]:  # fmt: skip
        return await rsa.accounts(info, filter, sort, first, after)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(rsa.VIEW), description="One account with its history and every work order that touched it."
    )
    async def secure_access_account(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")]
    ) -> types.SecureAccessAccount | None:
        return await rsa.account(info, id)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(rsa.VIEW),
        description="互联网安全加密接入总览: accounts, units connected, systems accessed, users, alerts and applications.",
    )
    async def secure_access_overview(
        self, info: strawberry.Info,
        start: Annotated[datetime | None, strawberry.argument(name="from", description="Period start (default: 30 days ago).")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to", description="Period end (default: now).")] = None,
    ) -> types.SecureAccessOverview:  # fmt: skip
        return await rsa.overview(info, start, end)

    @strawberry.field(
        permission_classes=guard(rsa.VIEW),
        description="Secure access applications (work orders) by day, week or month, kind and status, in your data scope.",
    )
    async def secure_access_application_statistics(
        self, info: strawberry.Info,
        grain: Annotated[wo_enums.Grain, strawberry.argument(description="The time dimension.")] = wo_enums.Grain.MONTH,  # type: ignore[valid-type]
        start: Annotated[datetime | None, strawberry.argument(name="from", description="Period start (default: 90 days ago).")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to", description="Period end (default: now).")] = None,
    ) -> list[PeriodCount]:  # fmt: skip
        return await rsa.application_statistics(info, grain, start, end)


@strawberry.type
class SecureAccessMutation:
    @strawberry.mutation(
        permission_classes=guard(rsa.VIEW),
        description="The filtered accounts as .xlsx: at once up to 2,000, else by a job (follow exportProgress). An ID "
        "number filter is kept as its blind index only.",
    )
    async def secure_access_accounts_export(
        self, info: strawberry.Info, filter: Annotated[inputs.SecureAccessAccountFilter | None, Filter] = None
    ) -> ExportPayload:
        return await rsa.export(info, filter)  # type: ignore[no-any-return]

    secure_access_account_update: types.SecureAccessAccountPayload = strawberry.mutation(
        resolver=rsa.account_update,
        permission_classes=guard(rsa.MANAGE),
        description="Correct an account's holder name or phone (the management unit; audited).",
    )  # type: ignore[assignment]
