"""Access-control records carry HMAC-SM3: a forged grant fails closed, raises the alarm, and is listed."""

from __future__ import annotations

import subprocess
from typing import Any

from sqlalchemy import select, text

from core.audit import AuditEvent
from tests.conftest import govops_on
from tests.resolvers.identity.test_data_scope import ids


async def alarm_about(services: Any, text_part: str) -> bool:
    """Wait (briefly) for the security event a refused request writes in the background."""
    import asyncio

    for _ in range(100):
        async with services.session_factory() as s:
            alarms = (await s.execute(select(AuditEvent).where(AuditEvent.operation == "security.integrity_violation"))).scalars()
            if any(text_part in str(a.detail) for a in alarms):
                return True
        await asyncio.sleep(0.02)
    return False


def integrity_cli(backend: Any) -> subprocess.CompletedProcess[str]:
    return govops_on(backend, "integrity", "verify")


async def role_id(services: Any, code: str) -> int:
    async with services.session_factory() as s:
        return (await s.execute(text("SELECT id FROM role WHERE code = :c"), {"c": code})).scalar_one()


async def test_records_written_by_the_application_verify(demo, backend):
    result = integrity_cli(backend)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "access-control records and interface log intact"


async def test_a_flipped_role_binding_fails_closed_and_raises_the_alarm(demo, gql, backend):
    known = await ids(demo)
    token = await gql.token("operator")
    assert (await gql("{ viewer { username } }", token=token))["data"]["viewer"]["username"] == "operator"
    admin_role = await role_id(demo, "system_admin")
    async with demo.session_factory() as s, s.begin():  # someone with database access promotes the operator
        await s.execute(text("UPDATE user_role SET role_id = :r WHERE user_id = :u"), {"r": admin_role, "u": known["operator"]})
    refused = await gql("{ viewer { username permissions } }", token=token)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for _ in range(50):  # the alarm is written beside the refused request
        async with demo.session_factory() as s:
            alarm = (await s.execute(select(AuditEvent).where(AuditEvent.operation == "security.integrity_violation"))).scalar()
        if alarm is not None:
            break
        import asyncio

        await asyncio.sleep(0.02)
    assert alarm is not None and alarm.actor_username == "operator"
    assert alarm.detail == {"detail": f"role grant user={known['operator']} role={admin_role} fails its MAC"}
    listed = integrity_cli(backend)
    assert listed.returncode == 1
    assert f"role grant user={known['operator']} role={admin_role}: MAC does not verify" in listed.stdout


async def test_a_forged_permission_grants_nothing(demo, gql, backend):
    operator_role = await role_id(demo, "management_operator")
    async with demo.session_factory() as s, s.begin():
        await s.execute(text("INSERT INTO role_permission (role_id, permission, mac) VALUES (:r, 'identity.manage_users', NULL)"),
                        {"r": operator_role})  # fmt: skip
    from domain.identity.catalog import ROLES

    ROLES.invalidate()  # as after the catalogue's refresh interval
    viewer = await gql("{ viewer { permissions } }", as_user="operator")
    assert "identity.manage_users" not in viewer["data"]["viewer"]["permissions"]
    listed = integrity_cli(backend)
    assert listed.returncode == 1
    assert f"role permission role={operator_role} permission=identity.manage_users: MAC does not verify" in listed.stdout


async def test_a_user_moved_in_the_database_fails_closed_and_is_listed(demo, gql, backend):
    known = await ids(demo)
    token = await gql.token("pd_user")
    assert (await gql("{ viewer { username } }", token=token))["data"]["viewer"]["username"] == "pd_user"
    async with demo.session_factory() as s, s.begin():  # into the management unit: it would see every unit's records
        bdc = (await s.execute(text("SELECT id FROM org_unit WHERE code = 'SHBDC'"))).scalar_one()
        await s.execute(text("UPDATE user_account SET org_unit_id = :u WHERE id = :i"), {"u": bdc, "i": known["pd_user"]})
    refused = await gql("{ viewer { username } }", token=token)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await alarm_about(demo, f"data scope of user={known['pd_user']}")  # written beside the refused request
    listed = integrity_cli(backend)
    assert listed.returncode == 1 and f"data scope of user {known['pd_user']}: MAC does not verify" in listed.stdout


async def test_a_rewritten_unit_path_is_listed_and_legitimate_moves_keep_verifying(demo, gql, backend):
    units = await gql("{ orgUnits(first: 3, filter: {kind: ACCESS_UNIT}) { edges { node { id code } } } }", as_user="admin")
    first, second = (e["node"] for e in units["data"]["orgUnits"]["edges"][:2])
    moved = await gql("mutation($i: OrgUnitUpdateInput!) { orgUnitUpdate(input: $i) { errors { code } } }",
                      {"i": {"id": second["id"], "parentId": first["id"]}}, as_user="admin")  # fmt: skip
    assert moved["data"]["orgUnitUpdate"]["errors"] == []
    assert integrity_cli(backend).returncode == 0  # the move re-sealed every path it rewrote
    async with demo.session_factory() as s, s.begin():
        await s.execute(text("UPDATE org_unit SET path = '/' WHERE code = :c"), {"c": first["code"]})
    listed = integrity_cli(backend)
    assert listed.returncode == 1 and "data scope of org unit" in listed.stdout


async def test_a_password_hash_written_into_the_database_opens_nothing(demo, gql, backend):
    from core.crypto import hash_password

    known = await ids(demo)
    async with demo.session_factory() as s, s.begin():  # someone with database access sets a password they know
        await s.execute(text("UPDATE user_account SET password_hash = :h WHERE id = :i"),
                        {"h": hash_password("Known@Passw0rd1", 1000), "i": known["operator"]})  # fmt: skip
    refused = await gql.login("operator", "Known@Passw0rd1")
    assert refused["token"] is None and refused["errors"][0]["code"] == "INVALID_CREDENTIALS"
    async with demo.session_factory() as s:
        alarm = (await s.execute(select(AuditEvent).where(AuditEvent.operation == "security.integrity_violation"))).scalar()
    assert alarm is not None and alarm.detail == {"detail": f"password of user={known['operator']} fails its MAC"}
    listed = integrity_cli(backend)
    assert listed.returncode == 1 and f"data scope of password of user {known['operator']}" not in listed.stdout
    assert f"password of user {known['operator']}: MAC does not verify" in listed.stdout
