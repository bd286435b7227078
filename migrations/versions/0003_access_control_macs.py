"""access control macs: HMAC-SM3 on every role grant and role permission, existing rows sealed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 19:07:11.223522
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.support import configured_integrity

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("role_permission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))

    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))

    # Seal what is there with the key of this deployment (GOVOPS_MASTER_KEY, as for the server).
    integrity = configured_integrity()
    bind = op.get_bind()
    for role_id, permission in bind.execute(sa.text("SELECT role_id, permission FROM role_permission")).all():
        bind.execute(
            sa.text("UPDATE role_permission SET mac = :mac WHERE role_id = :r AND permission = :p"),
            {"mac": integrity.seal("role_permission", role_id, permission), "r": role_id, "p": permission},
        )
    for user_id, role_id in bind.execute(sa.text("SELECT user_id, role_id FROM user_role")).all():
        bind.execute(
            sa.text("UPDATE user_role SET mac = :mac WHERE user_id = :u AND role_id = :r"),
            {"mac": integrity.seal("user_role", user_id, role_id), "u": user_id, "r": role_id},
        )


def downgrade() -> None:

    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_column("mac")

    with op.batch_alter_table("role_permission", schema=None) as batch_op:
        batch_op.drop_column("mac")
