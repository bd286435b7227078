"""Managing units, users and roles: happy paths, refusals that change nothing, audit records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.audit import AuditEvent
from core.ids import to_global_id
from domain.identity.models import OrgUnit, User
from tests.resolvers.identity.test_data_scope import ids

UNIT_CREATE = """mutation($i: OrgUnitCreateInput!) { orgUnitCreate(input: $i) {
  orgUnit { id code name kind status parent { code } } errors { code field message } } }"""
USER_CREATE = """mutation($i: UserCreateInput!) { userCreate(input: $i) {
  user { username displayName orgUnit { code } roles { code } } errors { code field message } } }"""
ROLES_SET = (
    """mutation($i: UserRolesSetInput!) { userRolesSet(input: $i) { user { roles { code } } errors { code field message } } }"""
)


async def count(services: Any, model: Any) -> int:
    async with services.session_factory() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def audit_ops(services: Any) -> list[str]:
    async with services.session_factory() as s:
        return list((await s.execute(select(AuditEvent.operation).order_by(AuditEvent.id))).scalars())


async def test_create_an_access_unit(demo, gql):
    known = await ids(demo)
    result = await gql(UNIT_CREATE, {"i": {"code": "B-TJ", "name": "市统计局", "kind": "ACCESS_UNIT",
                                           "parentId": to_global_id("OrgUnit", known["SHBDC"]), "contactPhone": "021-63211234"}},
                       as_user="admin")  # fmt: skip
    payload = result["data"]["orgUnitCreate"]
    assert payload["errors"] == []
    assert payload["orgUnit"]["code"] == "B-TJ"
    assert payload["orgUnit"]["parent"] == {"code": "SHBDC"}
    assert (await audit_ops(demo))[-1] == "identity.org_unit_create"


async def test_bad_unit_input_reports_every_field_and_changes_nothing(demo, gql):
    before = await count(demo, OrgUnit)
    result = await gql(
        UNIT_CREATE, {"i": {"code": "d-pd!", "name": "x", "kind": "ACCESS_UNIT", "contactEmail": "nope"}}, as_user="admin"
    )
    errors = result["data"]["orgUnitCreate"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_INPUT", "code"), ("INVALID_INPUT", "name"), ("INVALID_INPUT", "contactEmail"), ("INVALID_PARENT", "parentId"),
    ]  # fmt: skip
    assert errors[1]["message"] == "单位名称长度应为2–128个字符 / Unit name must be 2-128 characters"
    assert result["data"]["orgUnitCreate"]["orgUnit"] is None
    assert await count(demo, OrgUnit) == before
    duplicate = await gql(UNIT_CREATE, {"i": {"code": "D-PD", "name": "浦东", "kind": "MANAGEMENT"}}, as_user="admin")
    assert duplicate["data"]["orgUnitCreate"]["errors"][0]["code"] == "DUPLICATE_CODE"


async def test_a_unit_cannot_move_under_its_own_subtree(demo, gql):
    known = await ids(demo)
    move = "mutation($i: OrgUnitUpdateInput!) { orgUnitUpdate(input: $i) { orgUnit { code } errors { code field } } }"
    result = await gql(
        move,
        {"i": {"id": to_global_id("OrgUnit", known["SHBDC"]), "parentId": to_global_id("OrgUnit", known["D-PD"])}},
        as_user="admin",
    )
    assert result["data"]["orgUnitUpdate"]["errors"] == [{"code": "INVALID_PARENT", "field": "parentId"}]


async def test_moving_a_unit_moves_its_subtree(demo, gql):
    known = await ids(demo)
    create = await gql(UNIT_CREATE, {"i": {"code": "D-PD-ZJ", "name": "张江科学城", "kind": "ACCESS_UNIT",
                                           "parentId": to_global_id("OrgUnit", known["D-PD"])}}, as_user="admin")  # fmt: skip
    child = create["data"]["orgUnitCreate"]["orgUnit"]["id"]
    move = "mutation($i: OrgUnitUpdateInput!) { orgUnitUpdate(input: $i) { orgUnit { code parent { code } } errors { code } } }"
    moved = await gql(
        move,
        {"i": {"id": to_global_id("OrgUnit", known["D-PD"]), "parentId": to_global_id("OrgUnit", known["D-XH"])}},
        as_user="admin",
    )
    assert moved["data"]["orgUnitUpdate"]["orgUnit"] == {"code": "D-PD", "parent": {"code": "D-XH"}}
    async with demo.session_factory() as s:
        path = (await s.execute(select(OrgUnit.path).where(OrgUnit.code == "D-PD-ZJ"))).scalar_one()
    assert path == f"/{known['SHBDC']}/{known['D-XH']}/{known['D-PD']}/{path.rstrip('/').split('/')[-1]}/"
    # 徐汇's administrator now sees 浦东 and its child as part of 徐汇's subtree.
    seen = await gql(
        "query($id: ID!) { node(id: $id) { ... on OrgUnit { code parent { code } } } }", {"id": child}, as_user="xh_admin"
    )
    assert seen["data"]["node"] == {"code": "D-PD-ZJ", "parent": {"code": "D-PD"}}


async def test_create_a_user_and_grant_a_role(demo, gql):
    known = await ids(demo)
    created = await gql(USER_CREATE, {"i": {"username": "zhang.wei", "displayName": "张伟", "orgUnitId": to_global_id("OrgUnit", known["D-PD"]),
                                             "password": "Pudong#2026x", "phone": "13912345678"}}, as_user="admin")  # fmt: skip
    assert created["data"]["userCreate"]["errors"] == []
    assert created["data"]["userCreate"]["user"] == {
        "username": "zhang.wei",
        "displayName": "张伟",
        "orgUnit": {"code": "D-PD"},
        "roles": [],
    }
    roles = await gql("{ roles(first: 100) { edges { node { id code } } } }", as_user="secadmin")
    role_id = {e["node"]["code"]: e["node"]["id"] for e in roles["data"]["roles"]["edges"]}
    known = await ids(demo)
    granted = await gql(
        ROLES_SET,
        {"i": {"userId": to_global_id("User", known["zhang.wei"]), "roleIds": [role_id["unit_applicant"]]}},
        as_user="secadmin",
    )
    assert granted["data"]["userRolesSet"] == {"user": {"roles": [{"code": "unit_applicant"}]}, "errors": []}
    login = await gql.login("zhang.wei", "Pudong#2026x")
    assert login["errors"] == []


async def test_user_create_refusals(demo, gql):
    known = await ids(demo)
    before = await count(demo, User)
    base = {"displayName": "李四", "orgUnitId": to_global_id("OrgUnit", known["D-PD"])}
    weak = await gql(USER_CREATE, {"i": {**base, "username": "lisi", "password": "password"}}, as_user="admin")
    assert weak["data"]["userCreate"]["errors"][0]["code"] == "WEAK_PASSWORD"
    taken = await gql(USER_CREATE, {"i": {**base, "username": "PD_Admin", "password": "Strong#Pass2026"}}, as_user="admin")
    assert taken["data"]["userCreate"]["errors"] == [
        {"code": "DUPLICATE_USERNAME", "field": "username", "message": "用户名 PD_Admin 已存在 / Username already exists"}
    ]
    assert await count(demo, User) == before


async def test_no_one_holds_two_administrator_duties(demo, gql):
    known = await ids(demo)
    roles = await gql("{ roles(first: 100) { edges { node { id code } } } }", as_user="secadmin")
    role_id = {e["node"]["code"]: e["node"]["id"] for e in roles["data"]["roles"]["edges"]}
    result = await gql(ROLES_SET, {"i": {"userId": to_global_id("User", known["operator"]),
                                         "roleIds": [role_id["system_admin"], role_id["audit_admin"]]}}, as_user="secadmin")  # fmt: skip
    assert result["data"]["userRolesSet"]["errors"][0]["code"] == "DUTY_CONFLICT"
    mismatch = await gql(
        ROLES_SET,
        {"i": {"userId": to_global_id("User", known["pd_user"]), "roleIds": [role_id["system_admin"]]}},
        as_user="secadmin",
    )
    assert mismatch["data"]["userRolesSet"]["errors"][0]["code"] == "ROLE_UNIT_KIND_MISMATCH"
    operator = await gql(
        "query($id: ID!) { node(id: $id) { ... on User { roles { code } } } }",
        {"id": to_global_id("User", known["operator"])},
        as_user="secadmin",
    )
    assert operator["data"]["node"]["roles"] == [{"code": "management_operator"}]


async def test_disabling_a_user_ends_their_logins(demo, gql):
    known = await ids(demo)
    token = await gql.token("pd_user")
    disable = "mutation($i: UserSetStatusInput!) { userSetStatus(input: $i) { user { status } errors { code } } }"
    result = await gql(disable, {"i": {"id": to_global_id("User", known["pd_user"]), "status": "DISABLED"}}, as_user="admin")
    assert result["data"]["userSetStatus"] == {"user": {"status": "DISABLED"}, "errors": []}
    after = await gql("{ viewer { username } }", token=token)
    assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await gql.login("pd_user"))["errors"][0]["code"] == "ACCOUNT_DISABLED"
    again = await gql(disable, {"i": {"id": to_global_id("User", known["pd_user"]), "status": "DISABLED"}}, as_user="admin")
    assert again["data"]["userSetStatus"]["errors"] == [{"code": "INVALID_TRANSITION"}]


async def test_custom_role_lifecycle(demo, gql):
    create = """mutation($i: RoleCreateInput!) { roleCreate(input: $i) { role { id code permissions { code } } errors { code field } } }"""
    bad = await gql(
        create,
        {"i": {"code": "viewer_plus", "name": "查看员", "unitKind": "ANY", "permissions": ["identity.view_users", "nope.x"]}},
        as_user="secadmin",
    )
    assert bad["data"]["roleCreate"]["errors"] == [{"code": "UNKNOWN_PERMISSION", "field": "permissions.1"}]
    ok = await gql(
        create,
        {"i": {"code": "viewer_plus", "name": "查看员", "unitKind": "ANY", "permissions": ["identity.view_users"]}},
        as_user="secadmin",
    )
    role = ok["data"]["roleCreate"]["role"]
    assert role["permissions"] == [{"code": "identity.view_users"}]
    delete = "mutation($id: ID!) { roleDelete(id: $id) { deletedId errors { code } } }"
    assert (await gql(delete, {"id": role["id"]}, as_user="secadmin"))["data"]["roleDelete"] == {
        "deletedId": role["id"],
        "errors": [],
    }
    builtin = await gql("{ roles(first: 1) { edges { node { id } } } }", as_user="secadmin")
    refused = await gql(delete, {"id": builtin["data"]["roles"]["edges"][0]["node"]["id"]}, as_user="secadmin")
    assert refused["data"]["roleDelete"] == {"deletedId": None, "errors": [{"code": "ROLE_BUILT_IN"}]}


async def test_revoking_another_users_token_needs_manage_tokens(demo, gql):
    await gql.token("pd_user")
    tokens = await gql("{ accessTokens(first: 100) { edges { node { id user { username } } } } }", as_user="secadmin")
    pd_token = next(
        e["node"]["id"] for e in tokens["data"]["accessTokens"]["edges"] if e["node"]["user"]["username"] == "pd_user"
    )
    revoke = "mutation($id: ID!) { accessTokenRevoke(id: $id) { accessToken { revokedAt } errors { code } } }"
    denied = await gql(revoke, {"id": pd_token}, as_user="pd_admin")
    assert denied["data"]["accessTokenRevoke"]["errors"] == [{"code": "NOT_FOUND"}]
    done = await gql(revoke, {"id": pd_token}, as_user="secadmin")
    assert done["data"]["accessTokenRevoke"]["errors"] == []
    assert done["data"]["accessTokenRevoke"]["accessToken"]["revokedAt"] is not None


async def test_change_own_password(demo, gql):
    change = "mutation($i: PasswordChangeInput!) { viewerPasswordChange(input: $i) { errors { code field } } }"
    wrong = await gql(change, {"i": {"oldPassword": "nope", "newPassword": "Another#Pass2026"}}, as_user="operator")
    assert wrong["data"]["viewerPasswordChange"]["errors"] == [{"code": "WRONG_PASSWORD", "field": "oldPassword"}]
    from tests.conftest import DEMO_PASSWORD

    ok = await gql(change, {"i": {"oldPassword": DEMO_PASSWORD, "newPassword": "Another#Pass2026"}}, as_user="operator")
    assert ok["data"]["viewerPasswordChange"]["errors"] == []
    assert (await gql("{ viewer { username } }", as_user="operator"))["data"]["viewer"]["username"] == "operator"
    assert (await gql.login("operator", "Another#Pass2026"))["errors"] == []


async def test_a_renamed_role_shows_at_once_in_users_lists(demo, gql):
    query = "{ users(first: 1) { edges { node { username roles { name permissions { code } } } } } }"
    before = await gql(query, as_user="admin")
    assert before["data"]["users"]["edges"][0]["node"]["roles"][0]["name"] == "系统管理员"
    ids_ = await role_ids(gql)
    update = "mutation($i: RoleUpdateInput!) { roleUpdate(input: $i) { errors { code } } }"
    changed = await gql(update, {"i": {"id": ids_["system_admin"], "name": "系统管理员（主）"}}, as_user="secadmin")
    assert changed["data"]["roleUpdate"]["errors"] == []
    after = await gql(query, as_user="secadmin")
    role = after["data"]["users"]["edges"][0]["node"]["roles"][0]
    assert role["name"] == "系统管理员（主）"
    assert {p["code"] for p in role["permissions"]} >= {"identity.manage_users", "identity.manage_org_units"}


ROLE_UPDATE = "mutation($i: RoleUpdateInput!) { roleUpdate(input: $i) { errors { code field } } }"
RESET = "mutation($i: UserResetPasswordInput!) { userResetPassword(input: $i) { errors { code } } }"


async def role_ids(gql: Any) -> dict[str, str]:
    roles = await gql("{ roles(first: 100) { edges { node { id code } } } }", as_user="secadmin")
    return {e["node"]["code"]: e["node"]["id"] for e in roles["data"]["roles"]["edges"]}


async def test_the_administrator_roles_permissions_are_fixed(demo, gql):
    ids_ = await role_ids(gql)
    widen = {"i": {"id": ids_["security_admin"], "permissions": ["identity.manage_roles", "identity.manage_users"]}}
    result = await gql(ROLE_UPDATE, widen, as_user="secadmin")
    assert result["data"]["roleUpdate"]["errors"] == [
        {"code": "DUTY_CONFLICT", "field": "permissions"},
        {"code": "ROLE_BUILT_IN", "field": "permissions"},
    ]
    viewer = await gql("{ viewer { permissions } }", as_user="secadmin")
    assert "identity.manage_users" not in viewer["data"]["viewer"]["permissions"]


async def test_duties_are_judged_by_permissions_not_labels(demo, gql):
    create = "mutation($i: RoleCreateInput!) { roleCreate(input: $i) { role { id } errors { code field } } }"
    both = await gql(create, {"i": {"code": "super_role", "name": "超级", "unitKind": "MANAGEMENT",
                                    "permissions": ["identity.manage_users", "identity.assign_roles"]}}, as_user="secadmin")  # fmt: skip
    assert both["data"]["roleCreate"]["errors"] == [{"code": "DUTY_CONFLICT", "field": "permissions"}]
    users_only = await gql(create, {"i": {"code": "user_keeper", "name": "账号维护", "unitKind": "MANAGEMENT",
                                          "permissions": ["identity.manage_users"]}}, as_user="secadmin")  # fmt: skip
    keeper = users_only["data"]["roleCreate"]["role"]["id"]
    known = await ids(demo)
    ids_ = await role_ids(gql)
    # The audit administrator may not also get user management through an unlabelled custom role...
    grant = await gql(ROLES_SET, {"i": {"userId": to_global_id("User", known["auditor"]), "roleIds": [ids_["audit_admin"], keeper]}},
                      as_user="secadmin")  # fmt: skip
    assert grant["data"]["userRolesSet"]["errors"][0]["code"] == "DUTY_CONFLICT"
    # ...and a role an operator holds may not grow into a second duty later.
    ok = await gql(ROLES_SET, {"i": {"userId": to_global_id("User", known["operator"]), "roleIds": [keeper, ids_["management_operator"]]}},
                   as_user="secadmin")  # fmt: skip
    assert ok["data"]["userRolesSet"]["errors"] == []
    assert (await gql(ROLE_UPDATE, {"i": {"id": keeper, "permissions": ["identity.manage_users"]}}, as_user="secadmin"))["data"][
        "roleUpdate"
    ]["errors"] == []


async def test_administrator_accounts_cannot_be_taken_over(demo, gql):
    known = await ids(demo)
    taken = await gql(
        RESET, {"i": {"id": to_global_id("User", known["secadmin"]), "newPassword": "Takeover#2026xx"}}, as_user="admin"
    )
    assert taken["data"]["userResetPassword"]["errors"] == [{"code": "ADMIN_PROTECTED"}]
    own = await gql(RESET, {"i": {"id": to_global_id("User", known["admin"]), "newPassword": "Takeover#2026xx"}}, as_user="admin")
    assert own["data"]["userResetPassword"]["errors"] == [{"code": "SELF_LOCKOUT"}]
    assert (await gql.login("secadmin"))["errors"] == []
    normal = await gql(
        RESET, {"i": {"id": to_global_id("User", known["pd_user"]), "newPassword": "Reset#Pudong2026"}}, as_user="admin"
    )
    assert normal["data"]["userResetPassword"]["errors"] == []


async def test_a_management_unit_cannot_hide_under_an_access_unit(demo, gql):
    known = await ids(demo)
    result = await gql(UNIT_CREATE, {"i": {"code": "PD-MGMT", "name": "浦东管理处", "kind": "MANAGEMENT",
                                           "parentId": to_global_id("OrgUnit", known["D-PD"])}}, as_user="admin")  # fmt: skip
    assert result["data"]["orgUnitCreate"]["errors"] == [
        {
            "code": "INVALID_PARENT",
            "field": "parentId",
            "message": "管理单位不能设在接入单位之下 / A management unit cannot sit under an access unit",
        }
    ]


async def test_disabling_a_unit_ends_its_users_logins(demo, gql):
    known = await ids(demo)
    token = await gql.token("pd_user")
    disable = "mutation($i: OrgUnitSetStatusInput!) { orgUnitSetStatus(input: $i) { errors { code } } }"
    result = await gql(disable, {"i": {"id": to_global_id("OrgUnit", known["D-PD"]), "status": "DISABLED"}}, as_user="admin")
    assert result["data"]["orgUnitSetStatus"]["errors"] == []
    async with demo.session_factory() as s:
        from domain.identity.models import AccessToken

        revoked = (await s.execute(select(AccessToken.revoked_at).where(AccessToken.user_id == known["pd_user"]))).scalar_one()
    assert revoked is not None
    assert (await gql("{ viewer { username } }", token=token))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
