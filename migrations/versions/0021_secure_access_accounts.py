"""secure access accounts: accounts with sealed holder phone and ID number, MAC bindings, systems, history;
the feed cursor (how far a platform's feed was taken); the secure_access permissions for the built-in roles

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 01:53:50.404737
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from migrations.support import grant_builtin, revoke_everywhere

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_cursor",
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("feed", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "feed", name=op.f("pk_feed_cursor")),
    )
    op.create_table(
        "secure_access_account",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("account_name", sa.String(length=20), nullable=False),
        sa.Column("holder_name", sa.String(length=64), nullable=False),
        sa.Column("holder_phone", sa.LargeBinary(), nullable=False),
        sa.Column("holder_id_number", sa.LargeBinary(), nullable=False),
        sa.Column("holder_id_bidx", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "APPLIED",
                "ACTIVE",
                "SUSPENDED",
                "REVOKED",
                name="secure_access_account_status",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("mac_limit", sa.Integer(), nullable=False),
        sa.Column("online_sessions", sa.Integer(), nullable=False),
        sa.Column("last_login_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("activated_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_secure_access_account_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secure_access_account")),
        sa.UniqueConstraint("account_name", name=op.f("uq_secure_access_account_account_name")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("secure_access_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_secure_access_account_holder_id_bidx"), ["holder_id_bidx"], unique=False)
        batch_op.create_index(batch_op.f("ix_secure_access_account_holder_name"), ["holder_name"], unique=False)
        batch_op.create_index("ix_secure_access_account_unit_status", ["unit_id", "status", "id"], unique=False)
        batch_op.create_index("ix_secure_access_account_valid_to", ["valid_to"], unique=False)

    op.create_table(
        "secure_access_mac",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("mac", sa.String(length=17), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["secure_access_account.id"],
            name=op.f("fk_secure_access_mac_account_id_secure_access_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "mac", name=op.f("pk_secure_access_mac")),
    )
    with op.batch_alter_table("secure_access_mac", schema=None) as batch_op:
        batch_op.create_index("ix_secure_access_mac_mac", ["mac"], unique=True)

    op.create_table(
        "secure_access_system",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["secure_access_account.id"],
            name=op.f("fk_secure_access_system_account_id_secure_access_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_secure_access_system_application_id_application")
        ),
        sa.PrimaryKeyConstraint("account_id", "application_id", name=op.f("pk_secure_access_system")),
    )
    with op.batch_alter_table("secure_access_system", schema=None) as batch_op:
        batch_op.create_index("ix_secure_access_system_app", ["application_id"], unique=False)

    op.create_table(
        "secure_access_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "OPENED",
                "MACS_CHANGED",
                "SYSTEMS_CHANGED",
                "STATUS_CHANGED",
                "EDITED",
                name="secure_access_event_kind",
                native_enum=False,
                create_constraint=True,
                length=23,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "APPLIED",
                "ACTIVE",
                "SUSPENDED",
                "REVOKED",
                name="secure_access_event_from",
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
                "REVOKED",
                name="secure_access_event_to",
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
            ["account_id"],
            ["secure_access_account.id"],
            name=op.f("fk_secure_access_event_account_id_secure_access_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["order_id"], ["work_order.id"], name=op.f("fk_secure_access_event_order_id_work_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secure_access_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("secure_access_event", schema=None) as batch_op:
        batch_op.create_index("ix_secure_access_event_account", ["account_id", "id"], unique=False)
    for role in ("management_operator", "unit_admin", "unit_applicant"):
        grant_builtin(role, "secure_access.view_accounts")
    grant_builtin("management_operator", "secure_access.manage_accounts")


def downgrade() -> None:
    revoke_everywhere("secure_access.view_accounts")
    revoke_everywhere("secure_access.manage_accounts")
    with op.batch_alter_table("secure_access_event", schema=None) as batch_op:
        batch_op.drop_index("ix_secure_access_event_account")

    op.drop_table("secure_access_event")
    with op.batch_alter_table("secure_access_system", schema=None) as batch_op:
        batch_op.drop_index("ix_secure_access_system_app")

    op.drop_table("secure_access_system")
    with op.batch_alter_table("secure_access_mac", schema=None) as batch_op:
        batch_op.drop_index("ix_secure_access_mac_mac")

    op.drop_table("secure_access_mac")
    with op.batch_alter_table("secure_access_account", schema=None) as batch_op:
        batch_op.drop_index("ix_secure_access_account_valid_to")
        batch_op.drop_index("ix_secure_access_account_unit_status")
        batch_op.drop_index(batch_op.f("ix_secure_access_account_holder_name"))
        batch_op.drop_index(batch_op.f("ix_secure_access_account_holder_id_bidx"))

    op.drop_table("secure_access_account")
    op.drop_table("feed_cursor")
