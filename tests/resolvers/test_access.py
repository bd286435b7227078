"""Access rules across the whole contract: login required, permission matrix, data scope."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from core.ids import to_global_id
from core.settings import Profile, Settings
from domain.identity.builtin import BUILTIN_ROLES
from domain.identity.demo import demo_users
from schema.root import Mutation, Query, build_schema

SCHEMA = build_schema(Settings(profile=Profile.DEMO))._schema
PUBLIC = {("Mutation", n) for n in ("login", "loginChallenge", "expiredPasswordChange", "ssoBegin", "ssoComplete")}


def dummy(gtype: Any) -> Any:
    """A well-typed value for any input type, so that a call reaches the field's guard."""
    if isinstance(gtype, GraphQLNonNull):
        return dummy(gtype.of_type)
    if isinstance(gtype, GraphQLList):
        return [dummy(gtype.of_type)]
    if isinstance(gtype, GraphQLEnumType):
        return next(iter(gtype.values))
    if isinstance(gtype, GraphQLInputObjectType):
        return {name: dummy(f.type) for name, f in gtype.fields.items() if isinstance(f.type, GraphQLNonNull)}
    assert isinstance(gtype, GraphQLScalarType)
    known = {"ID": to_global_id("User", 999_999), "Int": 1, "Boolean": True, "Float": 1.0, "DateTime": "2026-01-01T00:00:00Z"}
    return known.get(gtype.name, {} if gtype.name == "JSON" else "x1")


def operation(root: str, name: str) -> tuple[str, dict[str, Any]]:
    field = SCHEMA.get_type(root).fields[name]  # type: ignore[union-attr]
    decl = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
    call = ", ".join(f"{a}: ${a}" for a in field.args)
    returns = get_named_type(field.type)
    body = "" if isinstance(returns, (GraphQLScalarType, GraphQLEnumType)) else " { __typename }"
    keyword = "query" if root == "Query" else "mutation"
    doc = f"{keyword}{f'({decl})' if decl else ''} {{ {name}{f'({call})' if call else ''}{body} }}"
    return doc, {a: dummy(arg.type) for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)}


def guarded_fields() -> list[tuple[str, str, str | None]]:
    """Every root field with the permission its guard demands (None: any logged-in user)."""
    out = []
    for root, cls in (("Query", Query), ("Mutation", Mutation)):
        for f in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            gql_name = SCHEMA.get_type(root).fields  # type: ignore[union-attr]
            name = next(n for n in gql_name if n.lower() == f.python_name.replace("_", "").lower())
            if (root, name) in PUBLIC:
                continue
            codes = [getattr(p, "code", None) for p in f.permission_classes]
            assert f.permission_classes, f"{root}.{name} has no guard"
            out.append((root, name, next((c for c in codes if c), None)))
    return out


FIELDS = guarded_fields()
ROLE_PERMISSIONS = {r.code: set(r.permissions) for r in BUILTIN_ROLES}
# One demo user per built-in role (pd_* are 浦东新区's, an access unit).
PEOPLE = {"admin": "system_admin", "secadmin": "security_admin", "auditor": "audit_admin",
          "operator": "management_operator", "pd_admin": "unit_admin", "pd_user": "unit_applicant",
          "platform_svc": "platform_service"}  # fmt: skip


def codes(result: dict[str, Any]) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in result.get("errors") or []}


def test_every_root_field_but_login_is_guarded_and_the_people_cover_every_role():
    assert {n for _, n, _ in FIELDS} >= {"node", "nodes", "viewer", "users", "orgUnitCreate", "logout"}
    assert set(PEOPLE.values()) == set(ROLE_PERMISSIONS)
    assert {u.username for u in demo_users()} >= set(PEOPLE)


@pytest.mark.parametrize(("root", "name", "permission"), FIELDS, ids=[f"{r}.{n}" for r, n, _ in FIELDS])
async def test_without_a_token_every_field_is_unauthenticated(services, gql, root, name, permission):
    doc, variables = operation(root, name)
    result = await gql(doc, variables)
    assert codes(result) == {"UNAUTHENTICATED"}, result
    assert result["errors"][0]["message"] == "未登录或登录已过期 / Authentication required"


async def test_a_bad_or_revoked_token_is_unauthenticated(demo, gql):
    assert codes(await gql("{ viewer { username } }", token="not-a-token")) == {"UNAUTHENTICATED"}


@pytest.mark.parametrize(("root", "name", "permission"), FIELDS, ids=[f"{r}.{n}" for r, n, _ in FIELDS])
async def test_permission_matrix(demo, gql, root, name, permission):
    doc, variables = operation(root, name)
    for username, role in PEOPLE.items():
        gql.tokens.pop(username, None)  # logout in the matrix must not spoil the next call
        result = await gql(doc, variables, as_user=username)
        allowed = permission is None or permission in ROLE_PERMISSIONS[role]
        if allowed:
            assert not codes(result) & {"FORBIDDEN", "UNAUTHENTICATED", "INTERNAL_SERVER_ERROR"}, (username, result)
        else:
            assert codes(result) == {"FORBIDDEN"}, (username, result)
            assert result["errors"][0]["message"] == f"权限不足 / Permission denied: {permission}"
