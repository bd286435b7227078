"""JSON text written by PostgreSQL, byte for byte as orjson writes the same values (PostgreSQL only).

Each function returns a text expression that is never NULL: a JSON null is the text `null`. The compiled screens
(schema/shaped.py) concatenate them into a whole page, so Python only wraps PostgreSQL's text. Why not json_build_object
or json_agg: they put spaces after colons and commas, and jsonb reorders keys; a GraphQL answer keeps the selection's
order and orjson's compact form, and tests/core/test_jsontext.py holds every function here to orjson's bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import BigInteger, Text, case, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

Sql = ColumnElement[str]
NULL_TEXT = "null"


def _literal(text: str) -> str:
    """`text` as an SQL string literal (standard_conforming_strings, PostgreSQL's default since 9.1)."""
    if "\x00" in text:
        raise ValueError("PostgreSQL text cannot hold NUL")
    return "'" + text.replace("'", "''") + "'"


def quoted(text: str) -> Sql:
    """A constant text."""
    return literal_column(_literal(text), Text)


def constant(value: Any) -> Sql:
    """Any JSON value known when the statement is built (a __typename, a label)."""
    return quoted(orjson.dumps(value).decode())


def string(column: Any) -> Sql:
    """A text column as a JSON string; to_json escapes exactly the characters orjson escapes, the same way."""
    return func.coalesce(cast(func.to_json(column), Text), quoted(NULL_TEXT))


def integer(column: Any) -> Sql:
    return func.coalesce(cast(column, Text), quoted(NULL_TEXT))


def boolean(column: Any) -> Sql:
    return case((column.is_(True), quoted("true")), (column.is_(False), quoted("false")), else_=quoted(NULL_TEXT))


def time(column: Any) -> Sql:
    """A timestamptz as Python's datetime.isoformat() of the UTC time: microseconds only when not zero, and +00:00."""
    utc = func.timezone(quoted("UTC"), column)
    micros = cast(func.date_part(quoted("microseconds"), column), BigInteger) % 1_000_000  # date_part: seconds × 10⁶
    whole = func.to_char(utc, quoted('YYYY-MM-DD"T"HH24:MI:SS'))
    fraction = case((micros != 0, func.to_char(utc, quoted(".US"))), else_=quoted(""))
    return case((column.is_(None), quoted(NULL_TEXT)), else_=func.concat(quoted('"'), whole, fraction, quoted('+00:00"')))


def day(column: Any) -> Sql:
    """A date as date.isoformat()."""
    return case(
        (column.is_(None), quoted(NULL_TEXT)),
        else_=func.concat(quoted('"'), func.to_char(column, quoted("YYYY-MM-DD")), quoted('"')),
    )


# A sealed value cannot be opened by PostgreSQL: it travels inside the text as SEALED + its column's context + OPEN +
# the ciphertext in base64 + SEALED, and opened_in() replaces it with the JSON string of the opened value. The two
# control characters cannot occur in the text otherwise: to_json and orjson escape every control character.
SEALED, OPEN = "\x01", "\x02"


def sealed(column: Any, context: str) -> Sql:
    """An Encrypted column (core.db.encrypted), to be opened by opened_in() after the read."""
    b64 = func.translate(func.encode(column, quoted("base64")), quoted("\n"), quoted(""))
    return case(
        (column.is_(None), quoted(NULL_TEXT)),
        else_=func.concat(quoted(f"{SEALED}{context}{OPEN}"), b64, quoted(SEALED)),
    )


def opened_in(text: str, open_value: Any) -> str:
    """`text` with every sealed value written by sealed() replaced by the JSON string of `open_value(ciphertext,
    context)`."""
    if SEALED not in text:
        return text
    parts = text.split(SEALED)
    for i in range(1, len(parts), 2):
        context, _, b64 = parts[i].partition(OPEN)
        parts[i] = orjson.dumps(open_value(base64.b64decode(b64), context)).decode()
    return "".join(parts)


def global_id(type_name: str, pk: Any) -> Sql:
    """core.ids.to_global_id in SQL: base64url of '<Type>:<pk>' without padding (translate() also drops the line
    breaks PostgreSQL's base64 puts every 76 characters)."""
    raw = func.convert_to(func.concat(quoted(f"{type_name}:"), cast(pk, Text)), quoted("UTF8"))
    encoded = func.rtrim(func.translate(func.encode(raw, quoted("base64")), quoted("+/\n"), quoted("-_")), quoted("="))
    return case((pk.is_(None), quoted(NULL_TEXT)), else_=func.concat(quoted('"'), encoded, quoted('"')))


def lookup(table: Mapping[str, Any], *keys: Any) -> Any:
    """The value under `keys` (text columns) in a constant table, as SQL text or NULL: a jsonb literal, parsed once
    when the statement is prepared."""
    value: Any = literal_column(_literal(orjson.dumps(table).decode()) + "::jsonb")
    for key in keys[:-1]:
        value = value.op("->")(key)
    return value.op("->>")(keys[-1])


def renamed(column: Any, names: Mapping[str, str]) -> Sql:
    """A text column as a JSON string, each value found in `names` written as its new name (an enum stored by value,
    shown by member name)."""
    return string(func.coalesce(lookup(names, column), column)) if names else string(column)


def label(table: Mapping[str, Any], *keys: Any, blank_is_null: bool = False) -> Sql:
    """The JSON string of the label under `keys` in a constant table, or of the last key itself when the table has
    none (a code no longer declared); with `blank_is_null`, null when the last key is NULL or empty."""
    last = keys[-1]
    text = string(func.coalesce(lookup(table, *keys), last))
    return case((func.coalesce(last, "") == "", quoted(NULL_TEXT)), else_=text) if blank_is_null else text


def one(item: Sql, *where: Any) -> Sql:
    """`item` of the one row `where` selects (a correlated subquery), or null when there is none."""
    return func.coalesce(select(item).where(*where).scalar_subquery(), quoted(NULL_TEXT))


def many(item: Sql, order_by: Sequence[Any], *where: Any) -> Sql:
    """The JSON array of `item` over the rows `where` selects (a correlated subquery), in `order_by`'s order."""
    return select(array(item, *order_by)).where(*where).scalar_subquery()  # type: ignore[return-value]


def obj(entries: Sequence[tuple[str, Sql]]) -> Sql:
    """A JSON object of (key, value text) in this order."""
    parts: list[Any] = []
    text = "{"
    for i, (key, value) in enumerate(entries):
        text += ("," if i else "") + orjson.dumps(key).decode() + ":"
        parts.append(quoted(text))
        parts.append(value)
        text = ""
    parts.append(quoted(text + "}"))
    return func.concat(*parts)


def array(item: Sql, *order_by: Any) -> Sql:
    """The JSON array of `item` over the rows of the enclosing SELECT (an aggregate), in `order_by`'s order; `[]`
    when there are none."""
    # concat() skips a NULL, which is what string_agg gives over no rows: then the text is `[]`.
    return func.concat(quoted("["), func.string_agg(item, aggregate_order_by(quoted(","), *order_by)), quoted("]"))
