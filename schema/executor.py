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

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_NONNULL, _LIST, _LEAF, _OBJECT, _TYPENAME = range(5)


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
            plan = self._plan_for(return_type, field_details_list)
            if plan is not None:
                try:
                    return _run_object(plan, result, _Info(self.context_value), self.is_awaitable)
                except _GiveUp:
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
        if any(fd.node.directives for fd in field_details_list):
            return None
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        entries = []
        for response_name, details in grouped.items():
            node = details[0].node
            if any(fd.node.directives or fd.node.arguments or fd.defer_usage is not None for fd in details):
                return None
            name = node.name.value
            if name == "__typename":
                entries.append((response_name, None, (_TYPENAME, object_type.name)))
                continue
            field = object_type.fields.get(name)
            if field is None or not getattr(field.resolve, "_govops_fast", False):
                return None
            kind = self._compile_type(field.type, details)
            if kind is None:
                return None
            entries.append((response_name, field.resolve, kind))
        return tuple(entries)

    def _compile_type(self, gtype: Any, details: Any) -> Any:
        if isinstance(gtype, GraphQLNonNull):
            inner = self._compile_type(gtype.of_type, details)
            return None if inner is None else (_NONNULL, inner)
        if isinstance(gtype, GraphQLList):
            inner = self._compile_type(gtype.of_type, details)
            return None if inner is None else (_LIST, inner)
        if isinstance(gtype, (GraphQLScalarType, GraphQLEnumType)):
            return (_LEAF, gtype.serialize)
        if isinstance(gtype, GraphQLObjectType):
            plan = self._plan_for(gtype, details)
            return None if plan is None else (_OBJECT, plan)
        return None  # interfaces and unions need type resolution: leave them to graphql-core


def _run_object(plan: Any, source: Any, info: _Info, is_awaitable: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for response_name, resolve, kind in plan:
        if resolve is None:
            out[response_name] = kind[1]
            continue
        out[response_name] = _complete(kind, resolve(source, info), info, is_awaitable)
    return out


def _complete(kind: Any, value: Any, info: _Info, is_awaitable: Any) -> Any:
    tag = kind[0]
    if tag == _NONNULL:
        if value is None:
            raise _GiveUp
        return _complete(kind[1], value, info, is_awaitable)
    if value is None:
        return None
    if is_awaitable(value):
        raise _GiveUp
    if tag == _LEAF:
        serialized = kind[1](value)
        if serialized is Undefined or serialized is None:
            raise _GiveUp
        return serialized
    if tag == _OBJECT:
        return _run_object(kind[1], value, info, is_awaitable)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _GiveUp
    item = kind[1]
    return [_complete(item, v, info, is_awaitable) for v in value]
