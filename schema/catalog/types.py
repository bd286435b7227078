"""The application catalogue's GraphQL types."""

from __future__ import annotations

from typing import Any

import strawberry

from core.ids import to_global_id
from domain.catalog import enums as e
from schema.fastpath import raw
from schema.scalars import gql_enum

Parent = strawberry.Parent[Any]

CatalogStatus = gql_enum(e.CatalogStatus, "Whether a catalogue entry is offered.", {
    e.CatalogStatus.ACTIVE: "Offered for new grants.",
    e.CatalogStatus.RETIRED: "Kept for those that have it; not offered any more.",
})  # fmt: skip


def _app_id(root: Any, _info: Any) -> str:
    return to_global_id("Application", root.id)


@strawberry.type(description="应用: a government system a card or a secure access account may be allowed to reach.")
class Application:
    code: str = strawberry.field(description="Code.")
    name: str = strawberry.field(description="Name.")
    description: str | None = strawberry.field(description="What it is.")
    status: CatalogStatus = strawberry.field(description="Offered or retired.")  # type: ignore[valid-type]

    @strawberry.field(description="Global id.")
    @raw(_app_id)
    def id(self, root: Parent, info: strawberry.Info) -> strawberry.ID:
        return _app_id(root, info)
