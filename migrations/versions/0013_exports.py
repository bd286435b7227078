"""exports: what was asked (kind, filter), by whom, progress, and where the encrypted file is in the store

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 23:16:17.286798
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_export",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("params", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("requested_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "RUNNING",
                "DONE",
                "FAILED",
                "EXPIRED",
                name="data_export_status",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sm3", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["requested_by"], ["user_account.id"], name=op.f("fk_data_export_requested_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_export")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("data_export", schema=None) as batch_op:
        batch_op.create_index("ix_data_export_requester", ["requested_by", "id"], unique=False)
        batch_op.create_index("ix_data_export_status_created", ["status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("data_export", schema=None) as batch_op:
        batch_op.drop_index("ix_data_export_status_created")
        batch_op.drop_index("ix_data_export_requester")

    op.drop_table("data_export")
