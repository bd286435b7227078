"""data scope macs: HMAC-SM3 over each unit's kind, status and path, each user's unit and status, and each password hash; existing rows sealed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 21:02:25.065377
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.support import configured_integrity

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope_mac", sa.String(length=64), nullable=True))

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope_mac", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("password_mac", sa.String(length=64), nullable=True))

    # Seal what is there with the key of this deployment (GOVOPS_MASTER_KEY, as for the server).
    integrity = configured_integrity()
    bind = op.get_bind()
    for unit_id, kind, status, path in bind.execute(sa.text("SELECT id, kind, status, path FROM org_unit")).all():
        bind.execute(
            sa.text("UPDATE org_unit SET scope_mac = :m WHERE id = :i"),
            {"m": integrity.seal("org_unit_scope", unit_id, kind, status, path), "i": unit_id},
        )
    users = bind.execute(sa.text("SELECT id, org_unit_id, status, password_hash FROM user_account")).all()
    for user_id, unit_id, status, password_hash in users:
        bind.execute(
            sa.text("UPDATE user_account SET scope_mac = :m, password_mac = :p WHERE id = :i"),
            {"m": integrity.seal("user_scope", user_id, unit_id, status),
             "p": integrity.seal("user_password", user_id, password_hash), "i": user_id},
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("password_mac")
        batch_op.drop_column("scope_mac")

    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_column("scope_mac")
