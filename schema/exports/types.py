"""Export types and payloads: an export's progress, and the signed link that downloads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.exports.enums import ExportErrorCode as _Code
from domain.exports.enums import ExportStatus as _Status
from schema.scalars import gql_enum

ExportStatus = gql_enum(_Status, "Where an export stands.", {
    _Status.PENDING: "Waiting for the job.",
    _Status.RUNNING: "Rows are being written; `done` counts them.",
    _Status.DONE: "The file is ready: `downloadUrl` fetches it.",
    _Status.FAILED: "It failed; `error` says why.",
    _Status.EXPIRED: "Past the retention period: the file is gone, ask again.",
})  # fmt: skip
ExportErrorCode = gql_enum(_Code, "Why an export request was refused; nothing was changed.", {
    _Code.INVALID_INPUT: "The filter fails validation.",
    _Code.NOT_FOUND: "No such export of yours.",
    _Code.TOO_LARGE: "More rows than one sheet holds: narrow the filter.",
})  # fmt: skip


@strawberry.type(description="An .xlsx export you asked for: built by a job (at once when small), downloaded by a signed link.")
class Export:
    id: strawberry.ID = strawberry.field(description="Global id (for `export` and `exportProgress`).")
    kind: str = strawberry.field(description="What list it exports, e.g. work_orders.")
    status: ExportStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    total: int = strawberry.field(description="Rows counted when it was asked for.")
    done: int = strawberry.field(description="Rows written so far.")
    progress: float = strawberry.field(description="done / total, 0 to 1.")
    filename: str = strawberry.field(description="The file's name.")
    size: int | None = strawberry.field(description="Bytes, once built.")
    sm3: str | None = strawberry.field(description="SM3 of the file, to check a copy.")
    error: str | None = strawberry.field(description="Why it failed.")
    created_at: datetime = strawberry.field(description="Asked for at.")
    finished_at: datetime | None = strawberry.field(description="Built (or failed) at.")
    download_url: str | None = strawberry.field(
        description="Path of a signed link that downloads the file (DONE only); it expires."
    )
    download_expires_at: datetime | None = strawberry.field(
        description="When downloadUrl stops working; read the export again for a fresh one."
    )


@strawberry.type(description="Why an export request was refused.")
class ExportError:
    code: ExportErrorCode = strawberry.field(description="Machine-readable reason.")  # type: ignore[valid-type]
    field: str | None = strawberry.field(description="Input field at fault, if one is.")
    message: str = strawberry.field(description="Message for people, Chinese / English.")


@strawberry.type(description="Result of asking for an export.")
class ExportPayload:
    export: Export | None = strawberry.field(description="The export: DONE at once when small, else follow exportProgress.")
    errors: list[ExportError] = strawberry.field(description="Why it was refused; empty on success.")


def progress(done: int, total: int) -> float:
    return 1.0 if total == 0 else min(1.0, round(done / total, 4))


__all__: list[Any] = ["Export", "ExportError", "ExportPayload", "ExportStatus"]
