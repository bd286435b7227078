"""work orders and alerts: orders, tasks, timeline, links, SLA clocks, platform dispatches; one alert table for every source

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 22:41:12.967650
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from migrations.support import grant_builtin, revoke_everywhere

GRANTS = [
    ("management_operator", "workorders.view_work_orders"), ("management_operator", "workorders.submit"),
    ("management_operator", "workorders.manage"), ("unit_admin", "workorders.view_work_orders"),
    ("unit_admin", "workorders.submit"), ("unit_applicant", "workorders.view_work_orders"),
    ("unit_applicant", "workorders.submit"),
]  # fmt: skip

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "NETWORK_SECURITY",
                "UPF",
                "SECURE_ACCESS_ZONE",
                "TERMINAL_BEHAVIOUR",
                "BUSINESS",
                "USER_BEHAVIOUR",
                name="alert_kind",
                native_enum=False,
                create_constraint=True,
                length=26,
            ),
            nullable=False,
        ),
        sa.Column(
            "severity",
            sa.Enum(
                "CRITICAL",
                "MAJOR",
                "MINOR",
                "WARNING",
                name="alert_severity",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("FIRING", "RESOLVED", name="alert_status", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("labels", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("unit_id", sa.BigInteger(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index("ix_alert_fingerprint_status", ["fingerprint", "status"], unique=False)
        batch_op.create_index("ix_alert_status_last_seen", ["status", "last_seen_at"], unique=False)
        batch_op.create_index("ix_alert_target", ["target_type", "target_id"], unique=False)

    op.create_table(
        "work_order",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PROCESSING",
                "RETURNED",
                "DISPATCHING",
                "DISPATCH_FAILED",
                "COMPLETED",
                "REJECTED",
                "WITHDRAWN",
                name="work_order_status",
                native_enum=False,
                create_constraint=True,
                length=23,
            ),
            nullable=False,
        ),
        sa.Column("step", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("applicant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("due_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["user_account.id"], name=op.f("fk_work_order_applicant_id_user_account")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_work_order_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order")),
        sa.UniqueConstraint("number", name=op.f("uq_work_order_number")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_applicant", ["applicant_id", "created_at"], unique=False)
        batch_op.create_index("ix_work_order_created", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_work_order_finished", ["finished_at"], unique=False)
        batch_op.create_index("ix_work_order_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index("ix_work_order_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_work_order_unit_created", ["unit_id", "created_at"], unique=False)

    op.create_table(
        "work_order_dispatch",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=60), nullable=False),
        sa.Column("operation", sa.String(length=60), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "ACCEPTED",
                "CONFIRMED",
                "REFUSED",
                "DEAD",
                name="work_order_dispatch_status",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("request", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("result", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_order.id"], name=op.f("fk_work_order_dispatch_order_id_work_order"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_dispatch")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_work_order_dispatch_idempotency_key")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("work_order_dispatch", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_dispatch_order", ["order_id"], unique=False)
        batch_op.create_index("ix_work_order_dispatch_status", ["status"], unique=False)

    op.create_table(
        "work_order_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "SUBMITTED",
                "RESUBMITTED",
                "STEP_ENTERED",
                "APPROVED",
                "REJECTED",
                "RETURNED",
                "WITHDRAWN",
                "COMMENTED",
                "DELEGATED",
                "REASSIGNED",
                "DISPATCHED",
                "DISPATCH_ACCEPTED",
                "DISPATCH_CONFIRMED",
                "DISPATCH_REFUSED",
                "DISPATCH_DEAD",
                "DISPATCH_RETRIED",
                "SLA_WARNING",
                "SLA_BREACHED",
                "ESCALATED",
                "COMPLETED",
                name="work_order_event_kind",
                native_enum=False,
                create_constraint=True,
                length=26,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=True),
        sa.Column(
            "from_status",
            sa.Enum(
                "PROCESSING",
                "RETURNED",
                "DISPATCHING",
                "DISPATCH_FAILED",
                "COMPLETED",
                "REJECTED",
                "WITHDRAWN",
                name="work_order_event_from_status",
                native_enum=False,
                create_constraint=True,
                length=23,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "PROCESSING",
                "RETURNED",
                "DISPATCHING",
                "DISPATCH_FAILED",
                "COMPLETED",
                "REJECTED",
                "WITHDRAWN",
                name="work_order_event_to_status",
                native_enum=False,
                create_constraint=True,
                length=23,
            ),
            nullable=True,
        ),
        sa.Column("from_step", sa.String(length=60), nullable=True),
        sa.Column("to_step", sa.String(length=60), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_work_order_event_actor_id_user_account")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_order.id"], name=op.f("fk_work_order_event_order_id_work_order"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("work_order_event", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_event_at", ["at"], unique=False)
        batch_op.create_index("ix_work_order_event_order", ["order_id", "id"], unique=False)

    op.create_table(
        "work_order_link",
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_order.id"], name=op.f("fk_work_order_link_order_id_work_order"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", "target_type", "target_id", name=op.f("pk_work_order_link")),
    )
    with op.batch_alter_table("work_order_link", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_link_target", ["target_type", "target_id"], unique=False)

    op.create_table(
        "work_order_sla",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "scope",
            sa.Enum("ORDER", "STEP", name="work_order_sla_scope", native_enum=False, create_constraint=True, length=13),
            nullable=False,
        ),
        sa.Column("step", sa.String(length=60), nullable=False),
        sa.Column("target_seconds", sa.Integer(), nullable=False),
        sa.Column("intervals", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "ON_TRACK",
                "WARNING",
                "BREACHED",
                name="work_order_sla_state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("warn_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("warned_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("breached_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_order.id"], name=op.f("fk_work_order_sla_order_id_work_order"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_sla")),
        sa.UniqueConstraint("order_id", "scope", "step", name=op.f("uq_work_order_sla_order_id_scope_step")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("work_order_sla", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_sla_due", ["due_at"], unique=False)
        batch_op.create_index("ix_work_order_sla_warn", ["warn_at"], unique=False)

    op.create_table(
        "work_order_task",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("role_code", sa.String(length=60), nullable=True),
        sa.Column(
            "scope_kind",
            sa.Enum(
                "ORDER_UNIT", "MANAGEMENT", name="work_order_scope_kind", native_enum=False, create_constraint=True, length=18
            ),
            nullable=False,
        ),
        sa.Column("scope_path", sa.String(length=255), nullable=False),
        sa.Column("assignee_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("supervisor_role", sa.String(length=60), nullable=True),
        sa.Column("delegate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("delegate_until", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delegated_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "APPROVED",
                "REJECTED",
                "RETURNED",
                "CANCELLED",
                name="work_order_task_status",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("acted_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("acted_at", core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["acted_by"], ["user_account.id"], name=op.f("fk_work_order_task_acted_by_user_account")),
        sa.ForeignKeyConstraint(["assignee_id"], ["user_account.id"], name=op.f("fk_work_order_task_assignee_id_user_account")),
        sa.ForeignKeyConstraint(["delegate_id"], ["user_account.id"], name=op.f("fk_work_order_task_delegate_id_user_account")),
        sa.ForeignKeyConstraint(["delegated_by"], ["user_account.id"], name=op.f("fk_work_order_task_delegated_by_user_account")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["work_order.id"], name=op.f("fk_work_order_task_order_id_work_order"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_task")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("work_order_task", schema=None) as batch_op:
        batch_op.create_index("ix_work_order_task_assignee", ["assignee_id", "status"], unique=False)
        batch_op.create_index("ix_work_order_task_delegate", ["delegate_id", "status"], unique=False)
        batch_op.create_index("ix_work_order_task_open_role", ["status", "role_code"], unique=False)
        batch_op.create_index("ix_work_order_task_order", ["order_id", "status"], unique=False)

    for role, permission in GRANTS:
        grant_builtin(role, permission)


def downgrade() -> None:
    for permission in sorted({p for _, p in GRANTS} | {"workorders.confirm_dispatch"}):
        revoke_everywhere(permission)
    with op.batch_alter_table("work_order_task", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_task_order")
        batch_op.drop_index("ix_work_order_task_open_role")
        batch_op.drop_index("ix_work_order_task_delegate")
        batch_op.drop_index("ix_work_order_task_assignee")

    op.drop_table("work_order_task")
    with op.batch_alter_table("work_order_sla", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_sla_warn")
        batch_op.drop_index("ix_work_order_sla_due")

    op.drop_table("work_order_sla")
    with op.batch_alter_table("work_order_link", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_link_target")

    op.drop_table("work_order_link")
    with op.batch_alter_table("work_order_event", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_event_order")
        batch_op.drop_index("ix_work_order_event_at")

    op.drop_table("work_order_event")
    with op.batch_alter_table("work_order_dispatch", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_dispatch_status")
        batch_op.drop_index("ix_work_order_dispatch_order")

    op.drop_table("work_order_dispatch")
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.drop_index("ix_work_order_unit_created")
        batch_op.drop_index("ix_work_order_status_created")
        batch_op.drop_index("ix_work_order_kind_status")
        batch_op.drop_index("ix_work_order_finished")
        batch_op.drop_index("ix_work_order_created")
        batch_op.drop_index("ix_work_order_applicant")

    op.drop_table("work_order")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_target")
        batch_op.drop_index("ix_alert_status_last_seen")
        batch_op.drop_index("ix_alert_fingerprint_status")

    op.drop_table("alert")
