"""api client platforms: the platforms a client speaks for; it may settle only their dispatches

Existing clients start bound to no platform: until the security administrator binds them (apiClientUpdate
platforms), their dispatch confirmations are refused as NOT_FOUND. Before this, any client holding the confirm
document could settle any platform's dispatch.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 01:58:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "platforms",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_column("platforms")
