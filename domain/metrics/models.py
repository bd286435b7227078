"""Metric series (what is measured, on which resource, with which labels), their samples, and their rollups.

On PostgreSQL the sample table is partitioned by day on its time (`metrics.partitions` keeps the partitions from
the retention horizon to a few days ahead, and drops older ones whole); SQLite keeps one table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from domain.catalog.enums import ServiceDomain
from domain.metrics.enums import Resolution


class MetricSeries(Base):
    """One measured thing: a metric on a resource (a UPF, a unit's traffic through it, the secure access zone)."""

    __tablename__ = "metric_series"
    __table_args__ = (
        UniqueConstraint("metric", "resource_type", "resource_key", "labels_key"),
        Index("ix_metric_series_unit", "unit_id"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    domain: Mapped[ServiceDomain] = mapped_column(enum_column(ServiceDomain, "metric_domain"))
    metric: Mapped[str] = mapped_column(String(100))  # e.g. upf.uplink_bytes
    resource_type: Mapped[str] = mapped_column(String(40))  # e.g. UPF, SECURE_ACCESS_ZONE
    resource_key: Mapped[str] = mapped_column(String(100))  # e.g. UPF-PD-1
    labels: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    labels_key: Mapped[str] = mapped_column(String(500))  # the labels in a canonical text form (part of the identity)
    unit: Mapped[str] = mapped_column(String(20))  # bytes, count, bps, percent
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), nullable=True)  # whose data, for scoping
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sample_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MetricSample(Base):
    """One value of a series at an instant (every 5 minutes). Re-delivered samples are the same row: (series, at)."""

    __tablename__ = "metric_sample"
    __table_args__ = (Index("ix_metric_sample_at", "at"), {"postgresql_partition_by": "RANGE (at)"})

    series_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # no FK: partitions come and go whole
    at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class MetricRollup(Base):
    """The samples of one hour (or one Beijing day) of a series: count, sum, min and max, so any aggregate is exact."""

    __tablename__ = "metric_rollup"
    __table_args__ = (Index("ix_metric_rollup_bucket", "resolution", "bucket_start"),)

    series_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    resolution: Mapped[Resolution] = mapped_column(enum_column(Resolution, "metric_resolution"), primary_key=True)
    bucket_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    sum: Mapped[float] = mapped_column(Float)
    min: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)


class MetricWatermark(Base):
    """How far each resolution is rolled up, and the earliest instant a late sample changed since."""

    __tablename__ = "metric_watermark"

    resolution: Mapped[Resolution] = mapped_column(enum_column(Resolution, "metric_watermark_resolution"), primary_key=True)
    done_until: Mapped[datetime] = mapped_column(UTCDateTime)  # every bucket before this is rolled up
    dirty_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # a late sample: redo from here
