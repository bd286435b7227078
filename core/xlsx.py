"""Spreadsheet exports (openpyxl, write-only mode: rows stream out, memory stays flat)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.clock import SHANGHAI

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):  # people read Beijing time; Excel has no time zones
        return value.astimezone(SHANGHAI).replace(tzinfo=None)
    if value is None or isinstance(value, (int, float, str)):
        # A leading = + - @ would make Excel evaluate the text as a formula (CSV/formula injection).
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
            return "'" + value
        return value
    return str(value)


class SheetWriter:
    """One write-only sheet: rows go to openpyxl's temporary files as they are appended, so memory stays flat
    however many there are; `save` zips the workbook to a path or a file object."""

    def __init__(self, title: str, columns: Sequence[tuple[str, int]]) -> None:
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title[:31])
        for index, (_name, width) in enumerate(columns):
            self._sheet.column_dimensions[get_column_letter(index + 1)].width = width
        self._sheet.freeze_panes = "A2"
        header = []
        for name, _width in columns:
            cell = WriteOnlyCell(self._sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        self._sheet.append(header)
        self.rows = 0

    def append(self, row: Sequence[Any]) -> None:
        self._sheet.append([_cell(v) for v in row])
        self.rows += 1

    def save(self, target: Any) -> None:
        self._book.save(target)


def write(title: str, columns: Sequence[tuple[str, int]], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a bold header of (title, width) columns, then the rows; returns the .xlsx bytes."""
    sheet = SheetWriter(title, columns)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    sheet.save(out)
    return out.getvalue()
