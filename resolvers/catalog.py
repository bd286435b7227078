"""Application catalogue resolvers."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.catalog import repository as repo


async def applications(info: strawberry.Info) -> list[Any]:
    info.context.require_actor()
    async with info.context.read_session() as s:
        return await repo.applications(s)
