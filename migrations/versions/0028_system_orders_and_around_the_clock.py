"""system orders and around the clock: an order the system opens has no applicant (a fault from an alert), and an
SLA clock may count every hour instead of working hours (a fault's response and repair times)

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-29 04:29:55
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.alter_column("applicant_id", existing_type=sa.BigInteger(), nullable=True)
    with op.batch_alter_table("work_order_sla", schema=None) as batch_op:
        batch_op.add_column(sa.Column("around_the_clock", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    system = op.get_bind().execute(sa.text("SELECT count(*) FROM work_order WHERE applicant_id IS NULL")).scalar_one()
    if system:
        raise RuntimeError(f"{system} work orders were opened by the system (no applicant): remove them before downgrading")
    with op.batch_alter_table("work_order_sla", schema=None) as batch_op:
        batch_op.drop_column("around_the_clock")
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.alter_column("applicant_id", existing_type=sa.BigInteger(), nullable=False)
