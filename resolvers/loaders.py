"""Per-request dataloaders for what look-ahead could not prefetch; each batch uses its own short session."""

from __future__ import annotations

from typing import Any

from aiodataloader import DataLoader

from core.clock import utcnow
from domain.alerts import repository as alerts
from domain.assets import repository as assets
from domain.faults import repository as faults
from domain.identity import repository as identity
from domain.identity.permissions import PERMISSIONS
from domain.secure_access import repository as secure_access
from domain.wireless import repository as wireless
from domain.workorders import repository as workorders


class Loaders:
    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self.org_unit = DataLoader(self._units)
        self.user = DataLoader(self._users)
        self.user_roles = DataLoader(self._user_roles)
        self.role_permissions = DataLoader(self._role_permissions)
        # A work order's children, when look-ahead did not bring them (an order reached by a path that does not prefetch).
        self.work_order_tasks = DataLoader(self._children(lambda s, ids: workorders.tasks_by_orders(s, ids, open_only=False)))
        self.work_order_events = DataLoader(self._children(workorders.events_by_orders))
        self.work_order_clocks = DataLoader(self._children(workorders.clocks_by_orders))
        self.work_order_dispatches = DataLoader(self._children(workorders.dispatches_by_orders))
        self.work_order_links = DataLoader(self._children(workorders.links_by_orders))
        self.work_order_attachments = DataLoader(self._children(workorders.attachments_by_orders))
        self.sim_plan = DataLoader(self._keyed(lambda s, ids: wireless.plans_by_ids(s, ids)))
        self.terminal_account = DataLoader(self._keyed(lambda s, ids: wireless.accounts_by_cards(s, ids)))
        self.sim_card_events = DataLoader(self._children(wireless.events_by_cards))
        self.sim_card_work_orders = DataLoader(
            self._children(lambda s, ids: workorders.orders_by_targets(s, self._ctx.require_actor(), "SimCard", ids))
        )
        self.alert_events = DataLoader(self._children(alerts.events_by_alerts))
        self.secure_access_macs = DataLoader(self._children(secure_access.macs_by_accounts))
        self.secure_access_systems = DataLoader(self._children(secure_access.systems_by_accounts))
        self.secure_access_events = DataLoader(self._children(secure_access.events_by_accounts))
        self.secure_access_work_orders = DataLoader(self._children(
            lambda s, ids: workorders.orders_by_targets(s, self._ctx.require_actor(), "SecureAccessAccount", ids)))  # fmt: skip

        # Relations of a fault reached by a path that did not prefetch them: fetched as nodes (permission and scope).
        for attr, type_name in (("work_order", "WorkOrder"), ("sim_card", "SimCard"), ("alert", "Alert"),
                                ("secure_access_account", "SecureAccessAccount"), ("asset", "Asset"),
                                ("asset_model", "AssetModel")):  # fmt: skip
            setattr(self, attr, DataLoader(self._nodes(type_name)))
        # An asset's children, when look-ahead did not bring them.
        scoped = lambda fetch: lambda s, ids: fetch(s, self._ctx.require_actor(), ids)
        self.asset_children = DataLoader(self._children(scoped(assets.children_by_assets)))
        self.asset_events = DataLoader(self._children(assets.events_by_assets))
        self.asset_upgrades = DataLoader(self._children(assets.upgrades_by_assets))
        self.asset_inspections = DataLoader(self._children(assets.inspections_by_assets))
        self.asset_faults = DataLoader(self._children(
            lambda s, ids: faults.faults_by_targets(s, self._ctx.require_actor(), "asset_id", ids, utcnow())))  # fmt: skip
        self.asset_alerts = DataLoader(self._children(
            lambda s, ids: alerts.firing_by_targets(s, self._ctx.require_actor(), "Asset", ids)))  # fmt: skip

    def _nodes(self, type_name: str) -> Any:
        async def batch(ids: list[int]) -> list[Any]:
            from resolvers.prefetch import fetch_nodes  # prefetch is the resolvers' layer above the loaders

            async with self._ctx.read_session() as s:
                found = await fetch_nodes(s, self._ctx.require_actor(), type_name, ids, None)
            return [found.get(i) for i in ids]

        return batch

    def _keyed(self, fetch: Any) -> Any:
        async def batch(ids: list[int]) -> list[Any]:
            async with self._ctx.read_session() as s:
                found = await fetch(s, ids)
            return [found.get(i) for i in ids]

        return batch

    def _children(self, fetch: Any) -> Any:
        async def batch(ids: list[int]) -> list[Any]:
            async with self._ctx.read_session() as s:
                found = await fetch(s, ids)
            return [found.get(i, []) for i in ids]

        return batch

    async def _units(self, ids: list[int]) -> list[Any]:
        async with self._ctx.read_session() as s:
            found = await identity.units_by_ids(s, self._ctx.require_actor(), ids)
        return [found.get(i) for i in ids]

    async def _users(self, ids: list[int]) -> list[Any]:
        async with self._ctx.read_session() as s:
            found = await identity.users_by_ids(s, self._ctx.require_actor(), ids)
        return [found.get(i) for i in ids]

    async def _user_roles(self, ids: list[int]) -> list[Any]:
        async with self._ctx.read_session() as s:
            found = await identity.roles_by_user_ids(s, ids)
        return [found.get(i, []) for i in ids]

    async def _role_permissions(self, ids: list[int]) -> list[Any]:
        async with self._ctx.read_session() as s:
            found = await identity.permissions_by_role_ids(s, ids)
        return [[PERMISSIONS[c] for c in found.get(i, []) if c in PERMISSIONS] for i in ids]
