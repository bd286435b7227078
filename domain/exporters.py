"""Every area's exporters, registered on import (the API and the worker import this)."""

from domain.assets import exports as assets  # noqa: F401
from domain.faults import exports as faults  # noqa: F401
from domain.secure_access import exports as secure_access  # noqa: F401
from domain.wireless import exports as wireless  # noqa: F401
from domain.workorders import exports as workorders  # noqa: F401
