"""Look-ahead: which fields a query selects below a resolver, so relations can be fetched up front."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode


class Selection:
    """The merged sub-selections of one field (aliases and fragments folded together)."""

    __slots__ = ("children",)

    def __init__(self) -> None:
        self.children: dict[str, Selection] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.children

    def get(self, *path: str) -> Selection | None:
        node: Selection | None = self
        for name in path:
            node = node.children.get(name) if node is not None else None
        return node


def _merge(target: Selection, selection_set: SelectionSetNode | None, fragments: dict[str, Any]) -> None:
    if selection_set is None:
        return
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            child = target.children.get(node.name.value)
            if child is None:
                child = target.children[node.name.value] = Selection()
            _merge(child, node.selection_set, fragments)
        elif isinstance(node, InlineFragmentNode):
            _merge(target, node.selection_set, fragments)
        elif isinstance(node, FragmentSpreadNode):
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                _merge(target, fragment.selection_set, fragments)


def selection(info: Any) -> Selection:
    """The selection below the current field, from the parsed document (no strawberry conversion)."""
    raw = info._raw_info
    root = Selection()
    for field_node in raw.field_nodes:
        _merge(root, field_node.selection_set, raw.fragments)
    return root
