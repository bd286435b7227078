"""identity outbox audit

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 17:44:08.276605
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("occurred_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_username", sa.String(length=64), nullable=True),
        sa.Column("org_unit_id", sa.BigInteger(), nullable=True),
        sa.Column("operation", sa.String(length=100), nullable=False),
        sa.Column("target_type", sa.String(length=50), nullable=True),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("SUCCESS", "FAILURE", "DENIED", name="audit_outcome", native_enum=False, create_constraint=True, length=15),
            nullable=False,
        ),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_actor", ["actor_id", "occurred_at"], unique=False)
        batch_op.create_index("ix_audit_event_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index("ix_audit_event_unit", ["org_unit_id", "occurred_at"], unique=False)

    op.create_table(
        "org_unit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("MANAGEMENT", "ACCESS_UNIT", name="org_unit_kind", native_enum=False, create_constraint=True, length=19),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("ACTIVE", "DISABLED", name="org_unit_status", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("contact_name", sa.String(length=64), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("contact_email", sa.String(length=128), nullable=True),
        sa.Column("address", sa.String(length=256), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["org_unit.id"], name=op.f("fk_org_unit_parent_id_org_unit"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_org_unit_code")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.create_index("ix_org_unit_parent", ["parent_id"], unique=False)
        batch_op.create_index("ix_org_unit_path", ["path"], unique=False)

    op.create_table(
        "outbox_job",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("job_name", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "SENT",
                "RUNNING",
                "DONE",
                "FAILED",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_tries", sa.Integer(), nullable=True),
        sa.Column("available_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_job")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_job_key")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("outbox_job", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_job_due", ["status", "available_at"], unique=False)

    op.create_table(
        "role",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "duty",
            sa.Enum("SYSTEM", "SECURITY", "AUDIT", name="admin_duty", native_enum=False, create_constraint=True, length=16),
            nullable=True,
        ),
        sa.Column(
            "unit_kind",
            sa.Enum(
                "MANAGEMENT", "ACCESS_UNIT", "ANY", name="role_unit_kind", native_enum=False, create_constraint=True, length=19
            ),
            nullable=False,
        ),
        sa.Column("built_in", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("code", name=op.f("uq_role_code")),
        sa.UniqueConstraint("duty", name=op.f("uq_role_duty")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "role_permission",
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.Column("permission", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], name=op.f("fk_role_permission_role_id_role"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("role_id", "permission", name=op.f("pk_role_permission")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("org_unit_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("ACTIVE", "DISABLED", name="user_status", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("password_changed_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=128), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("failed_logins >= 0", name=op.f("ck_user_account_failed_logins_non_negative")),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_user_account_org_unit_id_org_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index("ix_user_account_unit", ["org_unit_id", "id"], unique=False)

    op.create_table(
        "access_token",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_access_token_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_token_token_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("access_token", schema=None) as batch_op:
        batch_op.create_index("ix_access_token_user", ["user_id", "created_at"], unique=False)

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.Column("granted_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("granted_by_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["user_account.id"], name=op.f("fk_user_role_granted_by_id_user_account"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], name=op.f("fk_user_role_role_id_role"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_user_role_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_user_role")),
    )
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.create_index("ix_user_role_role", ["role_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_index("ix_user_role_role")

    op.drop_table("user_role")
    with op.batch_alter_table("access_token", schema=None) as batch_op:
        batch_op.drop_index("ix_access_token_user")

    op.drop_table("access_token")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index("ix_user_account_unit")

    op.drop_table("user_account")
    op.drop_table("role_permission")
    op.drop_table("role")
    with op.batch_alter_table("outbox_job", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_job_due")

    op.drop_table("outbox_job")
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_index("ix_org_unit_path")
        batch_op.drop_index("ix_org_unit_parent")

    op.drop_table("org_unit")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_unit")
        batch_op.drop_index("ix_audit_event_occurred_at")
        batch_op.drop_index("ix_audit_event_actor")

    op.drop_table("audit_event")
