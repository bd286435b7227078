"""wireless alert push: the platforms' service accounts may push terminal abnormal-behaviour alerts

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 00:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations.support import grant_builtin, revoke_everywhere

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    grant_builtin("platform_service", "wireless.push_alerts")


def downgrade() -> None:
    revoke_everywhere("wireless.push_alerts")
