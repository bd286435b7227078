"""`node(id:)` and `nodes(ids:)`: any object by global id, within the caller's data scope."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import strawberry

from core.db.pagination import MAX_PAGE, InvalidPageSize
from core.ids import InvalidGlobalId, from_global_id
from resolvers.common import OBJECT_ID
from resolvers.prefetch import NODES, fetch_nodes
from schema.lookahead import selection
from schema.node import Node


async def nodes(
    info: strawberry.Info, ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids, at most 100.")]
) -> list[Node | None]:
    actor = info.context.require_actor()
    if len(ids) > MAX_PAGE:
        raise InvalidPageSize(f"nodes takes at most {MAX_PAGE} ids")
    wanted: list[tuple[str, int] | None] = []
    by_type: dict[str, list[int]] = defaultdict(list)
    for gid in ids:
        try:
            type_name, pk = from_global_id(str(gid))
        except InvalidGlobalId:
            wanted.append(None)
            continue
        if type_name not in NODES:
            wanted.append(None)
            continue
        wanted.append((type_name, pk))
        by_type[type_name].append(pk)
    sel = selection(info)
    found: dict[str, dict[int, Any]] = {}
    async with info.context.read_session() as s:
        for type_name, pks in by_type.items():
            found[type_name] = await fetch_nodes(s, actor, type_name, pks, sel)
    return [found[w[0]].get(w[1]) if w else None for w in wanted]


async def node(info: strawberry.Info, id: Annotated[strawberry.ID, OBJECT_ID]) -> Node | None:
    return (await nodes(info, [id]))[0]
