"""secure access expired: the EXPIRED account status (past its validity, MACs released, still revocable)

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-29 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.support import replace_enum_check

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ["APPLIED", "ACTIVE", "SUSPENDED", "REVOKED"]
NEW = ["APPLIED", "ACTIVE", "SUSPENDED", "EXPIRED", "REVOKED"]
# (table, column, constraint name without the ck_<table>_ prefix)
CHECKS = [
    ("secure_access_account", "status", "secure_access_account_status"),
    ("secure_access_event", "from_status", "secure_access_event_from"),
    ("secure_access_event", "to_status", "secure_access_event_to"),
]


def _statuses(values: list[str]) -> None:
    for table, column, name in CHECKS:
        replace_enum_check(table, column, name, values)


def upgrade() -> None:
    _statuses(NEW)


def downgrade() -> None:
    op.execute(sa.text("UPDATE secure_access_account SET status = 'SUSPENDED' WHERE status = 'EXPIRED'"))
    op.execute(sa.text("UPDATE secure_access_event SET from_status = 'SUSPENDED' WHERE from_status = 'EXPIRED'"))
    op.execute(sa.text("UPDATE secure_access_event SET to_status = 'SUSPENDED' WHERE to_status = 'EXPIRED'"))
    _statuses(OLD)
