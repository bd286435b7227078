"""GovOps's reader of the secure access support platform's resource statistics (GET /resource-stats): the access
zone's online users and bandwidth and its gateways' CPU, every 5 minutes. The contract and the checks of a page
are integrations.base.metric_feed's; the feed's operation name in the interface log is `resource_stats`."""

from __future__ import annotations

from typing import Any

from domain.integration.ports import CallRecorder
from integrations.base.metric_feed import FeedPage, FeedSample, SampleFeedClient
from integrations.secure_access_support.gateway import secure_access_client

__all__ = ["FeedPage", "FeedSample", "ResourceStatsClient"]


class ResourceStatsClient(SampleFeedClient):
    """The resource statistics feed, through a recorded PlatformClient (the gateway's, in the jobs)."""

    path = "/resource-stats"
    operation = "resource_stats"

    @classmethod
    def connect(cls, url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any) -> ResourceStatsClient:
        """A feed client with a client of its own."""
        return cls(secure_access_client(url, recorder, timeout, **client))
