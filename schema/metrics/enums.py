"""Metric enums exposed in the contract (the domain owns the values)."""

from __future__ import annotations

from domain.metrics import enums as e
from schema.scalars import gql_enum

MetricResolution = gql_enum(e.Resolution, "Which data a panel was answered from.", {
    e.Resolution.RAW: "The samples as they came (every 5 minutes): ranges of up to two days.",
    e.Resolution.HOUR: "Hourly rollups: ranges of up to a week.",
    e.Resolution.DAY: "Daily rollups (Beijing days): longer ranges.",
}, "MetricResolution")  # fmt: skip
MetricAggregate = gql_enum(e.Aggregate, "How the values within one step are combined.", {
    e.Aggregate.AVG: "Their mean.", e.Aggregate.SUM: "Their total (traffic in bytes, for example).",
    e.Aggregate.MIN: "The least.", e.Aggregate.MAX: "The greatest.",
}, "MetricAggregate")  # fmt: skip
