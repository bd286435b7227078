"""Export statuses and error codes."""

from __future__ import annotations

import enum


class ExportStatus(str, enum.Enum):
    PENDING = "PENDING"  # waiting for the job
    RUNNING = "RUNNING"
    DONE = "DONE"  # the file is in the store; a signed link downloads it
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"  # past the retention period: the file is gone


class ExportErrorCode(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    TOO_LARGE = "TOO_LARGE"
