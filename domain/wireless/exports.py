"""The card registry as an export (专网卡台账导出): the same filter as `simCards`, Chinese headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from core.db.encrypted import blind_index, normalize_phone
from core.db.engine import Db
from domain.exports import params
from domain.exports.registry import Exporter, Rows, register
from domain.identity.actor import Actor
from domain.wireless import repository as repo
from domain.wireless.enums import Carrier, SimCardDomain, SimCardStatus

CARRIERS = {Carrier.CBN: "广电", Carrier.TELECOM: "电信", Carrier.MOBILE: "移动", Carrier.UNICOM: "联通"}
DOMAINS = {SimCardDomain.SINGLE: "单域", SimCardDomain.DUAL: "双域"}
STATUSES = {
    SimCardStatus.APPLIED: "已申请", SimCardStatus.ACTIVE: "在用", SimCardStatus.SUSPENDED: "停机",
    SimCardStatus.CANCELLED: "已销户", SimCardStatus.REPLACED: "已换卡",
}  # fmt: skip
COLUMNS = [
    ("ICCID", 24), ("手机号码", 14), ("IMSI", 18), ("运营商", 8), ("卡类型", 8), ("套餐", 24), ("所属单位", 28),
    ("持卡人", 12), ("状态", 8), ("绑定IMEI", 18), ("开通时间", 20), ("销户时间", 20),
]  # fmt: skip


def to_params(f: repo.CardFilter) -> dict[str, Any]:
    """The filter as stored with the export and its audit record (JSON): a phone number becomes its blind index,
    so neither keeps it in clear."""
    if f.msisdn:
        f = replace(f, msisdn=None, msisdn_bidx=blind_index("sim_card.msisdn", f.msisdn, normalize_phone))
    return params.to_params(f)


def from_params(values: dict[str, Any]) -> repo.CardFilter:
    return params.from_params(repo.CardFilter, values)


def _row(r: Any) -> Sequence[Any]:
    _id, iccid, msisdn, imsi, carrier, domain, plan, unit, holder, status, imei, activated, cancelled = r
    return (iccid, msisdn, imsi, CARRIERS[carrier], DOMAINS[domain], plan, unit, holder, STATUSES[status], imei, activated,
            cancelled)  # fmt: skip


async def _count(db: Db, actor: Actor, params: dict[str, Any]) -> int:
    return await repo.count_cards(db, actor, from_params(params))


async def _rows(db: Db, actor: Actor, params: dict[str, Any]) -> Rows:
    async for batch in repo.export_batches(db, actor, from_params(params)):
        yield [_row(r) for r in batch]


EXPORTER = register(Exporter("sim_cards", "专网卡台账", "wireless.view_cards", COLUMNS, _count, _rows))
