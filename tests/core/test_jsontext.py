"""JSON text written by PostgreSQL (core.db.jsontext) is byte for byte what orjson writes for the same values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import BigInteger, Boolean, DateTime, Integer, Text, bindparam, column, select, values

from core.db import jsontext
from core.ids import to_global_id

STRINGS = [
    "".join(chr(i) for i in range(1, 128)),  # every ASCII character, the control characters among them
    "中文 \u2028\u2029 \U0001f600 é \u0085 \ufeff",
    "",
    "'; DROP TABLE x; --",
]
TIMES = [
    datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 29, 12, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 11, 29, 12, 0, 0, 500000, tzinfo=UTC),
    datetime(2026, 11, 29, 20, 0, 59, 999999, tzinfo=UTC).astimezone(UTC),
    datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC) + timedelta(microseconds=10),
    datetime(9999, 12, 31, tzinfo=UTC),
]


async def _one(services: Any, expression: Any, **params: Any) -> str:
    async with services.read() as db:
        return str((await db.execute(select(expression), params)).scalar_one())


@pytest.fixture
def postgres(services: Any, backend: Any) -> Any:
    if backend.name != "postgresql":
        pytest.skip("PostgreSQL writes the JSON; on SQLite the compiled screens read records instead")
    return services


async def test_strings_numbers_booleans_and_nulls_are_written_as_orjson_writes_them(postgres):
    for s in [*STRINGS, None]:
        assert await _one(postgres, jsontext.string(bindparam("v", type_=Text)), v=s) == orjson.dumps(s).decode()
    for n in (0, -7, 2**62, None):
        assert await _one(postgres, jsontext.integer(bindparam("v", type_=BigInteger)), v=n) == orjson.dumps(n).decode()
    for b in (True, False, None):
        assert await _one(postgres, jsontext.boolean(bindparam("v", type_=Boolean)), v=b) == orjson.dumps(b).decode()
    assert await _one(postgres, jsontext.constant({"a": ["'", "中"]})) == orjson.dumps({"a": ["'", "中"]}).decode()


async def test_times_are_isoformat_of_utc_with_microseconds_only_when_not_zero(postgres):
    for t in [*TIMES, None]:
        expected = orjson.dumps(t.isoformat() if t else None).decode()
        assert await _one(postgres, jsontext.time(bindparam("v", type_=DateTime(timezone=True))), v=t) == expected


async def test_global_ids_match_core_ids_even_past_base64_line_length(postgres):
    for type_name, pk in [("WorkOrder", 1), ("WorkOrderTask", 123456789), ("A" * 60, 2**62), ("User", None)]:
        got = await _one(postgres, jsontext.global_id(type_name, bindparam("v", type_=BigInteger)), v=pk)
        assert got == (orjson.dumps(to_global_id(type_name, pk)).decode() if pk else "null")


async def test_objects_arrays_and_lookups_keep_order_and_escape_keys(postgres):
    table = {"k": {"s": "标签 'x'"}}
    label = jsontext.lookup(table, bindparam("a", type_=Text), bindparam("b", type_=Text))
    assert await _one(postgres, label, a="k", b="s") == "标签 'x'"
    assert await _one(postgres, jsontext.string(label), a="k", b="missing") == "null"
    rows = values(column("n", Integer), name="rows").data([(3,), (1,), (2,)])
    item = jsontext.obj([('z"key', jsontext.integer(rows.c.n)), ("a", jsontext.boolean(rows.c.n > 1))])
    async with postgres.read() as db:
        text = (await db.execute(select(jsontext.array(item, rows.c.n.desc())).select_from(rows))).scalar_one()
        empty = (await db.execute(select(jsontext.array(item, rows.c.n)).select_from(rows).where(rows.c.n > 5))).scalar_one()
    assert text == orjson.dumps([{'z"key': n, "a": n > 1} for n in (3, 2, 1)]).decode()
    assert empty == "[]"
    with pytest.raises(ValueError, match="NUL"):
        jsontext.quoted("a\x00b")
