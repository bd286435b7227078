"""An access-unit user sees only their unit: by id, in lists, and through every nested field."""

from __future__ import annotations

from typing import Any

import pytest

from core.ids import to_global_id
from resolvers.prefetch import NODES

NODE_QUERY = "query($id: ID!) { node(id: $id) { id __typename } }"


async def ids(services: Any) -> dict[str, int]:
    """Primary keys by username / unit code."""
    from sqlalchemy import select

    from domain.identity.models import OrgUnit, User

    async with services.session_factory() as s:
        users = {u: i for u, i in (await s.execute(select(User.username, User.id)))}
        units = {c: i for c, i in (await s.execute(select(OrgUnit.code, OrgUnit.id)))}
    return {**users, **units}


async def foreign_token_id(services: Any, gql: Any) -> int:
    await gql.token("hp_admin")
    from sqlalchemy import select

    from domain.identity.models import AccessToken

    known = await ids(services)
    async with services.session_factory() as s:
        return (await s.execute(select(AccessToken.id).where(AccessToken.user_id == known["hp_admin"]))).scalar_one()


# How to find, for each node type, a record outside 浦东新区's scope. Roles are a global catalogue
# (no unit owns them): every logged-in user may read them, and the test says so explicitly.
FOREIGN = {
    "OrgUnit": lambda known: known["D-HP"],
    "User": lambda known: known["hp_user"],
    "AccessToken": None,  # filled in by the test (needs a login)
    "Role": "global",
    "WorkOrder": "hp_order",  # filled in by the test (submitted by 黄浦区's applicant)
    "SimCard": "hp_card",  # filled in by the test (a card of 黄浦区)
    "SecureAccessAccount": "hp_account",  # filled in by the test (an account of 黄浦区)
    "Alert": "hp_alert",  # filled in by the test (an alert on 黄浦区's record)
    "Fault": "hp_fault",  # filled in by the test (reported by 黄浦区's applicant)
    "Asset": "hp_asset",  # filled in by the test (an asset of 黄浦区)
    "AssetModel": "global_model",  # the equipment catalogue: no unit owns it (filled in by the test)
}
# Who at the Big Data Center reads each type (the security administrator has no business with work orders).
MANAGER = {"WorkOrder": "operator", "SimCard": "operator", "SecureAccessAccount": "operator", "Alert": "operator",
           "Fault": "operator", "Asset": "operator", "AssetModel": "operator"}  # fmt: skip


async def foreign_card_id(services: Any) -> int:
    from domain.wireless import service
    from tests.wireless.conftest import APPLICATIONS, PLANS, Registry

    async with services.unit_of_work() as uow:
        await service.ensure_catalog(uow, PLANS, APPLICATIONS)
    return (await Registry(services).cards("D-HP", range(1, 2)))[0]


async def foreign_account_id(services: Any) -> int:
    from domain.catalog import repository as catalog
    from tests.secure_access.conftest import SYSTEMS, Registry

    async with services.unit_of_work() as uow:
        await catalog.ensure(uow, SYSTEMS)
    return (await Registry(services).accounts("D-HP", range(1, 2)))[0]


async def foreign_alert_id(services: Any, known: dict[str, int]) -> int:
    from domain.alerts import service as alerts
    from domain.alerts.enums import AlertKind, AlertSeverity

    async with services.unit_of_work() as uow:
        alert = await alerts.fire(uow, kind=AlertKind.BUSINESS, severity=AlertSeverity.MAJOR, source="test",
                                  fingerprint="hp:1", title="黄浦区的告警", unit_id=known["D-HP"])  # fmt: skip
    return alert.id


async def foreign_order_id(services: Any) -> int:
    import tests.workorders.flows  # noqa: F401  (declares test.single)
    from domain.workorders import engine, numbering
    from tests.workorders.helpers import actor

    number = await numbering.next_number(services.engine)
    who = await actor(services, "hp_user")
    async with services.unit_of_work() as uow:
        order = await engine.submit(uow, who, "test.single", {"quantity": 1, "reason": "x"}, number=number)
    return order.id


async def foreign_fault_id(services: Any) -> int:
    from sqlalchemy import select

    from domain.faults.models import Fault
    from domain.workorders import engine, numbering
    from tests.faults.conftest import report
    from tests.workorders.helpers import actor

    number = await numbering.next_number(services.engine)
    who = await actor(services, "hp_user")
    async with services.unit_of_work() as uow:
        order = await engine.submit(uow, who, "faults.rectify", report(iccid=None), number=number)
        return (await uow.session.execute(select(Fault.id).where(Fault.order_id == order.id))).scalar_one()


async def foreign_asset_id(services: Any) -> tuple[int, int]:
    """An asset of 黄浦区, and its model's id."""
    from domain.assets import service
    from domain.assets.enums import AssetType
    from tests.assets.conftest import Catalogue
    from tests.workorders.helpers import actor

    who = await actor(services, "operator")
    async with services.unit_of_work() as uow:
        model = await service.save_model(uow, who, service.ModelFields("华为", "NE40E", AssetType.ROUTER, 8))
    made = Catalogue(services, {"NE40E": model.id})
    return await made.asset("HW2020009999", unit="D-HP"), model.id


def test_every_node_type_has_a_scope_case():
    assert set(FOREIGN) == set(NODES), "a new node type needs a data-scope case here"


@pytest.mark.parametrize("type_name", sorted(NODES))
async def test_node_outside_the_scope_is_null(demo, gql, type_name):
    known = await ids(demo)
    case = FOREIGN[type_name]
    if case == "global":
        result = await gql(NODE_QUERY, {"id": to_global_id(type_name, 1)}, as_user="pd_admin")
        assert result["data"]["node"]["__typename"] == type_name
        return
    if case == "hp_order":
        pk = await foreign_order_id(demo)
    elif case == "hp_card":
        pk = await foreign_card_id(demo)
    elif case == "hp_account":
        pk = await foreign_account_id(demo)
    elif case == "hp_alert":
        pk = await foreign_alert_id(demo, known)
    elif case == "hp_fault":
        pk = await foreign_fault_id(demo)
    elif case == "hp_asset":
        pk = (await foreign_asset_id(demo))[0]
    elif case == "global_model":
        pk = (await foreign_asset_id(demo))[1]
        result = await gql(NODE_QUERY, {"id": to_global_id(type_name, pk)}, as_user="pd_admin")
        assert result["data"]["node"]["__typename"] == type_name  # every unit reads the catalogue
        return
    else:
        pk = await foreign_token_id(demo, gql) if case is None else case(known)
    for username in ("pd_admin", "pd_user"):
        result = await gql(NODE_QUERY, {"id": to_global_id(type_name, pk)}, as_user=username)
        assert result == {"data": {"node": None}, "extensions": {"cost": 2}}
    # ...while a management-unit user sees it (so the null above is the scope, not a missing row).
    seen = await gql(NODE_QUERY, {"id": to_global_id(type_name, pk)}, as_user=MANAGER.get(type_name, "secadmin"))
    assert seen["data"]["node"]["__typename"] == type_name


async def test_nested_fields_do_not_leak_the_management_unit(demo, gql):
    known = await ids(demo)
    query = """query($id: ID!) { node(id: $id) { ... on User { username orgUnit { code parent { code name } } } } }"""
    result = await gql(query, {"id": to_global_id("User", known["pd_user"])}, as_user="pd_admin")
    assert result["data"]["node"] == {"username": "pd_user", "orgUnit": {"code": "D-PD", "parent": None}}
    viewer = await gql("{ viewer { orgUnit { code parent { code } } } }", as_user="pd_user")
    assert viewer["data"]["viewer"]["orgUnit"] == {"code": "D-PD", "parent": None}


async def test_lists_hold_only_the_unit_records(demo, gql):
    users = await gql("{ users(first: 100) { totalCount edges { node { username orgUnit { code } } } } }", as_user="pd_admin")
    nodes = [e["node"] for e in users["data"]["users"]["edges"]]
    assert users["data"]["users"]["totalCount"] == 2
    assert sorted(n["username"] for n in nodes) == ["pd_admin", "pd_user"]
    assert {n["orgUnit"]["code"] for n in nodes} == {"D-PD"}
    units = await gql("{ orgUnits(first: 100) { totalCount edges { node { code } } } }", as_user="pd_user")
    assert units["data"]["orgUnits"] == {"totalCount": 1, "edges": [{"node": {"code": "D-PD"}}]}
    everything = await gql("{ orgUnits(first: 100) { totalCount } }", as_user="operator")
    assert everything["data"]["orgUnits"]["totalCount"] == 31


async def test_nodes_returns_null_for_each_record_outside_the_scope(demo, gql):
    known = await ids(demo)
    wanted = [
        to_global_id("User", known["pd_user"]),
        to_global_id("User", known["hp_user"]),
        "garbage",
        to_global_id("OrgUnit", known["D-PD"]),
    ]
    result = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }", {"ids": wanted}, as_user="pd_admin")
    assert result["data"]["nodes"] == [{"__typename": "User"}, None, None, {"__typename": "OrgUnit"}]


async def test_access_tokens_of_others_are_invisible_without_manage_tokens(demo, gql):
    known = await ids(demo)
    await gql.token("hp_admin")
    query = "query($u: ID) { accessTokens(filter: {userId: $u}) { totalCount } }"
    assert (await gql(query, {"u": to_global_id("User", known["hp_admin"])}, as_user="pd_admin"))["data"]["accessTokens"][
        "totalCount"
    ] == 0
    assert (await gql(query, {"u": to_global_id("User", known["hp_admin"])}, as_user="secadmin"))["data"]["accessTokens"][
        "totalCount"
    ] == 1
    own = await gql("{ accessTokens { edges { node { user { username } } } } }", as_user="pd_admin")
    assert own["data"]["accessTokens"]["edges"] == [{"node": {"user": {"username": "pd_admin"}}}]


async def test_node_needs_the_types_view_permission_too(demo, gql):
    """pd_user may see units but not users or roles: node() says null for those, even in its own unit."""
    known = await ids(demo)
    own_unit = await gql(NODE_QUERY, {"id": to_global_id("OrgUnit", known["D-PD"])}, as_user="pd_user")
    assert own_unit["data"]["node"]["__typename"] == "OrgUnit"
    for type_name, pk in (("User", known["pd_admin"]), ("Role", 1)):
        result = await gql(NODE_QUERY, {"id": to_global_id(type_name, pk)}, as_user="pd_user")
        assert result == {"data": {"node": None}, "extensions": {"cost": 2}}
    me = await gql(NODE_QUERY, {"id": to_global_id("User", known["pd_user"])}, as_user="pd_user")
    assert me["data"]["node"]["__typename"] == "User"  # but their own account, always
    login = await gql.login("pd_user")
    assert login["user"] == {"username": "pd_user"}
