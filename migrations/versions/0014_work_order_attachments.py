"""work order attachments: metadata of files attached to orders (the files sealed in the store); ATTACHED joins the timeline's event kinds; operators may read the interface log

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 23:33:06.724502
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base
from migrations.support import grant_builtin, replace_enum_check, revoke_everywhere

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_KINDS = [
    "SUBMITTED", "RESUBMITTED", "STEP_ENTERED", "APPROVED", "REJECTED", "RETURNED", "WITHDRAWN", "COMMENTED", "DELEGATED",
    "REASSIGNED", "DISPATCHED", "DISPATCH_ACCEPTED", "DISPATCH_CONFIRMED", "DISPATCH_REFUSED", "DISPATCH_DEAD",
    "DISPATCH_RETRIED", "SLA_WARNING", "SLA_BREACHED", "ESCALATED", "COMPLETED",
]  # fmt: skip


def _kinds(kinds: list[str]) -> None:
    replace_enum_check("work_order_event", "kind", "work_order_event_kind", kinds)


def upgrade() -> None:
    _kinds([*OLD_KINDS, "ATTACHED"])
    grant_builtin("management_operator", "integration.view_interface_log")
    op.create_table(
        "work_order_attachment",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sm3", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("uploaded_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_order.id"], name=op.f("fk_work_order_attachment_order_id_work_order"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["user_account.id"], name=op.f("fk_work_order_attachment_uploaded_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_attachment")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_work_order_attachment_storage_key")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("work_order_attachment", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_attachment_order", ["order_id", "id"], unique=False)


def downgrade() -> None:
    revoke_everywhere("integration.view_interface_log")
    op.execute("DELETE FROM work_order_event WHERE kind = 'ATTACHED'")
    _kinds(OLD_KINDS)
    with op.batch_alter_table("work_order_attachment", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_attachment_order")

    op.drop_table("work_order_attachment")
