"""The card registry: number formats, sealed MSISDNs found through the blind index, the transition table,
lists with filters, data scope and constant statements, and a card's history and work orders."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import LargeBinary, func, select, text, type_coerce

from core.errors import DomainError, DomainErrors
from core.ids import to_global_id
from domain.wireless import service, validation
from domain.wireless.enums import Carrier, SimCardDomain, SimCardStatus
from domain.wireless.models import SimCard, SimCardEvent
from domain.workorders.models import WorkOrderLink
from tests.resolvers.test_read_path import StatementCounter
from tests.wireless.conftest import issued

LIST = """query($f: SimCardFilter, $n: Int, $a: String, $s: SimCardSort) { simCards(filter: $f, first: $n, after: $a, sort: $s) {
  totalCount edges { node { iccid msisdn carrier domain status unit { code } plan { code name } terminalAccount { accountName } } }
  pageInfo { hasNextPage endCursor } } }"""


def test_number_formats():
    body = "898603000000000001"
    from stdnum import luhn

    good = body + luhn.calc_check_digit(body)
    assert validation.iccid(good) == good and validation.iccid(" " + good) == good
    assert validation.iccid(good[:-1] + str((int(good[-1]) + 1) % 10)) is None  # wrong check digit
    assert validation.iccid("123456789012345678") is None  # not a Chinese card, too short
    assert validation.msisdn("+86 133-0000-0001") == "13300000001" and validation.msisdn("0213456789") is None
    assert validation.imsi("460110000000001") == "460110000000001" and validation.imsi("310150123456789") is None
    assert validation.imei("490154203237518") == "490154203237518" and validation.imei("490154203237519") is None


async def test_the_msisdn_is_sealed_at_rest_and_found_exactly(registry, gql):
    await registry.cards("D-PD", range(1, 4))
    async with registry.services.session_factory() as s:
        raw = (await s.execute(select(type_coerce(SimCard.msisdn, LargeBinary), type_coerce(SimCard.holder_phone, LargeBinary))
                               .where(SimCard.iccid == issued(2).iccid))).one()  # fmt: skip
        dump = (await s.execute(text("SELECT * FROM sim_card"))).all()
    assert b"13300000002" not in bytes(raw[0]) and b"13800000002" not in bytes(raw[1])
    assert "13300000002" not in repr(dump)
    found = await gql(LIST, {"f": {"msisdn": "+86 133 0000 0002"}}, as_user="operator")
    assert [e["node"]["iccid"] for e in found["data"]["simCards"]["edges"]] == [issued(2).iccid]
    assert found["data"]["simCards"]["edges"][0]["node"]["msisdn"] == "13300000002"


async def test_registration_refusals_add_nothing(registry):
    plan, unit = await registry.plan_id("TEL-5G-30G"), await registry.unit_id("D-PD")
    bad = service.IssuedCard(iccid="8986030000000000019", msisdn="12345", imsi="31015")
    cases = [
        (bad, Carrier.TELECOM, plan, ["INVALID_INPUT"] * 3),
        (issued(7), Carrier.MOBILE, plan, ["PLAN_OF_ANOTHER_CARRIER"]),
    ]
    for card, carrier, plan_id, codes in cases:
        with pytest.raises((DomainError, DomainErrors)) as caught:
            async with registry.services.unit_of_work() as uow:
                await service.register(uow, card, carrier=carrier, domain=SimCardDomain.SINGLE, plan_id=plan_id, unit_id=unit)
        exc = caught.value
        assert [e.code.value for e in getattr(exc, "errors", [exc])] == codes
    await registry.cards("D-PD", range(7, 8))
    with pytest.raises(DomainError) as twice:
        await registry.cards("D-PD", range(7, 8))
    assert twice.value.code.value == "DUPLICATE_CARD"
    async with registry.services.session_factory() as s:
        assert (await s.execute(select(func.count()).select_from(SimCard))).scalar_one() == 1


async def test_status_moves_only_through_the_table(registry):
    [card_id] = await registry.cards("D-PD", range(1, 2))
    async with registry.services.unit_of_work() as uow:
        card = await uow.session.get(SimCard, card_id)
        await service.change_status(uow, card, SimCardStatus.SUSPENDED)
        await service.change_status(uow, card, SimCardStatus.CANCELLED)
    with pytest.raises(DomainError) as refused:
        async with registry.services.unit_of_work() as uow:
            card = await uow.session.get(SimCard, card_id)
            await service.change_status(uow, card, SimCardStatus.ACTIVE)
    assert refused.value.code.value == "INVALID_TRANSITION"
    async with registry.services.session_factory() as s:
        history = [(e.kind.value, e.from_status, e.to_status) for e in (await s.execute(
            select(SimCardEvent).where(SimCardEvent.card_id == card_id).order_by(SimCardEvent.id))).scalars()]  # fmt: skip
    assert history == [
        ("ACTIVATED", None, SimCardStatus.ACTIVE),
        ("STATUS_CHANGED", SimCardStatus.ACTIVE, SimCardStatus.SUSPENDED),
        ("STATUS_CHANGED", SimCardStatus.SUSPENDED, SimCardStatus.CANCELLED),
    ]


async def test_lists_filter_sort_page_and_keep_to_the_data_scope(registry, gql):
    await registry.cards("D-PD", range(1, 6))
    await registry.cards("D-HP", range(10, 13), Carrier.MOBILE, "MOB-5G-50G", SimCardDomain.DUAL)

    async def listed(user: str, f: Any = None, n: int = 20, after: str | None = None, sort: str = "CREATED_DESC") -> Any:
        answer = await gql(LIST, {"f": f, "n": n, "a": after, "s": sort}, as_user=user)
        assert "errors" not in answer, answer
        return answer["data"]["simCards"]

    assert (await listed("operator"))["totalCount"] == 8
    pd = await listed("pd_user")
    assert pd["totalCount"] == 5 and {e["node"]["unit"]["code"] for e in pd["edges"]} == {"D-PD"}
    assert (await listed("hp_admin", {"msisdn": "13300000001"}))["totalCount"] == 0  # another unit's card: not found
    mobile = await listed("operator", {"carriers": ["MOBILE"], "domains": ["DUAL"]})
    assert mobile["totalCount"] == 3 and mobile["edges"][0]["node"]["plan"] == {"code": "MOB-5G-50G", "name": "移动政务专网50G"}
    assert (await listed("operator", {"iccid": issued(3).iccid}))["edges"][0]["node"]["iccid"] == issued(3).iccid
    first = await listed("operator", n=5, sort="ICCID_ASC")
    rest = await listed("operator", n=5, after=first["pageInfo"]["endCursor"], sort="ICCID_ASC")
    iccids = [e["node"]["iccid"] for e in first["edges"] + rest["edges"]]
    assert iccids == sorted(iccids) and len(iccids) == 8 and rest["pageInfo"]["hasNextPage"] is False
    denied = await gql(LIST, as_user="auditor")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("user", ["operator", "pd_admin"])
async def test_card_lists_issue_a_constant_number_of_statements(registry, gql, user):
    await registry.cards("D-PD", range(1, 121))

    async def statements(n: int) -> int:
        await gql(LIST, {"n": n}, as_user=user)
        with StatementCounter(registry.services.engine) as counter:
            answer = await gql(LIST, {"n": n}, as_user=user)
        assert len(answer["data"]["simCards"]["edges"]) == n
        return counter.count

    assert await statements(10) == await statements(100)


async def test_a_card_shows_its_history_and_every_order_that_touched_it(registry, gql):
    from tests.workorders.helpers import Engine

    [card_id] = await registry.cards("D-PD", range(1, 2))
    order_id = await Engine(registry.services).submit("pd_user", "test.single", {"quantity": 1, "reason": "换卡"})
    async with registry.services.unit_of_work() as uow:
        uow.session.add(WorkOrderLink(order_id=order_id, target_type="SimCard", target_id=card_id))
    q = """query($id: ID!) { simCard(id: $id) { iccid history { kind toStatus } workOrders { number status } } }"""
    card = (await gql(q, {"id": to_global_id("SimCard", card_id)}, as_user="pd_admin"))["data"]["simCard"]
    assert card["history"] == [{"kind": "ACTIVATED", "toStatus": "ACTIVE"}]
    assert [o["status"] for o in card["workOrders"]] == ["PROCESSING"]
    hidden = await gql(q, {"id": to_global_id("SimCard", card_id)}, as_user="hp_admin")
    assert hidden["data"]["simCard"] is None


async def test_the_registry_exports_what_the_viewer_may_see(registry, gql):
    import io

    from openpyxl import load_workbook

    await registry.cards("D-PD", range(1, 6))
    await registry.cards("D-HP", range(10, 13), Carrier.MOBILE, "MOB-5G-50G", SimCardDomain.DUAL)
    q = "mutation($f: SimCardFilter) { simCardsExport(filter: $f) { export { status total downloadUrl filename } errors { code } } }"
    answer = (await gql(q, {"f": {"statuses": ["ACTIVE"]}}, as_user="pd_user"))["data"]["simCardsExport"]
    export = answer["export"]
    assert (answer["errors"], export["status"], export["total"]) == ([], "DONE", 5) and export["filename"].startswith(
        "专网卡台账-"
    )
    content = (await gql.http.get(export["downloadUrl"])).content
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("ICCID", "手机号码", "IMSI", "运营商")
    assert [(r[0], r[1], r[3], r[8]) for r in rows[1:]] == [
        (issued(n).iccid, issued(n).msisdn, "电信", "在用") for n in range(1, 6)
    ]


async def test_an_export_by_phone_number_keeps_no_number_in_clear(registry, gql):
    from sqlalchemy import text

    await registry.cards("D-PD", range(1, 3))
    q = "mutation($f: SimCardFilter) { simCardsExport(filter: $f) { export { status total } errors { code } } }"
    answer = (await gql(q, {"f": {"msisdn": "13300000002"}}, as_user="pd_user"))["data"]["simCardsExport"]
    assert answer["export"] == {"status": "DONE", "total": 1}
    async with registry.services.session_factory() as s:
        stored = (await s.execute(text("SELECT params FROM data_export"))).scalar_one()
        logged = (await s.execute(text("SELECT detail FROM audit_event WHERE operation = 'exports.request'"))).scalar_one()
    assert "13300000002" not in str(stored) and "13300000002" not in str(logged) and "msisdn_bidx" in str(stored)
