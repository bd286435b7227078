"""audit archive: stretches of the chain moved to archive files; security events readable by the security administrator

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 20:37:10.683294
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base
from migrations.support import grant_builtin, revoke_everywhere

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERMISSION = "audit.view_security_events"


def upgrade() -> None:
    op.create_table(
        "audit_archive",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("previous_mac", sa.String(length=64), nullable=False),
        sa.Column("last_mac", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=128), nullable=False),
        sa.Column("file_sm3", sa.String(length=64), nullable=False),
        sa.Column("archived_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_archive")),
        sa.UniqueConstraint("first_seq", name=op.f("uq_audit_archive_first_seq")),
        sa.UniqueConstraint("last_seq", name=op.f("uq_audit_archive_last_seq")),
        sqlite_autoincrement=True,
    )

    # The security administrator gets the new permission (sealed with this deployment's key).
    grant_builtin("security_admin", PERMISSION)


def downgrade() -> None:
    revoke_everywhere(PERMISSION)
    op.drop_table("audit_archive")
