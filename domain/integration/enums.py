"""Which way a platform call went and how it ended."""

from __future__ import annotations

import enum


class CallDirection(str, enum.Enum):
    OUTBOUND = "OUTBOUND"  # GovOps called the platform
    INBOUND = "INBOUND"  # the platform called GovOps (a callback)


class CallOutcome(str, enum.Enum):
    """How one HTTP exchange ended; the first two are final for the caller, the rest are worth retrying."""

    OK = "OK"  # 2xx with a readable answer (whether the platform confirmed or only accepted is in the answer)
    REJECTED = "REJECTED"  # 4xx other than 429: the platform refused the request itself
    THROTTLED = "THROTTLED"  # 429: the platform asked us to come back later
    FAILED = "FAILED"  # 5xx, or a 2xx whose body is not the JSON object the contract promises
    UNREACHABLE = "UNREACHABLE"  # no answer: connection refused, reset or closed before the answer
    TIMEOUT = "TIMEOUT"  # no answer within the client's timeout

    @property
    def retryable(self) -> bool:
        return self not in (CallOutcome.OK, CallOutcome.REJECTED)
