"""Encrypted columns (GB/T 39786 level 3: 重要数据存储机密性) and their blind indexes.

`Encrypted("user.phone")` stores SM4-GCM sealed bytes (see core.crypto.sm4: key version, nonce,
ciphertext, tag) sealed with the key ring's active data key; the column's name is the associated
data, so a value copied into another column or table does not open. The raw row never holds the
plaintext. Equality on the ciphertext is meaningless (every seal draws a fresh nonce), so the
column refuses comparisons: exact-match search goes through a blind index column beside it,
HMAC-SM3(blind-index key, column ‖ normalized value), kept in step by `blind_indexed`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import LargeBinary, String, TypeDecorator, event, null
from sqlalchemy.sql import operators

from core.keyring import RING

# Room for the blind index of any column: 128 bits as hex.
BlindIndex = String(32)

_ALLOWED = {operators.is_, operators.is_not}


class Encrypted(TypeDecorator[str]):
    """A text value sealed with SM4-GCM; `context` names the column and is its associated data."""

    impl = LargeBinary
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[str]):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op not in _ALLOWED:
                raise TypeError("encrypted columns cannot be compared in SQL: search their blind index instead")
            return super().operate(op, *other, **kwargs)

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context
        self.aad = context.encode()

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        if value is None:
            return None
        return RING.seal(value.encode(), self.aad)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return RING.open(bytes(value), self.aad).decode()


class EncryptedJSON(Encrypted):
    """A JSON document sealed whole (a work order's form, a platform request): for documents that carry personal
    data in places no schema can list in advance. Never queried inside; rotated like every Encrypted column."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:  # type: ignore[override]
        if value is None:
            return None
        return RING.seal(orjson.dumps(value), self.aad)

    def process_result_value(self, value: bytes | None, dialect: Any) -> Any:
        if value is None:
            return None
        return orjson.loads(RING.open(bytes(value), self.aad))


def normalize_phone(value: str) -> str:
    """Digits only, without a leading +86 / 0086: '+86 139-1234-5678' and '13912345678' match."""
    digits = re.sub(r"\D", "", value)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_exact(value: str) -> str:
    """ID-card numbers, account names: trimmed, the check letter upper-cased."""
    return value.strip().upper()


def blind_index(context: str, value: str | None, normalize: Callable[[str], str]) -> str | None:
    """The index value to search for `value` in the column named `context` (None for no value)."""
    if value is None:
        return None
    return RING.blind_index(context, normalize(value))


def blind_indexed(attribute: Any, index_attribute: Any, normalize: Callable[[str], str]) -> None:
    """Keep `index_attribute` equal to the blind index of `attribute` whenever the ORM sets it."""
    context = attribute.property.columns[0].type.context
    index_key = index_attribute.key

    @event.listens_for(attribute, "set", propagate=True)
    def _set(target: Any, value: str | None, _old: Any, _initiator: Any) -> None:
        setattr(target, index_key, blind_index(context, value, normalize))


def mask(value: str | None) -> str | None:
    """What the operation log and exports keep of a sealed value: '139****5678', 'z***@example.cn'."""
    if value is None:
        return None
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(value) <= 4:
        return "*" * len(value)
    keep = 3 if len(value) >= 11 else 1
    return value[:keep] + "*" * (len(value) - keep - 4) + value[-4:]


def columns_of(
    table: Any, columns: Any, shown: frozenset[str] | None = None, *, plain: bool = False
) -> tuple[list[Any], tuple[str, ...]]:
    """`columns` (of a table) read from `table` (the table or an alias of it) for a selection that shows the columns
    named in `shown` (None: read them all). An Encrypted column not shown is read as NULL: no transfer, no decryption.
    With `plain` (a joined type whose fields are its id, plain fields named after their columns, and relations), any
    column but the id that is not shown is read as NULL too. Returns the columns and the names left unread, which the
    reader marks as not loaded, so that a field showing one can only fall back, never show it empty."""
    out, unread = [], []
    for c in columns:
        if shown is not None and c.name not in shown and (isinstance(c.type, Encrypted) or (plain and c.name != "id")):
            out.append(null().label(c.name))
            unread.append(c.name)
        else:
            out.append(table.c[c.name])
    return out, tuple(unread)
