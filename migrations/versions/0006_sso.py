"""sso: identities at the office platform linked to users, its group -> role mapping, pending sign-on requests

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 20:27:39.422675
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sso_pending",
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.LargeBinary(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_sso_pending")),
    )
    with op.batch_alter_table("sso_pending", schema=None) as batch_op:
        batch_op.create_index("ix_sso_pending_created_at", ["created_at"], unique=False)

    op.create_table(
        "sso_role_mapping",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("group_name", sa.String(length=128), nullable=False),
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], name=op.f("fk_sso_role_mapping_role_id_role"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("provider", "group_name", "role_id", name=op.f("pk_sso_role_mapping")),
    )
    op.create_table(
        "external_identity",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_external_identity_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identity")),
        sa.UniqueConstraint("provider", "subject", name=op.f("uq_external_identity_provider_subject")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("external_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_identity_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("external_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_identity_user_id"))

    op.drop_table("external_identity")
    op.drop_table("sso_role_mapping")
    with op.batch_alter_table("sso_pending", schema=None) as batch_op:
        batch_op.drop_index("ix_sso_pending_created_at")

    op.drop_table("sso_pending")
