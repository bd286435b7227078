"""The whole contract: Query, Mutation and Subscription assembled from every area."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.schema.config import StrawberryConfig

from core.settings import Settings
from resolvers import audit as ra
from resolvers import catalog as rc
from resolvers import exports as rx
from resolvers import identity as r
from resolvers import integration as ri
from resolvers import node as node_resolvers
from resolvers import notifications as rn
from resolvers import wireless as rwl
from resolvers import workorders as rw
from resolvers.common import INPUT
from schema import cost, fastpath, statistics
from schema.alerts_root import AlertMutation, AlertQuery, AlertSubscription
from schema.assets_root import AssetMutation, AssetQuery
from schema.audit import types as audit
from schema.catalog import types as catalog
from schema.errors import policed
from schema.executor import FastExecutionContext
from schema.exports import types as exports
from schema.extensions import extensions
from schema.faults_root import FaultMutation, FaultQuery
from schema.identity import inputs, payloads, types
from schema.integration import types as interface_log
from schema.metrics_root import MetricQuery, MetricSubscription
from schema.node import Node
from schema.notifications import types as notifications
from schema.pagination import After, Connection, Filter, First
from schema.permissions import guard
from schema.scalars import AwareDateTime
from schema.secure_access_root import SecureAccessMutation, SecureAccessQuery
from schema.wireless import enums as wl_enums
from schema.wireless import inputs as wl_inputs
from schema.wireless import types as wl
from schema.workorders import enums as wo_enums
from schema.workorders import inputs as wo_inputs
from schema.workorders import payloads as wo_payloads
from schema.workorders import types as wo


@strawberry.type(description="Everything that can be read.")
class Query(SecureAccessQuery, AlertQuery, FaultQuery, AssetQuery, MetricQuery):
    node = strawberry.field(
        resolver=node_resolvers.node,
        permission_classes=guard(),
        description="Any object by its global id; null when it does not exist or is outside your data scope.",
    )  # type: ignore[var-annotated]
    nodes = strawberry.field(
        resolver=node_resolvers.nodes,
        permission_classes=guard(),
        description="Several objects by global id, in the same order; null for each one you may not see.",
    )  # type: ignore[var-annotated]

    @strawberry.field(permission_classes=guard(), description="The logged-in user.")
    async def viewer(self, info: strawberry.Info) -> types.Viewer:
        return await r.viewer(info)

    @strawberry.field(permission_classes=guard("identity.view_org_units"), description="Organisation units you may see.")
    async def org_units(
        self, info: strawberry.Info,
        filter: Annotated[inputs.OrgUnitFilter | None, Filter] = None,
        first: First = 20, after: After = None,
    ) -> Connection[types.OrgUnit]:  # fmt: skip
        return await r.org_units(info, filter, first, after)  # type: ignore[return-value]

    @strawberry.field(permission_classes=guard("identity.view_users"), description="User accounts you may see.")
    async def users(
        self, info: strawberry.Info,
        filter: Annotated[inputs.UserFilter | None, Filter] = None,
        first: First = 20, after: After = None,
    ) -> Connection[types.User]:  # fmt: skip
        return await r.users(info, filter, first, after)  # type: ignore[return-value]

    @strawberry.field(permission_classes=guard("identity.view_roles"), description="All roles.")
    async def roles(self, info: strawberry.Info, first: First = 20, after: After = None) -> Connection[types.Role]:
        return await r.roles(info, first, after)  # type: ignore[return-value]

    @strawberry.field(permission_classes=guard("identity.view_roles"), description="The permission catalogue.")
    def permissions(self) -> list[types.Permission]:
        return r.permissions()

    @strawberry.field(permission_classes=guard(), description="Login tokens: your own, or anybody's with identity.manage_tokens.")
    async def access_tokens(
        self, info: strawberry.Info,
        filter: Annotated[inputs.AccessTokenFilter | None, Filter] = None,
        first: First = 20, after: After = None,
    ) -> Connection[types.AccessToken]:  # fmt: skip
        return await r.access_tokens(info, filter, first, after)  # type: ignore[return-value]

    @strawberry.field(permission_classes=guard("audit.view_audit_events"), description="The operation log, newest first.")
    async def audit_events(
        self, info: strawberry.Info,
        filter: Annotated[audit.AuditEventFilter | None, Filter] = None,
        first: First = 20, after: After = None,
    ) -> Connection[audit.AuditEvent]:  # fmt: skip
        return await ra.events(info, filter, first, after, security=False)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard("audit.view_audit_events"), description="One operation-log record.")
    async def audit_event(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")]
    ) -> audit.AuditEvent | None:
        return await ra.event(info, id)

    @strawberry.field(
        permission_classes=guard("audit.view_security_events"),
        description="Security events, newest first: alarms, refused logins and refused API calls.",
    )
    async def security_events(
        self, info: strawberry.Info,
        filter: Annotated[audit.AuditEventFilter | None, Filter] = None,
        first: First = 20, after: After = None,
    ) -> Connection[audit.AuditEvent]:  # fmt: skip
        return await ra.events(info, filter, first, after, security=True)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard("identity.manage_api_clients"), description="Registered API clients.")
    async def api_clients(self, info: strawberry.Info, first: First = 20, after: After = None) -> Connection[types.ApiClient]:
        return await r.api_clients(info, first, after)  # type: ignore[return-value]

    @strawberry.field(
        permission_classes=guard("identity.view_roles"),
        description="Which roles the office platform's groups bring at first sign-on.",
    )
    async def sso_role_mappings(self, info: strawberry.Info) -> list[payloads.SsoRoleMapping]:
        return await r.sso_role_mappings(info)

    @strawberry.field(
        permission_classes=guard("identity.manage_api_clients"), description="The trusted documents API clients may be allowed."
    )
    def persisted_operations(self, info: strawberry.Info) -> list[types.PersistedOperation]:
        return r.persisted_operations(info)

    @strawberry.field(permission_classes=guard(rw.VIEW), description="One work order; null outside your data scope.")
    async def work_order(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")]
    ) -> wo.WorkOrder | None:
        return await rw.work_order(info, id)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard(rw.VIEW), description="Work orders in your data scope.")
    async def work_orders(
        self, info: strawberry.Info,
        filter: Annotated[wo_inputs.WorkOrderFilter | None, Filter] = None,
        sort: Annotated[wo_enums.WorkOrderSort, strawberry.argument(description="Order of the list.")] = wo_enums.WorkOrderSort.CREATED_DESC,  # type: ignore[valid-type]
        first: First = 20, after: After = None,
    ) -> Connection[wo.WorkOrder]:  # fmt: skip
        return await rw.work_orders(info, filter, sort, first, after)  # type: ignore[return-value]

    @strawberry.field(
        permission_classes=guard(rw.VIEW),
        description="Orders waiting on a decision you may take now (yours, delegated to you, or your role's), oldest first.",
    )
    async def my_tasks(self, info: strawberry.Info, first: First = 20, after: After = None) -> Connection[wo.WorkOrder]:
        return await rw.my_tasks(info, first, after)  # type: ignore[return-value]

    @strawberry.field(
        permission_classes=guard(),
        description="The external platforms GovOps exchanges calls with (for API client bindings and the log's filter).",
    )
    def integration_platforms(self) -> list[interface_log.IntegrationPlatform]:
        return ri.platforms()

    @strawberry.field(
        permission_classes=guard("integration.view_interface_log"),
        description="The interface log, newest first: every call to and from external platforms.",
    )
    async def interface_calls(
        self, info: strawberry.Info,
        filter: Annotated[interface_log.InterfaceCallFilter | None, Filter] = None,
        first: First = 20, after: After = None,
    ) -> Connection[interface_log.InterfaceCall]:  # fmt: skip
        return await ri.interface_calls(info, filter, first, after)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard(rwl.VIEW), description="专网卡: the SIM cards in your data scope.")
    async def sim_cards(
        self, info: strawberry.Info,
        filter: Annotated[wl_inputs.SimCardFilter | None, Filter] = None,
        sort: Annotated[wl_enums.SimCardSort, strawberry.argument(description="Order of the list.")] = wl_enums.SimCardSort.CREATED_DESC,  # type: ignore[valid-type]
        first: First = 20, after: After = None,
    ) -> Connection[wl.SimCard]:  # fmt: skip
        return await rwl.sim_cards(info, filter, sort, first, after)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(rwl.VIEW), description="One card with its history and every work order that touched it."
    )
    async def sim_card(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")]
    ) -> wl.SimCard | None:
        return await rwl.sim_card(info, id)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(rwl.VIEW), description="终端安全管控账号 of the cards in your data scope, newest first."
    )
    async def terminal_accounts(
        self, info: strawberry.Info,
        filter: Annotated[wl_inputs.TerminalAccountFilter | None, Filter] = None,
        first: First = 20, after: After = None,
    ) -> Connection[wl.TerminalAccount]:  # fmt: skip
        return await rwl.terminal_accounts(info, filter, first, after)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(rwl.VIEW), description="无线网总览: the wireless service at a glance (web and mobile)."
    )
    async def wireless_overview(
        self, info: strawberry.Info,
        start: Annotated[datetime | None, strawberry.argument(name="from", description="Period start (default: 30 days ago).")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to", description="Period end (default: now).")] = None,
    ) -> wl.WirelessOverview:  # fmt: skip
        return await rwl.overview(info, start, end)  # type: ignore[no-any-return]

    @strawberry.field(
        permission_classes=guard(rwl.VIEW),
        description="Wireless applications (work orders) by day, week or month, kind and status, within your data scope.",
    )
    async def wireless_application_statistics(
        self, info: strawberry.Info,
        grain: Annotated[wo_enums.Grain, strawberry.argument(description="The time dimension.")] = wo_enums.Grain.MONTH,  # type: ignore[valid-type]
        start: Annotated[datetime | None, strawberry.argument(name="from", description="Period start (default: 90 days ago).")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to", description="Period end (default: now).")] = None,
    ) -> list[statistics.PeriodCount]:  # fmt: skip
        return await rwl.application_statistics(info, grain, start, end)

    @strawberry.field(permission_classes=guard(rwl.VIEW), description="The carriers' plans.")
    async def sim_plans(
        self, info: strawberry.Info,
        carrier: Annotated[wl_enums.Carrier | None, strawberry.argument(description="Only this carrier's.")] = None,  # type: ignore[valid-type]
    ) -> list[wl.SimPlan]:  # fmt: skip
        return await rwl.sim_plans(info, carrier)  # type: ignore[return-value]

    @strawberry.field(
        permission_classes=guard(), description="The application catalogue: what cards and accounts may be allowed to reach."
    )
    async def applications(self, info: strawberry.Info) -> list[catalog.Application]:
        return await rc.applications(info)

    @strawberry.field(permission_classes=guard(), description="Your notifications, newest first.")
    async def my_notifications(
        self, info: strawberry.Info,
        unread_only: Annotated[bool, strawberry.argument(description="Only those not yet marked read.")] = False,
        first: First = 20, after: After = None,
    ) -> Connection[notifications.Notification]:  # fmt: skip
        return await rn.mine(info, unread_only, first, after)  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=guard(), description="How many of your notifications are unread (the badge).")
    async def unread_notification_count(self, info: strawberry.Info) -> int:
        return await rn.unread_count(info)

    @strawberry.field(permission_classes=guard(), description="An export you asked for, with a fresh download link when DONE.")
    async def export(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="Its global id.")]
    ) -> exports.Export | None:
        return await rx.export(info, id)

    @strawberry.field(permission_classes=guard(), description="Your latest 20 exports, newest first.")
    async def my_exports(self, info: strawberry.Info) -> list[exports.Export]:
        return await rx.my_exports(info)

    @strawberry.field(
        permission_classes=guard(rw.VIEW),
        description="Volumes, durations (mean, p50, p90) and timeouts of the work orders in your data scope.",
    )
    async def work_order_statistics(
        self, info: strawberry.Info, filter: Annotated[wo_inputs.WorkOrderFilter | None, Filter] = None
    ) -> wo.WorkOrderStatistics:
        return await rw.statistics(info, filter)

    @strawberry.field(permission_classes=guard(rw.VIEW), description="The work order kinds, their steps and forms.")
    def work_order_kinds(self) -> list[wo.WorkOrderKind]:
        return rw.work_order_kinds()


def _m(resolver: object, permission: str | None, description: str) -> object:
    return strawberry.mutation(resolver=resolver, permission_classes=guard(permission), description=description)  # type: ignore[call-overload]


@strawberry.type(description="Everything that changes something. Expected failures come back in `errors`.")
class Mutation(SecureAccessMutation, AlertMutation, FaultMutation, AssetMutation):
    @strawberry.mutation(description="Log in with a username and password; the only field that needs no token.")
    async def login(self, info: strawberry.Info, input: Annotated[inputs.LoginInput, INPUT]) -> payloads.LoginPayload:
        return await r.login(info, input)

    @strawberry.mutation(
        description="The server's SM2 key and a single-use nonce, to send the password encrypted (no token needed)."
    )
    async def login_challenge(self, info: strawberry.Info) -> payloads.LoginChallenge:
        return await r.issue_login_challenge(info)

    @strawberry.mutation(description="Replace an expired password with the current credentials, and log in (no token needed).")
    async def expired_password_change(
        self, info: strawberry.Info, input: Annotated[inputs.ExpiredPasswordChangeInput, INPUT]
    ) -> payloads.LoginPayload:
        return await r.expired_password_change(info, input)

    @strawberry.mutation(description="Start signing in through the office platform (no token needed).")
    async def sso_begin(self, info: strawberry.Info) -> payloads.SsoBeginPayload:
        return await r.sso_begin(info)

    @strawberry.mutation(description="Finish signing in with the platform's callback; creates the user on first sign-on.")
    async def sso_complete(
        self, info: strawberry.Info, input: Annotated[inputs.SsoCompleteInput, INPUT]
    ) -> payloads.LoginPayload:
        return await r.sso_complete(info, input)

    logout: payloads.LogoutPayload = _m(r.logout, None, "End the login this request was made with.")  # type: ignore[assignment]
    access_token_revoke: payloads.AccessTokenPayload = _m(
        r.access_token_revoke, None, "Revoke a login token (yours, or anybody's with identity.manage_tokens)."
    )  # type: ignore[assignment]
    viewer_password_change: payloads.UserPayload = _m(r.viewer_password_change, None, "Change your own password.")  # type: ignore[assignment]
    org_unit_create: payloads.OrgUnitPayload = _m(r.org_unit_create, "identity.manage_org_units", "Create an organisation unit.")  # type: ignore[assignment]
    org_unit_update: payloads.OrgUnitPayload = _m(
        r.org_unit_update, "identity.manage_org_units", "Edit or move an organisation unit."
    )  # type: ignore[assignment]
    org_unit_set_status: payloads.OrgUnitPayload = _m(
        r.org_unit_set_status, "identity.manage_org_units", "Disable or enable a unit."
    )  # type: ignore[assignment]
    user_create: payloads.UserPayload = _m(r.user_create, "identity.manage_users", "Create a user account.")  # type: ignore[assignment]
    user_update: payloads.UserPayload = _m(r.user_update, "identity.manage_users", "Edit a user account.")  # type: ignore[assignment]
    user_set_status: payloads.UserPayload = _m(r.user_set_status, "identity.manage_users", "Disable or enable an account.")  # type: ignore[assignment]
    user_unlock: payloads.UserPayload = _m(r.user_unlock, "identity.manage_users", "Lift a wrong-password lockout.")  # type: ignore[assignment]
    user_reset_password: payloads.UserPayload = _m(r.user_reset_password, "identity.manage_users", "Set another user's password.")  # type: ignore[assignment]
    user_roles_set: payloads.UserPayload = _m(r.user_roles_set, "identity.assign_roles", "Replace a user's roles.")  # type: ignore[assignment]
    role_create: payloads.RolePayload = _m(r.role_create, "identity.manage_roles", "Create a custom role.")  # type: ignore[assignment]
    role_update: payloads.RolePayload = _m(r.role_update, "identity.manage_roles", "Edit a role and its permissions.")  # type: ignore[assignment]
    role_delete: payloads.RoleDeletePayload = _m(r.role_delete, "identity.manage_roles", "Delete a custom role nobody holds.")  # type: ignore[assignment]
    viewer_totp_enroll: payloads.TotpEnrollPayload = _m(
        r.viewer_totp_enroll, None, "Start a second factor (administrators): a secret for an authenticator app."
    )  # type: ignore[assignment]
    viewer_totp_confirm: payloads.TotpPayload = _m(
        r.viewer_totp_confirm, None, "Turn the second factor on with a current code; logins then need a code."
    )  # type: ignore[assignment]
    totp_disable: payloads.TotpPayload = _m(
        r.totp_disable, None, "Turn a second factor off: yours, or anybody's with identity.manage_tokens."
    )  # type: ignore[assignment]
    sso_role_mappings_set: payloads.SsoRoleMappingsPayload = _m(
        r.sso_role_mappings_set, "identity.assign_roles", "Replace the office platform group -> role mapping."
    )  # type: ignore[assignment]

    @strawberry.mutation(
        permission_classes=guard("audit.view_audit_events"), description="The matching operation log as .xlsx (logged)."
    )
    async def audit_events_export(
        self, info: strawberry.Info, filter: Annotated[audit.AuditEventFilter | None, Filter] = None
    ) -> audit.AuditExportPayload:
        return await ra.export(info, filter, security=False)

    @strawberry.mutation(
        permission_classes=guard("audit.view_security_events"), description="The matching security events as .xlsx (logged)."
    )
    async def security_events_export(
        self, info: strawberry.Info, filter: Annotated[audit.AuditEventFilter | None, Filter] = None
    ) -> audit.AuditExportPayload:
        return await ra.export(info, filter, security=True)

    api_client_create: payloads.ApiClientSecretPayload = _m(
        r.api_client_create, "identity.manage_api_clients", "Register a third-party platform; returns its secret once."
    )  # type: ignore[assignment]
    api_client_update: payloads.ApiClientPayload = _m(
        r.api_client_update, "identity.manage_api_clients", "Rename a client or replace its allow-list."
    )  # type: ignore[assignment]
    api_client_set_status: payloads.ApiClientPayload = _m(
        r.api_client_set_status, "identity.manage_api_clients", "Disable or enable a client."
    )  # type: ignore[assignment]
    api_client_rotate_secret: payloads.ApiClientSecretPayload = _m(
        r.api_client_rotate_secret, "identity.manage_api_clients", "Issue a new secret; the old one stops working."
    )  # type: ignore[assignment]

    @strawberry.mutation(permission_classes=guard(), description="Mark your notifications read: these, or all of them.")
    async def notifications_mark_read(
        self, info: strawberry.Info,
        ids: Annotated[list[strawberry.ID] | None, strawberry.argument(description="Which; omit for all.")] = None,
    ) -> notifications.NotificationsMarkReadPayload:  # fmt: skip
        return await rn.mark_read(info, ids)

    work_order_submit: wo_payloads.WorkOrderPayload = _m(
        rw.submit, "workorders.submit", "Apply: a kind and its form; the order goes to the kind's first step."
    )  # type: ignore[assignment]
    work_order_approve: wo_payloads.WorkOrderPayload = _m(rw.approve, rw.VIEW, "Approve the current step (its deciders only).")  # type: ignore[assignment]
    work_order_reject: wo_payloads.WorkOrderPayload = _m(
        rw.reject, rw.VIEW, "Reject at the current step, with a reason (in a countersign, one rejection vetoes)."
    )  # type: ignore[assignment]
    work_order_return: wo_payloads.WorkOrderPayload = _m(
        rw.return_, rw.VIEW, "Send the order back to the applicant for changes, with a reason; its clocks pause."
    )  # type: ignore[assignment]
    work_order_resubmit: wo_payloads.WorkOrderPayload = _m(
        rw.resubmit, "workorders.submit", "Answer a return with the corrected form."
    )  # type: ignore[assignment]
    work_order_withdraw: wo_payloads.WorkOrderPayload = _m(
        rw.withdraw, "workorders.submit", "Take your order back, before its first approval or while it is returned."
    )  # type: ignore[assignment]
    work_order_comment: wo_payloads.WorkOrderPayload = _m(rw.comment, rw.VIEW, "Comment on an order's timeline.")  # type: ignore[assignment]
    work_order_attachment_add: wo_payloads.WorkOrderPayload = _m(
        rw.attachment_add,
        rw.VIEW,
        "Attach uploaded files (POST /uploads) to an unfinished order: its applicant or who decides it now.",
    )  # type: ignore[assignment]
    work_order_delegate: wo_payloads.WorkOrderPayload = _m(
        rw.delegate, rw.VIEW, "Let somebody in the order's data scope decide your task until a time (at most 30 days)."
    )  # type: ignore[assignment]
    work_order_reassign: wo_payloads.WorkOrderPayload = _m(
        rw.reassign, rw.VIEW, "Give an open task to a named user (workorders.manage, or the step's supervisor role)."
    )  # type: ignore[assignment]
    work_order_retry_dispatch: wo_payloads.WorkOrderPayload = _m(
        rw.retry_dispatch, "workorders.manage", "Send a dead-lettered dispatch to its platform again (same idempotency key)."
    )  # type: ignore[assignment]

    @strawberry.mutation(
        permission_classes=guard(rw.VIEW),
        description="The filtered work orders as .xlsx: at once up to 2,000 rows, else built by a job (follow exportProgress).",
    )
    async def work_orders_export(
        self, info: strawberry.Info, filter: Annotated[wo_inputs.WorkOrderFilter | None, Filter] = None
    ) -> exports.ExportPayload:
        return await rw.export(info, filter)  # type: ignore[no-any-return]

    @strawberry.mutation(
        permission_classes=guard(rwl.VIEW),
        description="The filtered card registry as .xlsx: at once up to 2,000 cards, else by a job (follow exportProgress).",
    )
    async def sim_cards_export(
        self, info: strawberry.Info, filter: Annotated[wl_inputs.SimCardFilter | None, Filter] = None
    ) -> exports.ExportPayload:
        return await rwl.export(info, filter)  # type: ignore[no-any-return]

    terminal_account_update: wl.TerminalAccountPayload = _m(
        rwl.terminal_account_update, "wireless.manage_cards", "Correct a terminal account's holder (audited)."
    )  # type: ignore[assignment]
    wireless_security_alert_push: wl.WirelessSecurityAlertPushPayload = _m(
        rwl.alert_push,
        "wireless.push_alerts",
        "The wireless support platform pushes terminal abnormal-behaviour alerts (signed API clients, persisted operation).",
    )  # type: ignore[assignment]
    work_order_dispatch_confirm: wo_payloads.WorkOrderDispatchConfirmPayload = _m(
        rw.dispatch_confirm,
        "workorders.confirm_dispatch",
        "A platform confirms or fails a dispatched order (signed API clients bound to the dispatch's platform, persisted "
        "operation); repeats change nothing.",
    )  # type: ignore[assignment]


@strawberry.type(description='Live updates over graphql-transport-ws (send {"token": ...} in connection_init).')
class Subscription(AlertSubscription, MetricSubscription):
    @strawberry.subscription(
        permission_classes=guard("identity.view_org_units"), description="Units you may see, as they change."
    )
    async def org_unit_changed(
        self, info: strawberry.Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this unit.")] = None,
    ) -> AsyncGenerator[types.OrgUnitChangedEvent, None]:  # fmt: skip
        async for event in policed(r.org_unit_changed(info, id), info.context.request_id):
            yield event

    @strawberry.subscription(permission_classes=guard(), description="Your new notifications as they arrive.")
    async def notification_received(self, info: strawberry.Info) -> AsyncGenerator[notifications.Notification, None]:
        async for item in policed(rn.received(info), info.context.request_id):
            yield item

    @strawberry.subscription(permission_classes=guard(), description="An export of yours as it is built, until DONE or FAILED.")
    async def export_progress(
        self, info: strawberry.Info, id: Annotated[strawberry.ID, strawberry.argument(description="The export.")]
    ) -> AsyncGenerator[exports.Export, None]:
        async for item in policed(rx.progress(info, id), info.context.request_id):
            yield item

    @strawberry.subscription(
        permission_classes=guard("workorders.view_work_orders"),
        description="Work orders as they change: one order, or every order in your data scope (your unit's).",
    )
    async def work_order_updated(
        self, info: strawberry.Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this order.")] = None,
    ) -> AsyncGenerator[wo.WorkOrder, None]:  # fmt: skip
        async for order in policed(rw.work_order_updated(info, id), info.context.request_id):
            yield order


def build_schema(settings: Settings) -> strawberry.Schema:
    schema = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[types.OrgUnit, types.User, types.Role, types.AccessToken, wo.WorkOrder, wl.SimCard],
        extensions=extensions(
            settings.max_query_depth,
            settings.max_aliases,
            settings.max_tokens,
            settings.max_query_cost,
            bool(settings.anonymous_introspection),
        ),
        # A time without its zone is refused, not guessed.
        config=StrawberryConfig(auto_camel_case=True, scalar_map={datetime: AwareDateTime}),
        execution_context_class=FastExecutionContext,
    )
    fastpath.install(schema)
    cost.connection_fields(schema)
    return schema


__all__ = ["Node", "build_schema"]
