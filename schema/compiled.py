"""Compiled screens: the hottest first-party list documents answered without the GraphQL executor.

The web front end sends its list screens as automatic persisted queries, by the SHA-256 of the document's text.
The documents of the busiest screens are kept in `operations/screens/` and compiled once per process:

- the document is validated against the schema, with the same limits every request gets;
- its one root field must have a fetcher (resolvers/screens.py): a read that loads the page and every relation the
  document selects in one statement, under the viewer's data scope, into the same records the resolvers fill;
- every field below must be served by the fast path (schema/fastpath.py) and is compiled into one plan by
  schema/executor.py, which leaf-serializes with the schema's own scalars and enums.

A request for such a hash (no text, or exactly that text) with a bearer token is then answered here: the same
authentication and rate limit as any request (server.py builds the same Context), the root field's own permission
classes, the variables coerced by graphql-core and converted by strawberry as the resolver would get them, one read,
the plan, and the same cost in `extensions`. Anything this path does not handle the same way (bad variables, a
refused permission, a cost over the limit, a value the plan gives up on, any exception) sends the request on to the
executor untouched, which answers it, errors and all. tests/resolvers/test_compiled_screens.py runs every compiled
document for every role through both and compares the bodies byte for byte.

On PostgreSQL, a screen whose selection the fetcher's shapes can write is read another way (schema/shaped.py): the
statement writes each edge's JSON itself, and the plan and the records are not used.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import strawberry
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse, specified_rules, validate
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.permission import PermissionExtension
from strawberry.types.arguments import convert_arguments

from core.errors import AccessError, DomainError, DomainErrors
from core.metrics import SCREENS
from core.persisted import document_id
from schema.cost import CostLimit
from schema.executor import FastExecutionContext, _GiveUp, _Info
from schema.lookahead import Selection, _merge
from schema.shaped import NotShaped, ShapedConnection, compile_connection

log = logging.getLogger("govops.compiled")

Fetch = Callable[..., Awaitable[Any]]
_REFUSALS = (
    GraphQLError,
    DomainError,
    DomainErrors,
    AccessError,
    ValueError,
)  # (context, selection, **the root field's arguments) -> the root value


@dataclass(frozen=True, slots=True)
class Fetcher:
    """How a root field is read for a compiled screen: `fetch`, and the object fields (relations) it loads, as a
    tree of names; a document selecting any other object field is not compiled."""

    fetch: Fetch
    relations: Mapping[str, Any] = field(default_factory=dict)
    # On PostgreSQL: (context, edge, selection, **arguments) -> (a page of edges' JSON texts, the total), for a
    # connection whose selection `shapes` can write (schema/shaped.py).
    shaped: Fetch | None = None
    shapes: Mapping[str, Any] = field(default_factory=dict)


class ScreenCompileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CompiledScreen:
    id: str  # sha256 hex of the text
    name: str
    text: str
    document: Any
    operation: OperationDefinitionNode
    fragments: dict[str, Any]
    response_key: str
    field_def: Any  # graphql-core's root field
    field_node: FieldNode
    strawberry_field: Any
    selection: Selection
    plan: Callable[[Any, Any], Any]
    fetch: Fetch
    shaped: ShapedConnection | None = None
    fetch_shaped: Fetch | None = None


def _within(selection: Selection, allowed: Mapping[str, Any], path: str) -> None:
    for name, child in selection.children.items():
        if not child.children:
            continue
        if name not in allowed:
            raise ScreenCompileError(f"{path}.{name}: the fetcher does not load it")
        _within(child, allowed[name] or {}, f"{path}.{name}")


def compile_screen(schema: strawberry.Schema, text: str, fetchers: Mapping[str, Fetcher], rules: Any = ()) -> CompiledScreen:
    """One document, or ScreenCompileError saying why it cannot be compiled."""
    gql = schema._schema
    document = parse(text)
    errors = validate(gql, document, (*specified_rules, *rules))
    if errors:
        raise ScreenCompileError(f"invalid document: {errors[0].message}")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None or operations[0].operation is not OperationType.QUERY:
        raise ScreenCompileError("a screen document holds exactly one named query")
    operation = operations[0]
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    roots = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    if len(roots) != 1 or len(operation.selection_set.selections) != 1 or roots[0].directives or operation.directives:
        raise ScreenCompileError("a screen document selects exactly one root field, without directives")
    node = roots[0]
    name = node.name.value
    fetcher = fetchers.get(name)
    if fetcher is None:
        raise ScreenCompileError(f"no fetcher reads {name}")
    field_def = gql.query_type.fields[name]
    if any(not isinstance(e, PermissionExtension) for e in field_def.extensions["strawberry-definition"].extensions):
        raise ScreenCompileError(f"{name}: a root field with field extensions runs only in the executor")
    selection = Selection()
    _merge(selection, node.selection_set, fragments)
    _within(selection, fetcher.relations, name)
    # The plan comes from the executor's own compiler, given an execution context over this document.
    context = FastExecutionContext.build(gql, document, raw_variable_values=_sample_variables(operation))
    if isinstance(context, list):
        raise ScreenCompileError(f"cannot prepare the document: {context[0].message}")
    collected = collect_fields(gql, context.fragments, context.variable_values, gql.query_type, operation)
    details = collected.grouped_field_set[node.alias.value if node.alias else name]
    plan = context._compile_type(field_def.type, details)
    if plan is None:
        raise ScreenCompileError(f"{name}: a field below is not on the fast path")
    shaped = None
    if fetcher.shaped is not None:
        try:
            shaped = compile_connection(context, field_def.type, details, fetcher.shapes)
        except NotShaped as exc:  # the record path answers it
            log.info("screen %s is not shaped by PostgreSQL: %s", operation.name.value, exc)
    return CompiledScreen(
        id=document_id(text), name=operation.name.value, text=text, document=document, operation=operation,
        fragments=fragments, response_key=node.alias.value if node.alias else name, field_def=field_def, field_node=node,
        strawberry_field=field_def.extensions["strawberry-definition"], selection=selection, plan=plan, fetch=fetcher.fetch,
        shaped=shaped, fetch_shaped=fetcher.shaped if shaped is not None else None,
    )  # fmt: skip


_SAMPLES = {"Int": 1, "Float": 1.0, "String": "x", "ID": "x", "Boolean": True}


def _sample_variables(operation: OperationDefinitionNode) -> dict[str, Any]:
    # The plans never read variables (a field with arguments or directives below the root is not compiled), but
    # graphql-core coerces them to build the context: each required one gets a value of its type.
    out = {}
    for v in operation.variable_definitions or ():
        if v.type.kind == "non_null_type" and v.default_value is None:
            type_name = getattr(v.type.type, "name", None)
            if type_name is None or type_name.value not in _SAMPLES:
                raise ScreenCompileError(f"${v.variable.name.value}: a required variable of this type is not supported")
            out[v.variable.name.value] = _SAMPLES[type_name.value]
    return out


def compile_folder(
    schema: strawberry.Schema, folder: Path, fetchers: Mapping[str, Fetcher], rules: Any = ()
) -> dict[str, CompiledScreen]:
    """Every `*.graphql` of the folder, by id; a document that cannot be compiled stops the start (it was reviewed
    for this path, so not compiling it is a bug, not a slower screen)."""
    screens: dict[str, CompiledScreen] = {}
    for path in sorted(folder.glob("*.graphql")) if folder.exists() else []:
        try:
            screen = compile_screen(schema, path.read_text(encoding="utf-8"), fetchers, rules)
        except ScreenCompileError as exc:
            raise ScreenCompileError(f"{path.name}: {exc}") from None
        screens[screen.id] = screen
    return screens


async def answer(
    schema: strawberry.Schema, screen: CompiledScreen, context: Any, raw_variables: Any, max_cost: int
) -> bytes | None:
    """The response body for this request, or None when the executor must answer it."""
    body, outcome = await _answer(schema, screen, context, raw_variables, max_cost)
    SCREENS.labels(screen.name, outcome).inc()
    return body


_EXECUTOR = (None, "executor")


async def _answer(
    schema: strawberry.Schema, screen: CompiledScreen, context: Any, raw_variables: Any, max_cost: int
) -> tuple[bytes | None, str]:
    if not isinstance(raw_variables, dict | None):
        return _EXECUTOR
    gql = schema._schema
    coerced = get_variable_values(gql, screen.operation.variable_definitions or (), raw_variables or {})
    if isinstance(coerced, list):  # invalid variables: the executor words the errors
        return _EXECUTOR
    cost = CostLimit._cost(screen.document, screen.operation, screen.fragments, raw_variables or {})
    if cost > max_cost:
        return _EXECUTOR
    info = _Info(context)
    field = screen.strawberry_field
    try:
        args = get_argument_values(screen.field_def, screen.field_node, coerced)
        kwargs = convert_arguments(
            args, field.arguments, scalar_registry=schema.schema_converter.scalar_registry, config=schema.config
        )
        for permission in field.permission_classes:  # a refusal, or an asynchronous check: the executor decides
            if permission().has_permission(None, info, **kwargs) is not True:  # type: ignore[arg-type]
                return _EXECUTOR
        if screen.shaped is not None and screen.fetch_shaped is not None and context.services.engine.dialect.name == "postgresql":
            page, total = await screen.fetch_shaped(context, screen.shaped.edge_text, screen.selection, **kwargs)
            data, outcome = {screen.response_key: screen.shaped.answer(page.items, page, total)}, "shaped"
        else:
            value = await screen.fetch(context, screen.selection, **kwargs)
            data, outcome = {screen.response_key: screen.plan(value, info)}, "compiled"
    except _GiveUp:
        return _EXECUTOR
    except _REFUSALS:  # bad input or no access: the executor runs the same checks and words them
        return _EXECUTOR
    except Exception:  # a fault of this path: the executor still answers, but someone should look
        log.warning("compiled screen %s failed; the executor answers it", screen.name, exc_info=True)
        return _EXECUTOR
    return orjson.dumps({"data": data, "extensions": {"cost": cost}}), outcome
