"""assets: the equipment catalogue, assets with their history, upgrades and inspections, faults on assets, the
lifecycle reminder alert and notification kinds, and the asset permissions (modules 22-25)

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-29 05:04:00.376505
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from migrations.support import grant_builtin, replace_enum_check, revoke_everywhere

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALERT_KINDS = ["NETWORK_SECURITY", "UPF", "SECURE_ACCESS_ZONE", "TERMINAL_BEHAVIOUR", "BUSINESS", "USER_BEHAVIOUR"]
NOTIFICATION_KINDS = ["TASK_WAITING", "SLA_WARNING", "ESCALATED", "ORDER_RETURNED", "ORDER_FINISHED", "DISPATCH_FAILED",
                      "ALERT_FIRED", "ALERT_RESOLVED"]  # fmt: skip
GRANTS = [("management_operator", "assets.view_assets"), ("management_operator", "assets.manage_assets"),
          ("unit_admin", "assets.view_assets"), ("unit_applicant", "assets.view_assets")]  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "asset_model",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("vendor", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "ROUTER",
                "SWITCH",
                "FIREWALL",
                "OPTICAL",
                "SERVER",
                "UPF",
                "BASE_STATION",
                "SECURITY_GATEWAY",
                "MODULE",
                "OTHER",
                name="asset_type",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("hardware", sa.String(length=500), nullable=True),
        sa.Column("software", sa.String(length=200), nullable=True),
        sa.Column("lifespan_years", sa.Integer(), nullable=False),
        sa.Column("end_of_support", sa.Date(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_model")),
        sa.UniqueConstraint("vendor", "model", name=op.f("uq_asset_model_vendor_model")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "asset",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("model_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "WIRELESS", "SECURE_ACCESS", "FIBER", name="asset_domain", native_enum=False, create_constraint=True, length=21
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "IN_STOCK",
                "IN_SERVICE",
                "UNDER_REPAIR",
                "RETIRED",
                name="asset_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("commissioned_on", sa.Date(), nullable=True),
        sa.Column("warranty_until", sa.Date(), nullable=True),
        sa.Column("end_of_life", sa.Date(), nullable=True),
        sa.Column("parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("software_version", sa.String(length=64), nullable=True),
        sa.Column("management_ip", sa.String(length=45), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("eol_notice_days", sa.Integer(), nullable=True),
        sa.Column("eol_noticed_on", sa.Date(), nullable=True),
        sa.Column("warranty_notice_days", sa.Integer(), nullable=True),
        sa.Column("warranty_noticed_on", sa.Date(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["asset_model.id"], name=op.f("fk_asset_model_id_asset_model")),
        sa.ForeignKeyConstraint(["parent_id"], ["asset.id"], name=op.f("fk_asset_parent_id_asset")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_asset_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset")),
        sa.UniqueConstraint("serial", name=op.f("uq_asset_serial")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.create_index("ix_asset_domain_status", ["domain", "status"], unique=False)
        batch_op.create_index("ix_asset_end_of_life", ["end_of_life"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_model_id"), ["model_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index("ix_asset_unit_status", ["unit_id", "status", "id"], unique=False)
        batch_op.create_index("ix_asset_warranty_until", ["warranty_until"], unique=False)

    op.create_table(
        "asset_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "CREATED",
                "IMPORTED",
                "EDITED",
                "STATUS_CHANGED",
                "UPGRADED",
                "INSPECTED",
                "REMINDED",
                name="asset_event_kind",
                native_enum=False,
                create_constraint=True,
                length=22,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_asset_event_actor_id_user_account")),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], name=op.f("fk_asset_event_asset_id_asset"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("asset_event", schema=None) as batch_op:
        batch_op.create_index("ix_asset_event_asset", ["asset_id", "id"], unique=False)

    op.create_table(
        "asset_inspection",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("ENTRY", "EXIT", name="asset_inspection_kind", native_enum=False, create_constraint=True, length=13),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.Enum("PASSED", "FAILED", name="asset_inspection_result", native_enum=False, create_constraint=True, length=14),
            nullable=False,
        ),
        sa.Column("checklist", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("photos", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("inspector_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("inspector_name", sa.String(length=100), nullable=False),
        sa.Column("at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], name=op.f("fk_asset_inspection_asset_id_asset"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["user_account.id"], name=op.f("fk_asset_inspection_inspector_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_inspection")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("asset_inspection", schema=None) as batch_op:
        batch_op.create_index("ix_asset_inspection_asset", ["asset_id", "id"], unique=False)

    op.create_table(
        "asset_upgrade",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("from_version", sa.String(length=64), nullable=True),
        sa.Column("to_version", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_asset_upgrade_actor_id_user_account")),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], name=op.f("fk_asset_upgrade_asset_id_asset"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"], name=op.f("fk_asset_upgrade_order_id_work_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_upgrade")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("asset_upgrade", schema=None) as batch_op:
        batch_op.create_index("ix_asset_upgrade_asset", ["asset_id", "id"], unique=False)

    with op.batch_alter_table("fault", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch_op.create_index(batch_op.f("ix_fault_asset_id"), ["asset_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_fault_asset_id_asset"), "asset", ["asset_id"], ["id"])

    replace_enum_check("alert", "kind", "alert_kind", [*ALERT_KINDS, "ASSET_LIFECYCLE"])
    replace_enum_check("notification", "kind", "notification_kind", [*NOTIFICATION_KINDS, "ASSET_REMINDER"])
    for role, permission in GRANTS:
        grant_builtin(role, permission)


def downgrade() -> None:
    for permission in sorted({p for _, p in GRANTS}):
        revoke_everywhere(permission)
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'ASSET_REMINDER'"))
    op.execute(sa.text("DELETE FROM alert WHERE kind = 'ASSET_LIFECYCLE'"))
    replace_enum_check("notification", "kind", "notification_kind", NOTIFICATION_KINDS)
    replace_enum_check("alert", "kind", "alert_kind", ALERT_KINDS)
    with op.batch_alter_table("fault", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_fault_asset_id_asset"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_fault_asset_id"))
        batch_op.drop_column("asset_id")

    with op.batch_alter_table("asset_upgrade", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_upgrade_asset")

    op.drop_table("asset_upgrade")
    with op.batch_alter_table("asset_inspection", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_inspection_asset")

    op.drop_table("asset_inspection")
    with op.batch_alter_table("asset_event", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_event_asset")

    op.drop_table("asset_event")
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_warranty_until")
        batch_op.drop_index("ix_asset_unit_status")
        batch_op.drop_index(batch_op.f("ix_asset_parent_id"))
        batch_op.drop_index(batch_op.f("ix_asset_model_id"))
        batch_op.drop_index("ix_asset_end_of_life")
        batch_op.drop_index("ix_asset_domain_status")

    op.drop_table("asset")
    op.drop_table("asset_model")
