"""Formats the secure access forms check: MAC addresses, resident ID numbers (GB 11643, with stdnum's check digit),
mobile numbers."""

from __future__ import annotations

import re

from stdnum.cn import ric

from domain.wireless.validation import msisdn

_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")
__all__ = ["id_number", "mac", "msisdn"]


def mac(value: str) -> str | None:
    """AA:BB:CC:DD:EE:FF from six hex pairs joined by ':' or '-' (one kind), either case; None when it is not a
    terminal's own address (malformed, all zero, broadcast, or a multicast/group address)."""
    text = (value or "").strip()
    if not _MAC.match(text):
        return None
    normal = text.upper().replace("-", ":")
    if normal in ("00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF") or int(normal[:2], 16) & 1:
        return None
    return normal


def id_number(value: str) -> str | None:
    """An 18-character resident ID number with a valid check digit (the X upper-cased), or None."""
    text = (value or "").strip().upper()
    return text if ric.is_valid(text) and len(text) == 18 else None
