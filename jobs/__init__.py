"""Job functions and cron schedule; `registry` is shared by the arq worker and the in-process runner."""

from __future__ import annotations

from core.queue.registry import JobRegistry

registry = JobRegistry()

from jobs import alerts, assets, faults, files, maintenance, metrics, secure_access, wireless, workorders  # noqa: E402,F401  (register their jobs)
