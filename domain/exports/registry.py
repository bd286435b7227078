"""Exporters: each area declares what its lists export (columns with Chinese headers, counting, row batches)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.db.engine import Db
from domain.identity.actor import Actor

Rows = AsyncIterator[list[Sequence[Any]]]


@dataclass(frozen=True)
class Exporter:
    kind: str  # e.g. "work_orders"
    title: str  # the sheet's title and the file name's stem, e.g. 工单
    permission: str  # needed to ask for it (and still held when the job runs)
    columns: Sequence[tuple[str, int]]  # (header, width)
    count: Callable[[Db, Actor, dict[str, Any]], Awaitable[int]]
    rows: Callable[[Db, Actor, dict[str, Any]], Rows]  # batches, in a stable order, memory-flat


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    if exporter.kind in EXPORTERS and EXPORTERS[exporter.kind] is not exporter:
        raise ValueError(f"exporter {exporter.kind} registered twice")
    EXPORTERS[exporter.kind] = exporter
    return exporter
