"""Operation-log types, inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.audit import AuditOutcome as _Outcome
from core.ids import to_global_id
from domain.audit.service import AuditErrorCode as _Code
from schema.scalars import gql_enum

AuditOutcome = gql_enum(_Outcome, "How an operation ended.", {
    _Outcome.SUCCESS: "Done.",
    _Outcome.FAILURE: "Tried and failed (wrong password, refused input, an error).",
    _Outcome.DENIED: "Refused before it ran (no permission, locked, bad signature, replay).",
})  # fmt: skip
AuditErrorCode = gql_enum(_Code, "Why an operation-log request was refused.", {
    _Code.EXPORT_TOO_LARGE: "More rows than one export holds: narrow the time range.",
})  # fmt: skip


@strawberry.type(description="One record of the operation log: tamper-evident (HMAC-SM3 chain), never edited.")
class AuditEvent:
    id: strawberry.ID = strawberry.field(description="Global id.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    actor_id: strawberry.ID | None = strawberry.field(description="Who (a User id), when it was a known user.")
    actor_username: str | None = strawberry.field(description="Who, as they were called then (or system / sso:…).")
    org_unit_id: strawberry.ID | None = strawberry.field(description="Their unit then.")
    operation: str = strawberry.field(description="What, e.g. identity.login, identity.user_update, api.call.")
    target_type: str | None = strawberry.field(description="The kind of object it concerned.")
    target_id: strawberry.ID | None = strawberry.field(description="The object it concerned (a global id of target_type).")
    outcome: AuditOutcome = strawberry.field(description="How it ended.")  # type: ignore[valid-type]
    client_ip: str | None = strawberry.field(description="Client address.")
    request_id: str | None = strawberry.field(description="The request's id (X-Request-ID), to find it in the logs.")
    detail: JSON = strawberry.field(description="What changed or why it failed (before/after, reason; sealed values masked).")
    chain_seq: int | None = strawberry.field(description="Its place in the chain.")
    mac: str | None = strawberry.field(description="HMAC-SM3 over the previous record's MAC and this record.")

    @staticmethod
    def of(row: Any) -> AuditEvent:
        def gid(type_name: str | None, pk: int | None) -> strawberry.ID | None:
            return strawberry.ID(to_global_id(type_name, pk)) if type_name and pk else None

        return AuditEvent(
            id=strawberry.ID(to_global_id("AuditEvent", row.id)), occurred_at=row.occurred_at,
            actor_id=gid("User", row.actor_id), actor_username=row.actor_username, org_unit_id=gid("OrgUnit", row.org_unit_id),
            operation=row.operation, target_type=row.target_type, target_id=gid(row.target_type, row.target_id),
            outcome=row.outcome, client_ip=row.client_ip, request_id=row.request_id, detail=row.detail or {},
            chain_seq=row.chain_seq, mac=row.mac,
        )  # fmt: skip


@strawberry.input(description="Narrow the operation log; every field is optional and they combine with AND.")
class AuditEventFilter:
    occurred_from: datetime | None = strawberry.field(default=None, description="At or after this time.")
    occurred_to: datetime | None = strawberry.field(default=None, description="Before this time.")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="Done by this user.")
    actor_username: str | None = strawberry.field(default=None, description="Done under this login name (also failed logins).")
    org_unit_id: strawberry.ID | None = strawberry.field(default=None, description="Done by someone of this unit.")
    operation: str | None = strawberry.field(
        default=None, description='This operation, or a prefix ending in "." (e.g. "identity.").'
    )
    outcome: AuditOutcome | None = strawberry.field(default=None, description="Only this outcome.")  # type: ignore[valid-type]
    target_type: str | None = strawberry.field(default=None, description="Concerning this kind of object.")
    keyword: str | None = strawberry.field(
        default=None, description="In the operation, actor, client address, request id or detail."
    )


@strawberry.type(description="Why an operation-log request was refused.")
class AuditError:
    code: AuditErrorCode = strawberry.field(description="Machine-readable reason.")  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="Input field at fault, if one is.")
    message: str = strawberry.field(description="Message for people, Chinese / English.")


@strawberry.type(description="An .xlsx of the matching records (the export itself is logged).")
class AuditExportPayload:
    filename: str | None = strawberry.field(description="A name to save it under.")
    media_type: str | None = strawberry.field(description="The file's media type.")
    content_base64: str | None = strawberry.field(description="The file, base64-encoded.")
    row_count: int | None = strawberry.field(description="Records in it.")
    errors: list[AuditError] = strawberry.field(description="Why it was refused; empty on success.")
