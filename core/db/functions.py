"""SQL functions that differ between the two backends, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.sql.visitors import replacement_traverse


class string_agg(GenericFunction[str]):
    """Comma-joined strings of a group: string_agg on PostgreSQL, group_concat on SQLite."""

    type = String()
    inherit_cache = True


@compiles(string_agg, "postgresql")
def _pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


@compiles(string_agg, "sqlite")
def _sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


def in_ids(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """`column IN (:ids)` that renders once: `= ANY(:ids)` with one array parameter on PostgreSQL
    (an expanding IN is re-rendered for every list length), an expanding IN on SQLite."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(BigInteger())))
    return column.in_(bindparam(name, expanding=True))


def bound(conditions: Any, values: dict[str, Any]) -> list[Any]:
    """Copies of conditions built once with named parameters (a cached statement's filter), the parameters given
    these values: for statements that are built per call and embed their values."""

    def replace(element: Any) -> Any:
        if isinstance(element, BindParameter) and element.key in values:
            return element._with_value(values[element.key], maintain_key=True, required=False)
        return None

    return [replacement_traverse(c, {}, replace) for c in conditions]
