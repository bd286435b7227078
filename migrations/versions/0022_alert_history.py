"""alert history: who acknowledged, owns and resolved an alert, its version, and its events (existing alerts get
their FIRED and RESOLVED rows); the alerts permissions for the built-in roles

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 02:23:13.185125
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from migrations.support import grant_builtin, revoke_everywhere

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "FIRED",
                "ACKNOWLEDGED",
                "ASSIGNED",
                "COMMENTED",
                "RESOLVED",
                name="alert_event_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_alert_event_alert_id_alert"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("alert_event", schema=None) as batch_op:
        batch_op.create_index("ix_alert_event_alert", ["alert_id", "id"], unique=False)

    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_by_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("owner_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_index("ix_alert_first_seen", ["first_seen_at"], unique=False)
        batch_op.create_index("ix_alert_unit_status", ["unit_id", "status"], unique=False)
    empty = "'{}'::jsonb" if op.get_bind().dialect.name == "postgresql" else "'{}'"
    op.execute(
        "INSERT INTO alert_event (alert_id, kind, actor_id, actor_name, at, comment, detail) "
        f"SELECT id, 'FIRED', NULL, '系统', first_seen_at, NULL, {empty} FROM alert"
    )
    op.execute(
        "INSERT INTO alert_event (alert_id, kind, actor_id, actor_name, at, comment, detail) "
        f"SELECT id, 'RESOLVED', NULL, source, resolved_at, resolution, {empty} FROM alert WHERE resolved_at IS NOT NULL"
    )
    for role in ("management_operator", "unit_admin", "unit_applicant"):
        grant_builtin(role, "alerts.view_alerts")
    grant_builtin("management_operator", "alerts.manage_alerts")


def downgrade() -> None:
    revoke_everywhere("alerts.view_alerts")
    revoke_everywhere("alerts.manage_alerts")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_unit_status")
        batch_op.drop_index("ix_alert_first_seen")
        batch_op.drop_column("version")
        batch_op.drop_column("owner_id")
        batch_op.drop_column("acknowledged_by_id")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("resolved_by_id")

    with op.batch_alter_table("alert_event", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_event_alert")

    op.drop_table("alert_event")
