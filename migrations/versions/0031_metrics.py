"""metrics: the metric store (series, samples partitioned by day on PostgreSQL, rollups, watermarks), the first days'
partitions, and the metrics.view_metrics permission (modules 26-27)

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-29 05:32:08.998710
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from migrations.support import grant_builtin, revoke_everywhere

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERMISSION = "metrics.view_metrics"
ROLES = ("management_operator", "unit_admin", "unit_applicant")


def upgrade() -> None:
    op.create_table(
        "metric_rollup",
        sa.Column("series_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "resolution",
            sa.Enum("RAW", "HOUR", "DAY", name="metric_resolution", native_enum=False, create_constraint=True, length=12),
            nullable=False,
        ),
        sa.Column("bucket_start", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "resolution", "bucket_start", name=op.f("pk_metric_rollup")),
    )
    with op.batch_alter_table("metric_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_metric_rollup_bucket", ["resolution", "bucket_start"], unique=False)

    op.create_table(
        "metric_sample",
        sa.Column("series_id", sa.BigInteger(), nullable=False),
        sa.Column("at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "at", name=op.f("pk_metric_sample")),
        postgresql_partition_by="RANGE (at)",
    )
    with op.batch_alter_table("metric_sample", schema=None) as batch_op:
        batch_op.create_index("ix_metric_sample_at", ["at"], unique=False)

    op.create_table(
        "metric_watermark",
        sa.Column(
            "resolution",
            sa.Enum(
                "RAW", "HOUR", "DAY", name="metric_watermark_resolution", native_enum=False, create_constraint=True, length=12
            ),
            nullable=False,
        ),
        sa.Column("done_until", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dirty_from", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("resolution", name=op.f("pk_metric_watermark")),
    )
    op.create_table(
        "metric_series",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "WIRELESS", "SECURE_ACCESS", "FIBER", name="metric_domain", native_enum=False, create_constraint=True, length=21
            ),
            nullable=False,
        ),
        sa.Column("metric", sa.String(length=100), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_key", sa.String(length=100), nullable=False),
        sa.Column("labels", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("labels_key", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sample_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_metric_series_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_series")),
        sa.UniqueConstraint(
            "metric",
            "resource_type",
            "resource_key",
            "labels_key",
            name=op.f("uq_metric_series_metric_resource_type_resource_key_labels_key"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("metric_series", schema=None) as batch_op:
        batch_op.create_index("ix_metric_series_unit", ["unit_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":  # daily partitions from the raw retention horizon to 3 days ahead
        today = datetime.now(UTC).date()
        for n in range(-36, 4):
            day = today + timedelta(days=n)
            op.execute(sa.text(
                f'CREATE TABLE IF NOT EXISTS "metric_sample_p{day:%Y%m%d}" PARTITION OF metric_sample '
                f"FOR VALUES FROM ('{day.isoformat()} 00:00:00+00') TO ('{(day + timedelta(days=1)).isoformat()} 00:00:00+00')"
            ))  # fmt: skip
    for role in ROLES:
        grant_builtin(role, PERMISSION)


def downgrade() -> None:
    revoke_everywhere(PERMISSION)
    with op.batch_alter_table("metric_series", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_series_unit")

    op.drop_table("metric_series")
    op.drop_table("metric_watermark")
    with op.batch_alter_table("metric_sample", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_sample_at")
    op.drop_table("metric_sample")
    with op.batch_alter_table("metric_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_rollup_bucket")

    op.drop_table("metric_rollup")
