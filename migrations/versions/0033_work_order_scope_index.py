"""work order scope index: (unit_id, kind, status), so a unit administrator's list counts read the index per unit of
their subtree instead of AND-ing a bitmap of a third of the table into each unit's

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-29 08:40:43.201864
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_unit_kind_status", ["unit_id", "kind", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_unit_kind_status")
