"""sim card waiting plan change: the plan a carrier confirmed for a later day, and the PLAN_SCHEDULED event kind

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 01:26:52.530055
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.support import replace_enum_check

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = [
    "REGISTERED", "ACTIVATED", "STATUS_CHANGED", "PLAN_CHANGED", "IMEI_BOUND", "IMEI_RELEASED", "APPLICATIONS_CHANGED",
    "REPLACED", "EDITED",
]  # fmt: skip
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _kinds(kinds: list[str]) -> None:
    replace_enum_check("sim_card_event", "kind", "sim_card_event_kind", kinds)


def upgrade() -> None:
    _kinds([*OLD_KINDS, "PLAN_SCHEDULED"])
    with op.batch_alter_table("sim_card", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_plan_id", ID, nullable=True))
        batch_op.add_column(sa.Column("next_plan_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_plan_order_id", ID, nullable=True))
        batch_op.create_index(batch_op.f("ix_sim_card_next_plan_from"), ["next_plan_from"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_sim_card_next_plan_id_sim_plan"), "sim_plan", ["next_plan_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_sim_card_next_plan_order_id_work_order"), "work_order", ["next_plan_order_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("sim_card", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sim_card_next_plan_order_id_work_order"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_sim_card_next_plan_id_sim_plan"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sim_card_next_plan_from"))
        batch_op.drop_column("next_plan_order_id")
        batch_op.drop_column("next_plan_from")
        batch_op.drop_column("next_plan_id")
    op.execute(sa.text("DELETE FROM sim_card_event WHERE kind = 'PLAN_SCHEDULED'"))
    _kinds(OLD_KINDS)
