"""Opaque global ids: base64url("<Type>:<pk>"), as Relay expects."""

from __future__ import annotations

import base64
import binascii


class InvalidGlobalId(ValueError):
    pass


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, int]:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode("ascii")).decode().partition(":")
        value = int(pk)
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InvalidGlobalId(global_id) from exc
    if not type_name or value <= 0:
        raise InvalidGlobalId(global_id)
    return type_name, value


def decode_id(global_id: str, expected: str) -> int:
    type_name, pk = from_global_id(global_id)
    if type_name != expected:
        raise InvalidGlobalId(global_id)
    return pk
