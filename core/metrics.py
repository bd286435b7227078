"""Prometheus metrics, defined once per process (server.py may run both as __main__ and as `server`)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("govops_http_requests_total", "HTTP requests", ["path", "status"])
LATENCY = Histogram(
    "govops_graphql_seconds", "GraphQL HTTP request latency", buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 3)
)
SCREENS = Counter(
    "govops_compiled_screens_total",
    "Requests for a compiled screen (schema/compiled.py): answered by it, or handed to the executor",
    ["screen", "outcome"],
)
