"""Every area's work order kinds, registered with the engine on import (the API and the worker import this)."""

from domain.faults import flows as faults  # noqa: F401
from domain.secure_access import flows as secure_access  # noqa: F401
from domain.wireless import changes as wireless_changes  # noqa: F401
from domain.wireless import flows as wireless  # noqa: F401
