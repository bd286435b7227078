"""What data migrations share: this deployment's integrity key and key ring, and granting a built-in role a permission.

Revisions that back-fill MACs need GOVOPS_MASTER_KEY (as the server does): the MACs they write must
verify with the key the server will use.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def configured_integrity():  # type: ignore[no-untyped-def]
    """core.integrity keyed with this deployment's master key."""
    from core import integrity
    from core.settings import get_settings

    master_key = get_settings().master_key
    assert master_key is not None
    integrity.configure(master_key.get_secret_value())
    return integrity


def grant_builtin(role_code: str, permission: str) -> None:
    """Give a built-in role a new permission, sealed like every role permission (when the role exists)."""
    integrity = configured_integrity()
    bind = op.get_bind()
    role_id = bind.execute(sa.text("SELECT id FROM role WHERE code = :c AND built_in"), {"c": role_code}).scalar()
    if role_id is not None:
        bind.execute(
            sa.text("INSERT INTO role_permission (role_id, permission, mac) VALUES (:r, :p, :m)"),
            {"r": role_id, "p": permission, "m": integrity.seal("role_permission", role_id, permission)},
        )


def revoke_everywhere(permission: str) -> None:
    op.get_bind().execute(sa.text("DELETE FROM role_permission WHERE permission = :p"), {"p": permission})


def configured_ring():  # type: ignore[no-untyped-def]
    """The key ring of this deployment (GOVOPS_MASTER_KEY, as for the server) with its data keys, for revisions
    that seal or open values; the first data key is made here when there is none yet."""
    from core.clock import utcnow
    from core.db.base import UTCDateTime
    from core.keyring import RING, KeyState
    from core.settings import get_settings

    master_key = get_settings().master_key
    assert master_key is not None
    RING.configure(master_key.get_secret_value())
    bind = op.get_bind()
    rows = [(v, KeyState(s), w) for v, s, w in bind.execute(sa.text("SELECT version, state, wrapped FROM data_key"))]
    if not rows:
        wrapped = RING.new_wrapped_key(1)
        columns = [sa.column(c) for c in ("version", "state", "wrapped")]
        data_key = sa.table("data_key", *columns, sa.column("created_at", UTCDateTime), sa.column("activated_at", UTCDateTime))
        now = utcnow()
        bind.execute(data_key.insert().values(version=1, state="ACTIVE", wrapped=wrapped, created_at=now, activated_at=now))
        rows = [(1, KeyState.ACTIVE, wrapped)]
    RING.install(rows)
    return RING


def replace_enum_check(table: str, column: str, name: str, values: list[str]) -> None:
    """Replace the CHECK constraint `ck_<table>_<name>` that keeps a column to its enum's values (batch mode rebuilds
    the table on SQLite): what a revision does when an enum gains or loses a member."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        batch_op.create_check_constraint(name, sa.column(column).in_(values))
