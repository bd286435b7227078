"""GovOps's reader of the wireless support platform's UPF traffic feed (GET /metrics): per UPF and per unit it
serves, the bytes up and down and the sessions of every 5 minutes. The contract and the checks of a page are
integrations.base.metric_feed's; the feed's operation name in the interface log is `metrics`."""

from __future__ import annotations

from typing import Any

from domain.integration.ports import CallRecorder
from integrations.base.metric_feed import FeedPage, FeedSample, SampleFeedClient
from integrations.wireless_support.gateway import support_client

__all__ = ["FeedPage", "FeedSample", "MetricFeedClient"]


class MetricFeedClient(SampleFeedClient):
    """The UPF traffic feed, through a recorded PlatformClient (the gateway's, in the jobs)."""

    path = "/metrics"
    operation = "metrics"

    @classmethod
    def connect(cls, url: str, recorder: CallRecorder | None = None, timeout: float = 10.0, **client: Any) -> MetricFeedClient:
        """A feed client with a client of its own."""
        return cls(support_client(url, recorder, timeout, **client))
