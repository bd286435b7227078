"""work order numbers: a per-day counter behind GD + date + sequence

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 22:01:12.837122
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_order_counter",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_work_order_counter")),
    )


def downgrade() -> None:
    op.drop_table("work_order_counter")
