"""api clients: third-party credentials (sealed secret, allow-listed persisted operations) and the nonces they used

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 20:15:55.298371
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from migrations.support import grant_builtin, revoke_everywhere

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERMISSION = "identity.manage_api_clients"


def upgrade() -> None:
    op.create_table(
        "api_client",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("operations", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column(
            "status",
            sa.Enum("ACTIVE", "DISABLED", name="api_client_status", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_client_user_id_user_account"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client")),
        sa.UniqueConstraint("key_id", name=op.f("uq_api_client_key_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_client_user_id"), ["user_id"], unique=False)

    op.create_table(
        "api_nonce",
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_api_nonce_client_id_api_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", "nonce", name=op.f("pk_api_nonce")),
    )
    with op.batch_alter_table("api_nonce", schema=None) as batch_op:
        batch_op.create_index("ix_api_nonce_seen_at", ["seen_at"], unique=False)

    # The security administrator gets the new permission (sealed with this deployment's key).
    grant_builtin("security_admin", PERMISSION)


def downgrade() -> None:
    revoke_everywhere(PERMISSION)
    with op.batch_alter_table("api_nonce", schema=None) as batch_op:
        batch_op.drop_index("ix_api_nonce_seen_at")

    op.drop_table("api_nonce")
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_client_user_id"))

    op.drop_table("api_client")
