"""wireless traffic: each card's daily uplink and downlink bytes from its carrier's report

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 00:25:32.010830
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sim_card_traffic",
        sa.Column("card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("uplink_bytes", sa.BigInteger(), nullable=False),
        sa.Column("downlink_bytes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["sim_card.id"], name=op.f("fk_sim_card_traffic_card_id_sim_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("card_id", "day", name=op.f("pk_sim_card_traffic")),
    )
    with op.batch_alter_table("sim_card_traffic", schema=None) as batch_op:
        batch_op.create_index("ix_sim_card_traffic_day", ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sim_card_traffic", schema=None) as batch_op:
        batch_op.drop_index("ix_sim_card_traffic_day")

    op.drop_table("sim_card_traffic")
