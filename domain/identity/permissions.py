"""The permission catalogue: codes are "<area>.<verb>_<things>"; roles (data) grant them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    code: str
    name: str  # Chinese name shown in role management
    description: str


_ALL = [
    Permission("identity.view_org_units", "查看单位", "See organisation units (an access-unit user sees its own)."),
    Permission("identity.manage_org_units", "管理单位", "Create, edit, disable and enable organisation units."),
    Permission("identity.view_users", "查看用户", "See user accounts (an access-unit user sees its unit's)."),
    Permission("identity.manage_users", "管理用户", "Create and edit users, disable, unlock, reset passwords."),
    Permission("identity.view_roles", "查看角色", "See roles and the permissions they grant."),
    Permission("identity.manage_roles", "管理角色", "Create, edit and delete roles and their permissions."),
    Permission("identity.assign_roles", "分配角色", "Grant roles to users and take them away."),
    Permission("identity.manage_tokens", "管理登录会话", "See and revoke any user's login tokens."),
    Permission(
        "identity.manage_api_clients",
        "管理接口客户端",
        "Register third-party platforms' API clients, their allow-listed operations and secrets.",
    ),
    Permission("workorders.view_work_orders", "查看工单", "See work orders in your data scope, their timelines and statistics."),
    Permission("workorders.submit", "提交工单", "Apply for services: submit, resubmit and withdraw your own work orders."),
    Permission(
        "workorders.manage", "管理工单", "Reassign open tasks and retry failed platform dispatches, for every unit's orders."
    ),
    Permission(
        "workorders.confirm_dispatch", "平台回执", "For external platforms' API clients: confirm or fail a dispatched work order."
    ),
    Permission(
        "integration.view_interface_log", "查看接口日志", "Read the interface log: every call to and from external platforms."
    ),
    Permission(
        "wireless.view_cards", "查看专网卡", "See SIM cards, plans, applications and terminal accounts in your data scope."
    ),
    Permission(
        "wireless.manage_cards",
        "管理专网卡",
        "Edit terminal accounts and card details, and keep the plan and application catalogues.",
    ),
    Permission(
        "wireless.push_alerts",
        "推送终端告警",
        "For the wireless support platform's API client: push terminal abnormal-behaviour alerts.",
    ),
    Permission(
        "secure_access.view_accounts",
        "查看安全接入账号",
        "See internet secure access accounts, their MACs, systems and history in your data scope.",
    ),
    Permission(
        "secure_access.manage_accounts",
        "管理安全接入账号",
        "Correct secure access accounts' basic information (holder, validity, MAC limit).",
    ),
    Permission("alerts.view_alerts", "查看告警", "See alerts of every source in your data scope, their history and statistics."),
    Permission(
        "metrics.view_metrics",
        "查看资源监控",
        "See the resource monitoring panels of your data scope (UPF traffic, access zone).",
    ),
    Permission(
        "assets.view_assets", "查看资产", "See assets in your data scope, their lifecycle, faults and statistics; export them."
    ),
    Permission(
        "assets.manage_assets",
        "管理资产",
        "Register, edit, import and retire assets; record upgrades and inspections; keep the equipment catalogue.",
    ),
    Permission(
        "faults.view_faults", "查看故障", "See fault reports in your data scope, their times and statistics; export them."
    ),
    Permission("alerts.manage_alerts", "处置告警", "Acknowledge, assign, comment on and resolve alerts in your data scope."),
    Permission("audit.view_audit_events", "查看操作日志", "Read and export the operation log."),
    Permission(
        "audit.view_security_events", "查看安全事件", "Read and export security events: alarms, refused logins and calls."
    ),
]

PERMISSIONS: dict[str, Permission] = {p.code: p for p in _ALL}


def is_known(code: str) -> bool:
    return code in PERMISSIONS


# 三员分立: the permissions that make up each administrator duty. A role may carry permissions of at
# most one duty, and a person may hold roles that together touch at most one.
DUTY_PERMISSIONS: dict[str, frozenset[str]] = {
    "SYSTEM": frozenset({"identity.manage_org_units", "identity.manage_users"}),
    "SECURITY": frozenset(
        {
            "identity.manage_roles",
            "identity.assign_roles",
            "identity.manage_tokens",
            "identity.manage_api_clients",
            "audit.view_security_events",
        }
    ),
    "AUDIT": frozenset({"audit.view_audit_events"}),
}


def duties_of(permissions: set[str] | frozenset[str]) -> list[str]:
    """The administrator duties a set of permissions touches, sorted."""
    return sorted(duty for duty, perms in DUTY_PERMISSIONS.items() if perms & permissions)
