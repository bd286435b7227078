"""Query cost: refused before execution when too high, and reported in `extensions.cost`.

Each field costs 1 plus what it selects; a field with a `first` argument multiplies what it selects
by `first` (its default when omitted), and `nodes(ids:)` by the number of ids. Introspection is free.
The cost depends on variables, so it is computed for each request, just before execution.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

DEFAULT_FIRST = 20  # the `first` default of every connection in the contract
_COSTS: dict[tuple[int, int], tuple[Any, int]] = {}


class _Uses:
    """Set when a cost depended on a variable (such a cost cannot be cached per document)."""

    variables = False


def _argument(node: FieldNode, name: str, variables: dict[str, Any], uses: type[_Uses] | _Uses) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            if argument.value.kind != "int_value" and argument.value.kind != "list_value":
                uses.variables = True
            return value_from_ast_untyped(argument.value, variables)
    return None


def selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, Any],
    variables: dict[str, Any],
    depth: int = 0,
    uses: Any = None,
) -> int:
    uses = uses if uses is not None else _Uses()
    if selection_set is None or depth > 64:
        return 0
    total = 0
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            if node.name.value.startswith("__"):
                continue
            below = selection_cost(node.selection_set, fragments, variables, depth + 1, uses)
            first = _argument(node, "first", variables, uses)
            ids = _argument(node, "ids", variables, uses) if node.name.value == "nodes" else None
            factor = len(ids) if isinstance(ids, list) else (first if isinstance(first, int) and first > 0 else None)
            if factor is None and depth == 0 and _has_first(node):
                factor = DEFAULT_FIRST
            total += 1 + below * (factor or 1)
        elif isinstance(node, InlineFragmentNode):
            total += selection_cost(node.selection_set, fragments, variables, depth + 1, uses)
        elif isinstance(node, FragmentSpreadNode):
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                total += selection_cost(fragment.selection_set, fragments, variables, depth + 1, uses)
    return total


# Root connection fields (they take `first`). Filled in by `connection_fields` at schema build.
_CONNECTIONS: set[str] = set()


def _has_first(node: FieldNode) -> bool:
    return node.name.value in _CONNECTIONS


def connection_fields(schema: Any) -> None:
    """Remember which root fields are paginated (have a `first` argument)."""
    for name, field in schema._schema.query_type.fields.items():
        if "first" in field.args:
            _CONNECTIONS.add(name)


class CostLimit(SchemaExtension):
    def __init__(self, max_cost: int) -> None:
        super().__init__()
        self.max_cost = max_cost
        self.cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None:
            fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            wanted = [o for o in operations if ctx.operation_name is None or (o.name and o.name.value == ctx.operation_name)]
            if wanted:
                self.cost = self._cost(document, wanted[0], fragments, ctx.variables or {})
                if self.cost > self.max_cost:
                    message = f"查询代价 {self.cost} 超过上限 {self.max_cost} / Query cost {self.cost} exceeds the limit {self.max_cost}"
                    error = GraphQLError(
                        message, extensions={"code": "COST_LIMIT_EXCEEDED", "cost": self.cost, "limit": self.max_cost}
                    )
                    ctx.result = ExecutionResult(data=None, errors=[error])  # nothing runs
        yield

    @staticmethod
    def _cost(document: Any, operation: Any, fragments: dict[str, Any], variables: dict[str, Any]) -> int:
        # Documents come from the parser cache, so most requests reuse one: a cost that used no
        # variables is kept with it (the document itself is kept too, so its id cannot be reused).
        key = (id(document), id(operation))
        cached = _COSTS.get(key)
        if cached is not None and cached[0] is document:
            return cached[1]
        uses = _Uses()
        cost = selection_cost(operation.selection_set, fragments, variables, uses=uses)
        if not uses.variables:
            if len(_COSTS) > 4096:
                _COSTS.clear()
            _COSTS[key] = (document, cost)
        return cost

    def get_results(self) -> dict[str, Any]:
        return {} if self.cost is None else {"cost": self.cost}
