"""An execution context that completes plain subtrees in one precompiled pass.

graphql-core completes a value field by field: for 50 users with a unit, its parent and roles
that is ~900 `complete_value` calls, each checking awaitables, paths and types. When every
field below an object is served by a fast-path resolver (schema/fastpath.py) and the selection
has no arguments, directives, deferrals or abstract types, the same result can be built by a
small plan compiled once per document and replayed per object. Anything the plan cannot do
synchronously (an awaitable from a dataloader, a null in a non-null position, a serialization
error) makes it give up for that object, and graphql-core completes it the usual way, errors,
paths and all. The answer is the same either way; tests run every query through both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Convert = Callable[[Any, Any], Any]  # (value, info) -> completed value


class _GiveUp(Exception):
    """The plan cannot finish this object synchronously; graphql-core will."""


class _Info:
    """What fast-path resolvers read from `info`: the request context."""

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context


# (type name, field node identities) -> (the nodes, kept alive so their ids stay theirs, plan or None)
_PLANS: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
_MAX_PLANS = 4096
ENABLED = True  # tests switch it off to compare answers


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def collect_and_execute_subfields(
        self, return_type: GraphQLObjectType, field_details_list: Any, path: Any, result: Any, position_context: Any
    ) -> Any:
        if ENABLED:
            run = self._plan_for(return_type, field_details_list)
            if run is not None:
                try:
                    return run(result, _Info(self.context_value))
                except Exception:
                    pass
        return super().collect_and_execute_subfields(return_type, field_details_list, path, result, position_context)

    def _plan_for(self, object_type: GraphQLObjectType, field_details_list: Any) -> Any:
        nodes = tuple(fd.node for fd in field_details_list)
        key = (object_type.name, *map(id, nodes))
        cached = _PLANS.get(key)
        if cached is not None and all(a is b for a, b in zip(cached[0], nodes, strict=True)):
            return cached[1]
        plan = self._compile_object(object_type, field_details_list)
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = (nodes, plan)
        return plan

    def _compile_object(self, object_type: GraphQLObjectType, field_details_list: Any) -> Any:
        if any(fd.defer_usage is not None or fd.fragment_variable_values for fd in field_details_list):
            return None
        # @skip/@include depend on variables, and a plan is cached per document: any directive below
        # (on a field, an inline fragment, a spread or a fragment) keeps the plan away.
        if any(
            fd.node.directives or _has_directives(fd.node.selection_set, self.fragment_definitions) for fd in field_details_list
        ):
            return None
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        entries: list[tuple[str, Any, bool, Convert]] = []
        for response_name, details in grouped.items():
            node = details[0].node
            if any(fd.node.directives or fd.node.arguments or fd.defer_usage is not None for fd in details):
                return None
            name = node.name.value
            if name == "__typename":
                entries.append((response_name, None, False, _constant(object_type.name)))
                continue
            field = object_type.fields.get(name)
            if field is None or not getattr(field.resolve, "_govops_fast", False):
                return None
            convert = self._compile_type(field.type, details)
            if convert is None:
                return None
            getter = getattr(field.resolve, "_govops_getter", None)
            if getter is not None:  # a plain attribute: read it directly, it is never awaitable
                entries.append((response_name, getter, False, convert))
            else:
                entries.append((response_name, field.resolve, True, convert))
        return _object_runner(tuple(entries), self.is_awaitable)

    def _compile_type(self, gtype: Any, details: Any) -> Convert | None:
        if isinstance(gtype, GraphQLNonNull):
            inner = self._compile_type(gtype.of_type, details)
            return None if inner is None else _non_null(inner)
        if isinstance(gtype, GraphQLList):
            inner = self._compile_type(gtype.of_type, details)
            return None if inner is None else _list_of(inner)
        if isinstance(gtype, (GraphQLScalarType, GraphQLEnumType)):
            return _leaf(gtype)
        if isinstance(gtype, GraphQLObjectType):
            run = self._plan_for(gtype, details)
            return None if run is None else _nullable_object(run, gtype.is_type_of)
        return None  # interfaces and unions need type resolution: leave them to graphql-core


def _object_runner(
    entries: tuple[tuple[str, Any, bool, Convert], ...], is_awaitable: Any
) -> Callable[[Any, Any], dict[str, Any]]:
    def run(source: Any, info: Any) -> dict[str, Any]:
        out = {}
        for response_name, read, via_resolver, convert in entries:
            if read is None:
                out[response_name] = convert(None, info)
                continue
            value = read(source, info) if via_resolver else read(source)
            if via_resolver and value is not None and is_awaitable(value):
                raise _GiveUp
            out[response_name] = convert(value, info)
        return out

    return run


def _constant(value: Any) -> Convert:
    return lambda _v, _info: value


def _non_null(inner: Convert) -> Convert:
    def convert(value: Any, info: Any) -> Any:
        if value is None:
            raise _GiveUp
        return inner(value, info)

    return convert


def _nullable_object(run: Callable[[Any, Any], dict[str, Any]], is_type_of: Any) -> Convert:
    if is_type_of is None:
        return lambda value, info: None if value is None else run(value, info)

    def convert(value: Any, info: Any) -> Any:
        if value is None:
            return None
        if not is_type_of(value, info):  # graphql-core would report a wrong type here
            raise _GiveUp
        return run(value, info)

    return convert


def _has_directives(selection_set: Any, fragments: Any, seen: set[str] | None = None) -> bool:
    if selection_set is None:
        return False
    seen = set() if seen is None else seen
    for node in selection_set.selections:
        if node.directives:
            return True
        if isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name in seen:
                continue
            seen.add(name)
            fragment = fragments.get(name)
            definition = getattr(fragment, "definition", fragment)  # graphql-core wraps definitions in FragmentDetails
            if definition is not None and (definition.directives or _has_directives(definition.selection_set, fragments, seen)):
                return True
        elif _has_directives(getattr(node, "selection_set", None), fragments, seen):
            return True
    return False


def _list_of(item: Convert) -> Convert:
    def convert(value: Any, info: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            raise _GiveUp
        return [item(v, info) for v in value]

    return convert


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _leaf(gtype: Any) -> Convert:
    serialize = gtype.serialize

    def general(value: Any, _info: Any) -> Any:
        if value is None:
            return None
        out = serialize(value)
        if out is Undefined or out is None:
            raise _GiveUp
        return out

    # The built-in scalars return these values unchanged; skip the call for them.
    if gtype.name in ("String", "ID"):
        return lambda v, info: v if v.__class__ is str else general(v, info)
    if gtype.name == "Boolean":
        return lambda v, info: v if v.__class__ is bool else general(v, info)
    if gtype.name == "Int":
        return lambda v, info: v if v.__class__ is int and _INT_MIN <= v <= _INT_MAX else general(v, info)
    return general
