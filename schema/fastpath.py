"""The fast read path for plain fields.

strawberry wraps every field resolver in several layers (an Info object, argument conversion,
the extension chain) even when the field is a plain attribute. On a list of 50 users that is
~400 wrapped calls per request and most of the executor's time. After the schema is built, each
field with no permission classes and no field extensions gets a direct graphql-core resolver: an
attribute read, or the function that `@raw` names (it takes the source and graphql-core's info,
whose `.context` is our Context). Root fields keep strawberry's wrapper, so their guards run.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLObjectType
from strawberry.schema.schema_converter import GraphQLCoreConverter

from domain.identity.records import NOT_LOADED

F = TypeVar("F", bound=Callable[..., Any])
RawResolver = Callable[[Any, Any], Any]


def raw(fn: RawResolver) -> Callable[[F], F]:
    """Mark a strawberry resolver method with the plain (source, info) function that does its work."""

    def mark(method: F) -> F:
        method.__govops_raw__ = fn  # type: ignore[attr-defined]
        return method

    return mark


def install(schema: strawberry.Schema) -> int:
    """Swap in direct resolvers; returns how many fields got one."""
    gql = schema._schema
    roots = {t.name for t in (gql.query_type, gql.mutation_type, gql.subscription_type) if t is not None}
    swapped = 0
    for name, gtype in gql.type_map.items():
        if not isinstance(gtype, GraphQLObjectType) or name.startswith("__") or name in roots:
            continue
        definition = (gtype.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if definition is None:
            continue
        for field in definition.fields:
            if field.permission_classes or field.extensions:
                continue
            gfield = gtype.fields[schema.config.name_converter.get_graphql_name(field)]
            if field.base_resolver is None:
                getter = attrgetter(field.python_name)
                resolve = lambda source, _info, _get=getter: _get(source)
                resolve._govops_getter = getter  # type: ignore[attr-defined]
            else:
                fn = getattr(field.base_resolver.wrapped_func, "__govops_raw__", None)
                if fn is None:
                    continue
                resolve = lambda source, info, _fn=fn: _fn(source, info)
            resolve._govops_fast = True  # type: ignore[attr-defined]  # schema/executor.py may compile it
            gfield.resolve = resolve
            swapped += 1
    return swapped


def relation(attr: str, loader: str, key: str) -> RawResolver:
    """A relation field's resolver: the value look-ahead prefetched into the record's `attr`, else the per-request
    dataloader `loader` by the record's `key` (None when the key is None)."""

    def resolve(root: Any, info: Any) -> Any:
        value = getattr(root, attr)
        if value is not NOT_LOADED:
            return value
        ref = getattr(root, key)
        return None if ref is None else getattr(info.context.loaders, loader).load(ref)

    return resolve
