"""Built-in roles: the three separated administrators and the everyday roles of both unit kinds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.identity import repository as repo
from domain.identity.catalog import roles_changed
from domain.identity.enums import AdminDuty, RoleUnitKind
from domain.identity.models import Role


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: str
    description: str
    unit_kind: RoleUnitKind
    permissions: tuple[str, ...]
    duty: AdminDuty | None = None


_VIEW = ("identity.view_org_units", "identity.view_users", "identity.view_roles")
_ORDERS = (
    "workorders.view_work_orders", "workorders.submit", "wireless.view_cards", "secure_access.view_accounts",
    "alerts.view_alerts", "faults.view_faults", "assets.view_assets", "metrics.view_metrics",
)  # fmt: skip

BUILTIN_ROLES = [
    BuiltinRole(
        "system_admin", "系统管理员", "Manages units and user accounts (三员之一).",
        RoleUnitKind.MANAGEMENT, (*_VIEW, "identity.manage_org_units", "identity.manage_users"), AdminDuty.SYSTEM,
    ),
    BuiltinRole(
        "security_admin", "安全管理员", "Manages roles, grants and login sessions (三员之一).",
        RoleUnitKind.MANAGEMENT, (*_VIEW, "identity.manage_roles", "identity.assign_roles", "identity.manage_tokens",
                                    "identity.manage_api_clients", "audit.view_security_events"),
        AdminDuty.SECURITY,
    ),
    BuiltinRole(
        "audit_admin", "审计管理员", "Reads the operation log (三员之一).",
        RoleUnitKind.MANAGEMENT, (*_VIEW, "audit.view_audit_events"), AdminDuty.AUDIT,
    ),
    BuiltinRole(
        "management_operator", "管理单位业务员", "Big Data Center staff who review and run services.",
        RoleUnitKind.MANAGEMENT, (*_VIEW, *_ORDERS, "workorders.manage", "integration.view_interface_log", "wireless.manage_cards",
                                                    "secure_access.manage_accounts", "alerts.manage_alerts", "assets.manage_assets"),
    ),
    BuiltinRole(
        "platform_service", "外部平台服务账号", "The service account of an external platform's API client: confirms dispatches.",
        RoleUnitKind.MANAGEMENT, ("workorders.confirm_dispatch", "wireless.push_alerts"),
    ),
    BuiltinRole(
        "unit_admin", "接入单位管理员", "An access unit's administrator and leader: sees the unit's users, approves its orders.",
        RoleUnitKind.ACCESS_UNIT, (*_VIEW, *_ORDERS),
    ),
    BuiltinRole(
        "unit_applicant", "接入单位申请人", "An access unit's applicant for services.",
        RoleUnitKind.ACCESS_UNIT, ("identity.view_org_units", *_ORDERS),
    ),
]  # fmt: skip


async def ensure_builtin_roles(uow: UnitOfWork) -> dict[str, Role]:
    """Create missing built-in roles (idempotent); existing ones keep the permissions people tuned."""
    existing = {r.code: r for r in (await uow.session.execute(select(Role))).scalars()}
    now = utcnow()
    for spec in BUILTIN_ROLES:
        if spec.code in existing:
            continue
        roles_changed(uow)
        role = Role(
            code=spec.code, name=spec.name, description=spec.description, unit_kind=spec.unit_kind,
            duty=spec.duty, built_in=True, created_at=now, updated_at=now,
        )  # fmt: skip
        uow.session.add(role)
        await uow.session.flush()
        await repo.set_role_permissions(uow.session, role.id, spec.permissions)
        existing[spec.code] = role
    return existing
