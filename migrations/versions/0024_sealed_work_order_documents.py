"""sealed work order documents: the form (work_order.payload) and each dispatch's request and result are sealed
whole with SM4-GCM, since they carry holders' phones, ID numbers and carrier-issued numbers

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-29 02:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.support import configured_ring

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, nullable)
COLUMNS = [("work_order", "payload", False), ("work_order_dispatch", "request", False), ("work_order_dispatch", "result", True)]
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _move(table: str, column: str, nullable: bool, new_type: sa.types.TypeEngine, convert) -> None:  # type: ignore[no-untyped-def]
    """Rewrite one column through a temporary one: read the old values typed, write them converted, swap."""
    bind = op.get_bind()
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column(f"{column}_new", new_type, nullable=True))
    old_type = JSON if new_type is sa.LargeBinary else sa.LargeBinary()
    source = sa.table(table, sa.column("id", sa.BigInteger), sa.column(column, old_type))
    target = sa.table(table, sa.column("id", sa.BigInteger), sa.column(f"{column}_new", new_type))
    for row_id, value in bind.execute(sa.select(source.c.id, source.c[column]).where(source.c[column].is_not(None))).all():
        bind.execute(target.update().where(target.c.id == row_id).values({f"{column}_new": convert(value)}))
    with op.batch_alter_table(table) as batch:
        batch.drop_column(column)
    with op.batch_alter_table(table) as batch:
        batch.alter_column(f"{column}_new", new_column_name=column, existing_type=new_type, nullable=nullable)


def upgrade() -> None:
    ring = configured_ring()
    for table, column, nullable in COLUMNS:
        aad = f"{table}.{column}".encode()
        _move(table, column, nullable, sa.LargeBinary, lambda v, aad=aad: ring.seal(orjson.dumps(v), aad))


def downgrade() -> None:
    ring = configured_ring()
    for table, column, nullable in reversed(COLUMNS):
        aad = f"{table}.{column}".encode()
        _move(table, column, nullable, JSON, lambda v, aad=aad: orjson.loads(ring.open(bytes(v), aad)))
