"""login security: SM2 login challenge nonces, password history, TOTP second factors (secrets sealed)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 20:45:25.662899
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_nonce",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_login_nonce")),
    )
    with op.batch_alter_table("login_nonce", schema=None) as batch_op:
        batch_op.create_index("ix_login_nonce_expires_at", ["expires_at"], unique=False)

    op.create_table(
        "password_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("changed_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_password_history_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_history")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("password_history", schema=None) as batch_op:
        batch_op.create_index("ix_password_history_user", ["user_id", "changed_at"], unique=False)

    op.create_table(
        "user_totp",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("confirmed_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_user_totp_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_totp")),
    )


def downgrade() -> None:
    op.drop_table("user_totp")
    with op.batch_alter_table("password_history", schema=None) as batch_op:
        batch_op.drop_index("ix_password_history_user")

    op.drop_table("password_history")
    with op.batch_alter_table("login_nonce", schema=None) as batch_op:
        batch_op.drop_index("ix_login_nonce_expires_at")

    op.drop_table("login_nonce")
