"""Compiled screens shaped by PostgreSQL: the edges of a list written as JSON text by the same statement that reads them.

A compiled screen (schema/compiled.py) reads its page into records and runs a plan over them. On PostgreSQL, when
every field the document selects below the connection has a column expression declared for it (a `Shape`), the
screen is answered another way: each row of the page's statement is one edge, already JSON (core.db.jsontext, byte
for byte what orjson writes), and the relations are correlated subqueries under the viewer's scope. Python then only
puts the rows into the connection (totalCount and pageInfo, from the same statement) with orjson.Fragment, opening
the sealed values PostgreSQL passed through as ciphertext (jsontext.sealed). Nothing is decoded into records and no
plan runs; tests/resolvers/test_compiled_screens.py holds the answers to the executor's bytes for every role.

What cannot be shaped this way (a field without an expression, an edge's cursor, a relation that may be null under a
non-null field) leaves the screen to the record path, which still answers it without the executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType

from core.db import jsontext
from core.db.pagination import Count, Page, encode_cursor
from core.keyring import RING

Sql = jsontext.Sql


@dataclass(frozen=True, slots=True)
class Row:
    """What a field's expression may read: the row of its object (a table alias or the page), the row of the object
    above it (a task reads its order's kind), and whether the viewer sees every unit (scope conditions differ)."""

    table: Any
    parent: Row | None
    sees_all: bool


Leaf = Callable[[Row], Sql]


@dataclass(frozen=True, slots=True)
class Related:
    """An object field read by a correlated subquery over `table` (aliased per use): `one` object by `key(row)` = its
    id, or `many` in `order(alias)`'s order; `where(sees_all, alias)` adds the viewer's scope and any condition."""

    table: Any
    key: Callable[[Row], Any]
    where: Callable[[bool, Any], list[Any]]
    many: bool = False
    fk: str = "id"  # the column of `table` that `key` must equal
    order: Callable[[Any], list[Any]] | None = None

    def build(self, row: Row, item: Callable[[Row], Sql]) -> Sql:
        alias = self.table.alias()
        child = Row(alias, row, row.sees_all)
        conditions = [alias.c[self.fk] == self.key(row), *self.where(row.sees_all, alias)]
        if self.many:
            return jsontext.many(item(child), self.order(alias) if self.order else [alias.c.id], *conditions)
        return jsontext.one(item(child), *conditions)


Shapes = Mapping[str, Mapping[str, Leaf | Related]]  # GraphQL type name -> field name -> how it reads


class NotShaped(ValueError):
    pass


def _object_type(gtype: Any) -> tuple[GraphQLObjectType, bool, bool]:
    """The object type under a field's type, whether the field is non-null, and whether it is a list."""
    non_null = isinstance(gtype, GraphQLNonNull)
    gtype = gtype.of_type if non_null else gtype
    is_list = isinstance(gtype, GraphQLList)
    while isinstance(gtype, GraphQLList | GraphQLNonNull):
        gtype = gtype.of_type
    if not isinstance(gtype, GraphQLObjectType):
        raise NotShaped(f"{gtype} is not an object type")
    return gtype, non_null, is_list


def _object(context: Any, object_type: GraphQLObjectType, details: Any, shapes: Shapes) -> Callable[[Row], Sql]:
    shape = shapes.get(object_type.name)
    if shape is None:
        raise NotShaped(f"{object_type.name} has no shape")
    grouped, _, _ = context.collect_subfields(object_type, details)
    entries: list[tuple[str, Callable[[Row], Sql]]] = []
    for response_name, field_details in grouped.items():
        name = field_details[0].node.name.value
        if name == "__typename":
            entries.append((response_name, lambda _row, t=object_type.name: jsontext.constant(t)))
            continue
        how = shape.get(name)
        if how is None:
            raise NotShaped(f"{object_type.name}.{name} has no column expression")
        if isinstance(how, Related):
            child_type, non_null, is_list = _object_type(object_type.fields[name].type)
            if non_null and not is_list:  # out of scope reads as null, which a non-null field cannot show
                raise NotShaped(f"{object_type.name}.{name} is non-null")
            item = _object(context, child_type, field_details, shapes)
            entries.append((response_name, lambda row, how=how, item=item: how.build(row, item)))
        else:
            entries.append((response_name, how))
    return lambda row: jsontext.obj([(key, build(row)) for key, build in entries])


@dataclass(frozen=True, slots=True)
class ShapedConnection:
    """A connection field shaped by PostgreSQL: `edge(row)` is one edge's JSON text for a row of the page, and
    `answer` puts the page into the connection's JSON in the document's order."""

    edge: Callable[[Row], Sql] | None
    entries: tuple[tuple[str, str, Any], ...]  # (response name, field name, sub-entries of pageInfo)

    def edge_text(self, page: Any, sees_all: bool) -> Sql:
        """One edge's JSON text for a row of `page` (the repository's page subquery), for a viewer who sees every
        unit or not: what the repositories' shaped reads take (a bound method compares equal, so their statement
        caches hit)."""
        return self.edge(Row(page, None, sees_all)) if self.edge is not None else jsontext.quoted(jsontext.NULL_TEXT)

    def answer(self, texts: list[str], page: Page[Any], total: Count | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, name, sub in self.entries:
            if name == "edges":
                out[key] = [orjson.Fragment(jsontext.opened_in(t, _open)) for t in texts]
            elif name == "pageInfo":
                out[key] = {k: _page_info(n, page) for k, n, _ in sub}
            elif name == "totalCount":
                out[key] = total.value if total is not None else None
            elif name == "totalCountIsEstimate":
                out[key] = total.estimated if total is not None else False
            else:
                out[key] = sub  # __typename
        return out


def _open(blob: bytes, context: str) -> str:
    return RING.open(blob, context.encode()).decode()


def _page_info(name: str, page: Page[Any]) -> Any:
    if name == "hasNextPage":
        return page.has_next_page
    if name == "hasPreviousPage":
        return page.has_previous_page
    if name == "startCursor":
        return encode_cursor(page.keys[0]) if page.keys else None
    if name == "endCursor":
        return encode_cursor(page.keys[-1]) if page.keys else None
    return "PageInfo"  # __typename, the only other field


def compile_connection(context: Any, connection_type: Any, details: Any, shapes: Shapes) -> ShapedConnection:
    """The shaped form of a connection field's selection, or NotShaped saying why there is none."""
    connection, _, _ = _object_type(connection_type)
    grouped, _, _ = context.collect_subfields(connection, details)
    entries: list[tuple[str, str, Any]] = []
    edge: Callable[[Row], Sql] | None = None
    for key, field_details in grouped.items():
        name = field_details[0].node.name.value
        if name == "pageInfo":
            info_type, _, _ = _object_type(connection.fields[name].type)
            sub, _, _ = context.collect_subfields(info_type, field_details)
            entries.append((key, name, tuple((k, d[0].node.name.value, None) for k, d in sub.items())))
        elif name == "edges":
            edge_type, _, _ = _object_type(connection.fields[name].type)
            if edge is not None:
                raise NotShaped("edges selected under two names")
            edge = _edge(context, edge_type, field_details, shapes)
            entries.append((key, name, None))
        elif name in ("totalCount", "totalCountIsEstimate"):
            entries.append((key, name, None))
        elif name == "__typename":
            entries.append((key, name, connection.name))
        else:
            raise NotShaped(f"{connection.name}.{name} is not shaped")
    return ShapedConnection(edge, tuple(entries))


def _edge(context: Any, edge_type: GraphQLObjectType, details: Any, shapes: Shapes) -> Callable[[Row], Sql]:
    grouped, _, _ = context.collect_subfields(edge_type, details)
    entries: list[tuple[str, Callable[[Row], Sql]]] = []
    for key, field_details in grouped.items():
        name = field_details[0].node.name.value
        if name == "node":
            node_type, _, _ = _object_type(edge_type.fields[name].type)
            entries.append((key, _object(context, node_type, field_details, shapes)))
        elif name == "__typename":
            entries.append((key, lambda _row, t=edge_type.name: jsontext.constant(t)))
        else:  # the cursor: the record path encodes it
            raise NotShaped(f"{edge_type.name}.{name} is not shaped")
    return lambda row: jsontext.obj([(key, build(row)) for key, build in entries])
