"""Key material derived from the master key, configured once per process at start-up."""

from __future__ import annotations

from core import audit, integrity


def configure(master_key: str) -> None:
    audit.configure(master_key)
    integrity.configure(master_key)
