"""wireless registry: SIM cards (MSISDN and holder phone sealed, MSISDN blind-indexed), their history, plans, applications, terminal accounts

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 23:54:33.129443
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from migrations.support import grant_builtin, revoke_everywhere

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sim_plan",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column(
            "carrier",
            sa.Enum("CBN", "TELECOM", "MOBILE", "UNICOM", name="carrier", native_enum=False, create_constraint=True, length=15),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("monthly_fee", sa.BigInteger(), nullable=False),
        sa.Column("data_gb", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("ACTIVE", "RETIRED", name="sim_plan_status", native_enum=False, create_constraint=True, length=15),
            nullable=False,
        ),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_plan")),
        sa.UniqueConstraint("code", name=op.f("uq_sim_plan_code")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "application",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "status",
            sa.Enum("ACTIVE", "RETIRED", name="application_status", native_enum=False, create_constraint=True, length=15),
            nullable=False,
        ),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_unit_id"], ["org_unit.id"], name=op.f("fk_application_owner_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("code", name=op.f("uq_application_code")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sim_card",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("iccid", sa.String(length=20), nullable=False),
        sa.Column("msisdn", sa.LargeBinary(), nullable=False),
        sa.Column("msisdn_bidx", sa.String(length=32), nullable=False),
        sa.Column("imsi", sa.String(length=15), nullable=False),
        sa.Column(
            "domain",
            sa.Enum("SINGLE", "DUAL", name="sim_card_domain", native_enum=False, create_constraint=True, length=14),
            nullable=False,
        ),
        sa.Column(
            "carrier",
            sa.Enum(
                "CBN",
                "TELECOM",
                "MOBILE",
                "UNICOM",
                name="sim_card_carrier",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("holder_name", sa.String(length=64), nullable=True),
        sa.Column("holder_phone", sa.LargeBinary(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "APPLIED",
                "ACTIVE",
                "SUSPENDED",
                "CANCELLED",
                "REPLACED",
                name="sim_card_status",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("imei", sa.String(length=16), nullable=True),
        sa.Column("activated_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("replaced_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["sim_plan.id"], name=op.f("fk_sim_card_plan_id_sim_plan")),
        sa.ForeignKeyConstraint(["replaced_by_id"], ["sim_card.id"], name=op.f("fk_sim_card_replaced_by_id_sim_card")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_sim_card_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_card")),
        sa.UniqueConstraint("iccid", name=op.f("uq_sim_card_iccid")),
        sa.UniqueConstraint("imsi", name=op.f("uq_sim_card_imsi")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sim_card", schema=None) as batch_op:
        batch_op.create_index("ix_sim_card_activated", ["activated_at"], unique=False)
        batch_op.create_index("ix_sim_card_carrier_status", ["carrier", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_sim_card_msisdn_bidx"), ["msisdn_bidx"], unique=False)
        batch_op.create_index("ix_sim_card_plan", ["plan_id"], unique=False)
        batch_op.create_index("ix_sim_card_unit_status", ["unit_id", "status", "id"], unique=False)

    op.create_table(
        "terminal_account",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("account_name", sa.String(length=40), nullable=False),
        sa.Column("holder_name", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum("ACTIVE", "CLOSED", name="terminal_account_status", native_enum=False, create_constraint=True, length=14),
            nullable=False,
        ),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["card_id"], ["sim_card.id"], name=op.f("fk_terminal_account_card_id_sim_card")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_account")),
        sa.UniqueConstraint("account_name", name=op.f("uq_terminal_account_account_name")),
        sa.UniqueConstraint("card_id", name=op.f("uq_terminal_account_card_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sim_card_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "REGISTERED",
                "ACTIVATED",
                "STATUS_CHANGED",
                "PLAN_CHANGED",
                "IMEI_BOUND",
                "IMEI_RELEASED",
                "APPLICATIONS_CHANGED",
                "REPLACED",
                "EDITED",
                name="sim_card_event_kind",
                native_enum=False,
                create_constraint=True,
                length=28,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "APPLIED",
                "ACTIVE",
                "SUSPENDED",
                "CANCELLED",
                "REPLACED",
                name="sim_card_event_from",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "APPLIED",
                "ACTIVE",
                "SUSPENDED",
                "CANCELLED",
                "REPLACED",
                name="sim_card_event_to",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=True,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["sim_card.id"], name=op.f("fk_sim_card_event_card_id_sim_card"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"], name=op.f("fk_sim_card_event_order_id_work_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_card_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sim_card_event", schema=None) as batch_op:
        batch_op.create_index("ix_sim_card_event_card", ["card_id", "id"], unique=False)

    op.create_table(
        "terminal_account_application",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["terminal_account.id"],
            name=op.f("fk_terminal_account_application_account_id_terminal_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_terminal_account_application_application_id_application")
        ),
        sa.PrimaryKeyConstraint("account_id", "application_id", name=op.f("pk_terminal_account_application")),
    )
    with op.batch_alter_table("terminal_account_application", schema=None) as batch_op:
        batch_op.create_index("ix_terminal_account_application_app", ["application_id"], unique=False)
    for role in ("management_operator", "unit_admin", "unit_applicant"):
        grant_builtin(role, "wireless.view_cards")
    grant_builtin("management_operator", "wireless.manage_cards")


def downgrade() -> None:
    revoke_everywhere("wireless.view_cards")
    revoke_everywhere("wireless.manage_cards")
    with op.batch_alter_table("terminal_account_application", schema=None) as batch_op:
        batch_op.drop_index("ix_terminal_account_application_app")

    op.drop_table("terminal_account_application")
    with op.batch_alter_table("sim_card_event", schema=None) as batch_op:
        batch_op.drop_index("ix_sim_card_event_card")

    op.drop_table("sim_card_event")
    op.drop_table("terminal_account")
    with op.batch_alter_table("sim_card", schema=None) as batch_op:
        batch_op.drop_index("ix_sim_card_unit_status")
        batch_op.drop_index("ix_sim_card_plan")
        batch_op.drop_index(batch_op.f("ix_sim_card_msisdn_bidx"))
        batch_op.drop_index("ix_sim_card_carrier_status")
        batch_op.drop_index("ix_sim_card_activated")

    op.drop_table("sim_card")
    op.drop_table("application")
    op.drop_table("sim_plan")
