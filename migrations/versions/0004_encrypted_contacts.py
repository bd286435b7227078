"""encrypted contacts: the data key ring, and phone/email of users and units sealed with SM4-GCM

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 20:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.support import configured_ring

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, normalizer name, old plaintext length)
COLUMNS = [
    ("org_unit", "contact_phone", "phone", 32),
    ("org_unit", "contact_email", "email", 128),
    ("user_account", "phone", "phone", 32),
    ("user_account", "email", "email", 128),
]


def _ring():  # type: ignore[no-untyped-def]
    return configured_ring()


def upgrade() -> None:
    op.create_table(
        "data_key",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "PREPARED",
                "ACTIVE",
                "RETIRING",
                "RETIRED",
                name="key_state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_data_key")),
    )
    from core.db.encrypted import normalize_email, normalize_phone

    normalizers = {"phone": normalize_phone, "email": normalize_email}
    ring = _ring()
    bind = op.get_bind()
    for table, column, norm, _length in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(f"{column}_sealed", sa.LargeBinary(), nullable=True))
            batch.add_column(sa.Column(f"{column}_bidx", sa.String(length=32), nullable=True))
        context = f"{table}.{column}"
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
        for row_id, value in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET {column}_sealed = :s, {column}_bidx = :b WHERE id = :i"),
                {
                    "s": ring.seal(value.encode(), context.encode()),
                    "b": ring.blind_index(context, normalizers[norm](value)),
                    "i": row_id,
                },
            )
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
        with op.batch_alter_table(table) as batch:
            batch.alter_column(f"{column}_sealed", new_column_name=column)
            batch.create_index(batch.f(f"ix_{table}_{column}_bidx"), [f"{column}_bidx"], unique=False)


def downgrade() -> None:
    ring = _ring()
    bind = op.get_bind()
    for table, column, _norm, length in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(batch.f(f"ix_{table}_{column}_bidx"))
            batch.drop_column(f"{column}_bidx")
            batch.add_column(sa.Column(f"{column}_plain", sa.String(length=length), nullable=True))
        context = f"{table}.{column}".encode()
        for row_id, sealed in bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all():
            bind.execute(
                sa.text(f"UPDATE {table} SET {column}_plain = :p WHERE id = :i"),
                {"p": ring.open(bytes(sealed), context).decode(), "i": row_id},
            )
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
        with op.batch_alter_table(table) as batch:
            batch.alter_column(f"{column}_plain", new_column_name=column)
    op.drop_table("data_key")
