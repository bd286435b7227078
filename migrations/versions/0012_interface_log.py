"""interface log: every call to and from an external platform (request, response, latency, outcome; secrets redacted), each row sealed with HMAC-SM3

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 22:55:13.873825
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interface_call",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=128), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("OUTBOUND", "INBOUND", name="call_direction", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True),
        sa.Column("response", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "OK",
                "REJECTED",
                "THROTTLED",
                "FAILED",
                "UNREACHABLE",
                "TIMEOUT",
                name="call_outcome",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interface_call")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("interface_call", schema=None) as batch_op:
        batch_op.create_index("ix_interface_call_idempotency_key", ["idempotency_key"], unique=False)
        batch_op.create_index("ix_interface_call_order", ["order_id"], unique=False)
        batch_op.create_index("ix_interface_call_outcome_started", ["outcome", "started_at"], unique=False)
        batch_op.create_index("ix_interface_call_platform_started", ["platform", "started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interface_call", schema=None) as batch_op:
        batch_op.drop_index("ix_interface_call_platform_started")
        batch_op.drop_index("ix_interface_call_outcome_started")
        batch_op.drop_index("ix_interface_call_order")
        batch_op.drop_index("ix_interface_call_idempotency_key")

    op.drop_table("interface_call")
