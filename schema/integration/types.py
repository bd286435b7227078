"""The interface log in the contract: every call to and from an external platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.ids import to_global_id
from domain.integration.enums import CallDirection as _Direction
from domain.integration.enums import CallOutcome as _Outcome
from schema.fastpath import raw
from schema.scalars import gql_enum

CallDirection = gql_enum(_Direction, "Which way a call went.", {
    _Direction.OUTBOUND: "We called the platform.",
    _Direction.INBOUND: "The platform called us.",
})  # fmt: skip
CallOutcome = gql_enum(_Outcome, "How a call ended.", {
    _Outcome.OK: "Answered (2xx).",
    _Outcome.REJECTED: "Refused by the other side (4xx other than 429): not retried.",
    _Outcome.THROTTLED: "Told to slow down (429): retried after its Retry-After.",
    _Outcome.FAILED: "Failed inside the other side (5xx, or an answer that is not JSON): retried.",
    _Outcome.UNREACHABLE: "No connection: retried.",
    _Outcome.TIMEOUT: "No answer in time: retried.",
})  # fmt: skip


def _id(root: Any, _info: Any) -> str:
    return to_global_id("InterfaceCall", root.id)


def _order(root: Any, _info: Any) -> str | None:
    return None if root.order_id is None else to_global_id("WorkOrder", root.order_id)


def _intact(root: Any, _info: Any) -> bool:
    return bool(root.holds())


@strawberry.type(description="An external platform GovOps exchanges calls with.")
class IntegrationPlatform:
    name: str = strawberry.field(description="Its name in dispatches, the interface log and API client bindings.")
    label: str = strawberry.field(description="Its Chinese name.")


@strawberry.type(description="接口日志: one call to or from an external platform (secrets redacted; the row is sealed).")
class InterfaceCall:
    platform: str = strawberry.field(description="The platform.")
    operation: str = strawberry.field(description="The operation.")
    direction: CallDirection = strawberry.field(description="Which way.")  # type: ignore[valid-type]
    method: str = strawberry.field(description="HTTP method.")
    url: str = strawberry.field(description="Where (secret query parameters masked).")
    idempotency_key: str | None = strawberry.field(description="The Idempotency-Key it carried.")
    request: JSON | None = strawberry.field(description="What was sent (secrets replaced by ***).")
    response: JSON | None = strawberry.field(description="What came back (secrets replaced by ***; long bodies cut).")
    status_code: int | None = strawberry.field(description="HTTP status, when there was an answer.")
    latency_ms: int = strawberry.field(description="How long it took.")
    outcome: CallOutcome = strawberry.field(description="How it ended.")  # type: ignore[valid-type]
    error: str | None = strawberry.field(description="What went wrong.")
    started_at: datetime = strawberry.field(description="When it started.")

    @strawberry.field(description="Global id.")
    @raw(_id)
    def id(self, root: strawberry.Parent[Any], info: strawberry.Info) -> strawberry.ID:
        return strawberry.ID(_id(root, info))

    @strawberry.field(description="The work order it was for, if any (a WorkOrder id).")
    @raw(_order)
    def work_order_id(self, root: strawberry.Parent[Any], info: strawberry.Info) -> strawberry.ID | None:
        return _order(root, info)  # type: ignore[return-value]

    @strawberry.field(description="False when the row's HMAC-SM3 does not verify: it was edited after it was written.")
    @raw(_intact)
    def intact(self, root: strawberry.Parent[Any], info: strawberry.Info) -> bool:
        return _intact(root, info)


@strawberry.input(description="Narrow the interface log. Every condition must hold.")
class InterfaceCallFilter:
    platform: str | None = strawberry.field(default=None, description="Only this platform.")
    operation: str | None = strawberry.field(default=None, description="Only this operation.")
    outcome: CallOutcome | None = strawberry.field(default=None, description="Only calls that ended so.")  # type: ignore[valid-type]
    work_order_id: strawberry.ID | None = strawberry.field(default=None, description="Only the calls of this work order.")
    idempotency_key: str | None = strawberry.field(default=None, description="Only calls with this Idempotency-Key.")
    started_from: datetime | None = strawberry.field(default=None, description="Started at or after.")
    started_to: datetime | None = strawberry.field(default=None, description="Started before.")
