"""alert silences: silences and recurring maintenance windows, the silence an alert fired under, the SILENCED and
UNSILENCED history kinds and the ALERT_FIRED and ALERT_RESOLVED notification kinds

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 02:30:44.304806
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from migrations.support import replace_enum_check

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_KINDS = ["FIRED", "ACKNOWLEDGED", "ASSIGNED", "COMMENTED", "RESOLVED"]
NOTIFICATION_KINDS = ["TASK_WAITING", "SLA_WARNING", "ESCALATED", "ORDER_RETURNED", "ORDER_FINISHED", "DISPATCH_FAILED"]


_check = replace_enum_check


def upgrade() -> None:
    _check("alert_event", "kind", "alert_event_kind", [*EVENT_KINDS, "SILENCED", "UNSILENCED"])
    _check("notification", "kind", "notification_kind", [*NOTIFICATION_KINDS, "ALERT_FIRED", "ALERT_RESOLVED"])
    op.create_table(
        "alert_silence",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("kinds", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("severities", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("sources", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("labels", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=True),
        sa.Column("starts_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recurrence", sa.String(length=300), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "EXPIRED",
                "CANCELLED",
                name="alert_silence_status",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_silence")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("alert_silence", schema=None) as batch_op:
        batch_op.create_index("ix_alert_silence_status", ["status", "ends_at"], unique=False)

    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("silenced_by_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_alert_silenced_by_id"), ["silenced_by_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_silenced_by_id"))
        batch_op.drop_column("silenced_by_id")

    with op.batch_alter_table("alert_silence", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_silence_status")

    op.drop_table("alert_silence")
    op.execute(sa.text("DELETE FROM alert_event WHERE kind IN ('SILENCED', 'UNSILENCED')"))
    op.execute(sa.text("DELETE FROM notification WHERE kind IN ('ALERT_FIRED', 'ALERT_RESOLVED')"))
    _check("alert_event", "kind", "alert_event_kind", EVENT_KINDS)
    _check("notification", "kind", "notification_kind", NOTIFICATION_KINDS)
