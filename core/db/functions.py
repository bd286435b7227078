"""SQL functions that differ between the two backends, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class string_agg(GenericFunction[str]):  # noqa: N801  (reads like the SQL function it renders)
    """Comma-joined strings of a group: string_agg on PostgreSQL, group_concat on SQLite."""

    type = String()
    inherit_cache = True


@compiles(string_agg, "postgresql")
def _pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


@compiles(string_agg, "sqlite")
def _sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"
