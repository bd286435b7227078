"""The secure access registry as an export (互联网安全加密接入账号台账): the same filter as `secureAccessAccounts`,
Chinese headers. Like the card export it carries no holder contact: neither the phone nor the ID number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from core.db.encrypted import blind_index, normalize_exact
from core.db.engine import Db
from core.db.pagination import MAX_PAGE, PageRequest, encode_cursor
from domain.exports import params
from domain.exports.registry import Exporter, Rows, register
from domain.identity import repository as identity
from domain.identity.actor import Actor
from domain.secure_access import repository as repo
from domain.secure_access.enums import AccountSort, AccountStatus
from domain.secure_access.records import AccountRecord

STATUSES = {
    AccountStatus.APPLIED: "已申请", AccountStatus.ACTIVE: "在用", AccountStatus.SUSPENDED: "已暂停",
    AccountStatus.EXPIRED: "已过期", AccountStatus.REVOKED: "已撤销",
}  # fmt: skip
COLUMNS = [
    ("账号", 14), ("使用人", 12), ("单位", 28), ("状态", 8), ("有效期起", 12), ("有效期止", 12), ("MAC地址", 40),
    ("可访问系统", 30), ("在线会话", 10), ("最近登录", 20), ("开通时间", 20), ("撤销时间", 20),
]  # fmt: skip
BATCH = MAX_PAGE  # accounts per batch: one page of the list, then one statement per relation
_ID_NUMBER = "secure_access_account.holder_id_number"


def to_params(f: repo.AccountFilter) -> dict[str, Any]:
    """The filter as stored with the export and its audit record (JSON): an ID number becomes its blind index, so
    neither keeps it in clear."""
    if f.holder_id_number:
        f = replace(f, holder_id_number=None, holder_id_bidx=blind_index(_ID_NUMBER, f.holder_id_number, normalize_exact))
    return params.to_params(f)


def from_params(values: dict[str, Any]) -> repo.AccountFilter:
    return params.from_params(repo.AccountFilter, values)


def _row(a: AccountRecord, unit: str, macs: list[str], systems: list[str]) -> Sequence[Any]:
    return (a.account_name, a.holder_name, unit, STATUSES[a.status], a.valid_from, a.valid_to, ", ".join(macs),
            ", ".join(systems), a.online_sessions, a.last_login_at, a.activated_at, a.revoked_at)  # fmt: skip


async def _count(db: Db, actor: Actor, params: dict[str, Any]) -> int:
    return await repo.count_accounts(db, actor, from_params(params))


async def _rows(db: Db, actor: Actor, params: dict[str, Any]) -> Rows:
    """Keyset batches of the list (oldest first), each with its MACs, systems and new units in one statement apiece."""
    f, after = from_params(params), None
    units: dict[int, str] = {}
    while True:
        page = await repo.list_accounts(db, actor, f, AccountSort.CREATED_ASC, PageRequest(BATCH, after))
        if not page.items:
            return
        ids = [a.id for a in page.items]
        macs, systems = await repo.macs_by_accounts(db, ids), await repo.systems_by_accounts(db, ids)
        if missing := {a.unit_id for a in page.items} - units.keys():
            units |= {i: u.name for i, u in (await identity.units_by_ids(db, actor, missing)).items()}
        yield [_row(a, units.get(a.unit_id, ""), macs[a.id], [s.code for s in systems[a.id]]) for a in page.items]
        if not page.has_next_page:
            return
        after = encode_cursor(page.keys[-1])


EXPORTER = register(
    Exporter("secure_access_accounts", "互联网安全加密接入账号台账", "secure_access.view_accounts", COLUMNS, _count, _rows)
)
