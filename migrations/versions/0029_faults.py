"""faults: repair reports and their rectification (modules 28-30), and the permission to read them

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-29 04:32:09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base
from migrations.support import grant_builtin, revoke_everywhere

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERMISSION = "faults.view_faults"
ROLES = ("management_operator", "unit_admin", "unit_applicant")


def upgrade() -> None:
    op.create_table(
        "fault",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "WIRELESS", "SECURE_ACCESS", "FIBER", name="fault_domain", native_enum=False, create_constraint=True, length=21
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "NETWORK",
                "SIGNAL",
                "TERMINAL",
                "ACCESS",
                "SECURITY",
                "PLATFORM",
                "OTHER",
                name="fault_category",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum(
                "LEVEL_1",
                "LEVEL_2",
                "LEVEL_3",
                "LEVEL_4",
                name="fault_level",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "REVIEWING",
                "RECTIFYING",
                "VERIFYING",
                "CLOSED",
                "REJECTED",
                "WITHDRAWN",
                name="fault_stage",
                native_enum=False,
                create_constraint=True,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reporter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("sim_card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("occurred_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rectified_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("response_seconds", sa.Integer(), nullable=True),
        sa.Column("resolution_seconds", sa.Integer(), nullable=True),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["secure_access_account.id"], name=op.f("fk_fault_account_id_secure_access_account")
        ),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_fault_alert_id_alert")),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"], name=op.f("fk_fault_order_id_work_order")),
        sa.ForeignKeyConstraint(["reporter_id"], ["user_account.id"], name=op.f("fk_fault_reporter_id_user_account")),
        sa.ForeignKeyConstraint(["sim_card_id"], ["sim_card.id"], name=op.f("fk_fault_sim_card_id_sim_card")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_fault_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault")),
        sa.UniqueConstraint("alert_id", name=op.f("uq_fault_alert_id")),
        sa.UniqueConstraint("order_id", name=op.f("uq_fault_order_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("fault", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fault_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_fault_domain_stage_reported", ["domain", "stage", "reported_at"], unique=False)
        batch_op.create_index("ix_fault_reported", ["reported_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fault_sim_card_id"), ["sim_card_id"], unique=False)
        batch_op.create_index("ix_fault_unit_reported", ["unit_id", "reported_at"], unique=False)
    for role in ROLES:
        grant_builtin(role, PERMISSION)


def downgrade() -> None:
    revoke_everywhere(PERMISSION)
    with op.batch_alter_table("fault", schema=None) as batch_op:
        batch_op.drop_index("ix_fault_unit_reported")
        batch_op.drop_index(batch_op.f("ix_fault_sim_card_id"))
        batch_op.drop_index("ix_fault_reported")
        batch_op.drop_index("ix_fault_domain_stage_reported")
        batch_op.drop_index(batch_op.f("ix_fault_account_id"))

    op.drop_table("fault")
