"""The alert fields of Query, Mutation and Subscription; schema.root's classes inherit them."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers import alerts as ra
from schema.alerts import enums, inputs, types
from schema.errors import policed
from schema.pagination import After, Connection, Filter, First
from schema.permissions import guard
from schema.workorders import enums as wo_enums

Follow = strawberry.argument(description="Only the alerts that match.")


@strawberry.type
class AlertQuery:
    @strawberry.field(permission_classes=guard(ra.VIEW), description="告警: alerts of every source in your data scope.")
    async def alerts(
        self, info: strawberry.Info,
        filter: Annotated[inputs.AlertFilter | None, Filter] = None,
        sort: Annotated[enums.AlertSort, strawberry.argument(description="Order of the list.")] = enums.AlertSort.LAST_SEEN_DESC,  # type: ignore[valid-type]
        first: First = 20, after: After = None,
    ) -> Connection[types.Alert]:  # fmt: skip
        return await ra.alerts(info, filter, sort, first, after)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard(ra.VIEW), description="One alert with its history.")
    async def alert(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")]
    ) -> types.Alert | None:
        return await ra.alert(info, id)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard(ra.VIEW), description="Alerts by kind, severity and source, and fired per period.")
    async def alert_statistics(
        self, info: strawberry.Info,
        filter: Annotated[inputs.AlertFilter | None, Filter] = None,
        grain: Annotated[wo_enums.Grain, strawberry.argument(description="The time dimension.")] = wo_enums.Grain.DAY,  # type: ignore[valid-type]
    ) -> types.AlertStatistics:  # fmt: skip
        return await ra.statistics(info, filter, grain)

    @strawberry.field(permission_classes=guard(ra.VIEW), description="Silences and maintenance windows, newest first.")
    async def alert_silences(
        self, info: strawberry.Info,
        active_only: Annotated[bool, strawberry.argument(description="Only those that still hold.")] = True,
    ) -> list[types.AlertSilence]:  # fmt: skip
        return await ra.silences(info, active_only)


def _m(resolver: object, description: str) -> object:
    return strawberry.mutation(resolver=resolver, permission_classes=guard(ra.MANAGE), description=description)  # type: ignore[call-overload]


@strawberry.type
class AlertMutation:
    alert_acknowledge: types.AlertPayload = _m(ra.acknowledge, "Take a firing alert on; you become its owner if it has none.")  # type: ignore[assignment]
    alert_assign: types.AlertPayload = _m(ra.assign, "Give an alert an owner in your data scope.")  # type: ignore[assignment]
    alert_comment: types.AlertPayload = _m(ra.comment, "Comment on an alert (its history keeps it).")  # type: ignore[assignment]
    alert_resolve: types.AlertPayload = _m(ra.resolve, "Resolve an alert by hand, with the reason.")  # type: ignore[assignment]
    alert_silence_create: types.AlertSilencePayload = _m(
        ra.silence_create, "Silence matching alerts for a while, or every time a maintenance window recurs (audited)."
    )  # type: ignore[assignment]
    alert_silence_cancel: types.AlertSilencePayload = _m(
        ra.silence_cancel, "End a silence now; alerts it held that still fire are noticed within a minute."
    )  # type: ignore[assignment]


@strawberry.type
class AlertSubscription:
    @strawberry.subscription(permission_classes=guard(ra.VIEW), description="New alerts in your data scope as they fire.")
    async def alert_fired(
        self, info: strawberry.Info, filter: Annotated[inputs.AlertSubscriptionFilter | None, Follow] = None
    ) -> AsyncGenerator[types.Alert, None]:
        async for item in policed(ra.fired(info, filter), info.context.request_id):
            yield item

    @strawberry.subscription(
        permission_classes=guard(ra.VIEW),
        description="Alerts as they change (fired, repeated, acknowledged, assigned, commented, resolved): one, or all.",
    )
    async def alert_changed(
        self, info: strawberry.Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this alert.")] = None,
        filter: Annotated[inputs.AlertSubscriptionFilter | None, Follow] = None,
    ) -> AsyncGenerator[types.Alert, None]:  # fmt: skip
        async for item in policed(ra.changed(info, id, filter), info.context.request_id):
            yield item
