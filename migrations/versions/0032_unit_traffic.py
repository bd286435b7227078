"""unit traffic: each unit's daily traffic, summed from its cards' rows when a day's report is stored, so the wireless
overview reads units x days instead of cards x days; filled from the traffic already stored

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-29 08:36:45.237194
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sim_unit_traffic",
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("uplink_bytes", sa.BigInteger(), nullable=False),
        sa.Column("downlink_bytes", sa.BigInteger(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["org_unit.id"], name=op.f("fk_sim_unit_traffic_unit_id_org_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("unit_id", "day", name=op.f("pk_sim_unit_traffic")),
    )
    with op.batch_alter_table("sim_unit_traffic", schema=None) as batch_op:
        batch_op.create_index("ix_sim_unit_traffic_day", ["day"], unique=False)
    op.execute(
        "INSERT INTO sim_unit_traffic (unit_id, day, uplink_bytes, downlink_bytes, cards) "
        "SELECT c.unit_id, t.day, sum(t.uplink_bytes), sum(t.downlink_bytes), count(*) "
        "FROM sim_card_traffic t JOIN sim_card c ON c.id = t.card_id GROUP BY c.unit_id, t.day"
    )


def downgrade() -> None:
    with op.batch_alter_table("sim_unit_traffic", schema=None) as batch_op:
        batch_op.drop_index("ix_sim_unit_traffic_day")

    op.drop_table("sim_unit_traffic")
