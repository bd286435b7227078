"""one firing alert per fingerprint: a partial unique index, so two transactions firing the same problem at once
cannot open it twice

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-29 03:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRING = sa.text("status = 'FIRING'")


def upgrade() -> None:
    # Any duplicates from before: all but the oldest firing alert of a fingerprint are resolved.
    op.execute(sa.text(
        "UPDATE alert SET status = 'RESOLVED', resolution = '重复告警合并 / merged into the first firing alert' "
        "WHERE status = 'FIRING' AND id NOT IN (SELECT MIN(id) FROM alert WHERE status = 'FIRING' GROUP BY fingerprint)"
    ))  # fmt: skip
    op.create_index("uq_alert_firing_fingerprint", "alert", ["fingerprint"], unique=True, sqlite_where=FIRING,
                    postgresql_where=FIRING)  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_alert_firing_fingerprint", table_name="alert")
