"""The Relay Node interface: every entity has an opaque global id."""

from __future__ import annotations

from typing import Any

import strawberry

from core.ids import to_global_id
from schema.fastpath import raw

# record class -> GraphQL type name; each node type registers its record class here.
NODE_TYPES: dict[type, str] = {}


def register_node(record_cls: type, type_name: str) -> None:
    NODE_TYPES[record_cls] = type_name


def global_id(root: Any, _info: Any = None) -> str:
    return to_global_id(NODE_TYPES[type(root)], root.id)


@strawberry.interface(description="An object with an opaque global id; fetch any of them with `node(id:)`.")
class Node:
    @strawberry.field(description="Opaque global id of this object.")
    @raw(global_id)
    def id(self, root: strawberry.Parent[Any]) -> strawberry.ID:
        return strawberry.ID(global_id(root))
