"""Look-ahead prefetch: fetch the relations a query selects, one batched statement per relation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from core.clock import utcnow
from core.db.engine import Db
from domain.alerts import repository as alert_repo
from domain.alerts.records import AlertRecord
from domain.assets import repository as asset_repo
from domain.assets.records import AssetModelRecord, AssetRecord
from domain.faults import repository as fault_repo
from domain.faults.records import FaultRecord
from domain.identity import repository as identity
from domain.identity.actor import Actor
from domain.identity.records import NOT_LOADED, AccessTokenRecord, OrgUnitRecord, RoleRecord, UserRecord
from domain.secure_access import repository as secure_access
from domain.secure_access.records import AccountRecord
from domain.wireless import repository as wireless
from domain.wireless.records import SimCardRecord
from domain.workorders import repository as workorders
from domain.workorders.records import WorkOrderRecord
from schema.lookahead import Selection


async def units(s: Db, actor: Actor, items: list[OrgUnitRecord], sel: Selection | None) -> None:
    if sel is None or not items or "parent" not in sel:
        return
    missing = [u for u in items if u.parent is NOT_LOADED]  # a join may have brought some already
    found = await identity.units_by_ids(s, actor, {u.parent_id for u in missing if u.parent_id is not None})
    for unit in missing:
        unit.parent = found.get(unit.parent_id) if unit.parent_id is not None else None
    await units(s, actor, [u.parent for u in items if u.parent], sel.get("parent"))


async def roles(s: Db, actor: Actor, items: list[RoleRecord], sel: Selection | None) -> None:
    missing = [r for r in items if r.permissions is NOT_LOADED]  # catalogue roles come with them
    if sel is None or not missing or "permissions" not in sel:
        return
    found = await identity.permissions_by_role_ids(s, {r.id for r in missing})
    for role in missing:
        role.permissions = found.get(role.id, [])


async def users(s: Db, actor: Actor, items: list[UserRecord], sel: Selection | None) -> None:
    if sel is None or not items:
        return
    if "orgUnit" in sel:
        missing = [u for u in items if u.org_unit is NOT_LOADED]
        found_units = await identity.units_by_ids(s, actor, {u.org_unit_id for u in missing})
        for user in missing:
            user.org_unit = found_units.get(user.org_unit_id)
        await units(s, actor, [u.org_unit for u in items if u.org_unit], sel.get("orgUnit"))
    if "roles" in sel:
        missing = [u for u in items if u.roles is NOT_LOADED]
        found_roles = await identity.roles_by_user_ids(s, [u.id for u in missing])
        for user in missing:
            user.roles = found_roles.get(user.id, [])
        await roles(s, actor, _flatten(u.roles for u in items), sel.get("roles"))


async def tokens(s: Db, actor: Actor, items: list[AccessTokenRecord], sel: Selection | None) -> None:
    if sel is None or not items or "user" not in sel:
        return
    found = await identity.users_by_ids(s, actor, {t.user_id for t in items})
    for token in items:
        token.user = found.get(token.user_id)
    await users(s, actor, list(found.values()), sel.get("user"))


def _flatten(groups: Iterable[list[Any]]) -> list[Any]:
    seen: dict[int, Any] = {}
    for group in groups:
        for item in group:
            seen.setdefault(id(item), item)
    return list(seen.values())


async def _roles_by_ids(s: Db, actor: Actor, ids: Iterable[int]) -> dict[int, RoleRecord]:
    return await identity.roles_by_ids(s, ids)


async def work_orders(s: Db, actor: Actor, items: list[WorkOrderRecord], sel: Selection | None) -> None:
    """Everything a work order list or detail selects: one statement per relation, whatever the page size."""
    if sel is None or not items:
        return
    ids = [o.id for o in items]
    if "applicant" in sel:
        found_users = await identity.users_by_ids(s, actor, {o.applicant_id for o in items if o.applicant_id is not None})
        for o in items:
            o.applicant = None if o.applicant_id is None else found_users.get(o.applicant_id)
        await users(s, actor, list(found_users.values()), sel.get("applicant"))
    if "unit" in sel:
        found_units = await identity.units_by_ids(s, actor, {o.unit_id for o in items})
        for o in items:
            o.unit = found_units.get(o.unit_id)
        await units(s, actor, list(found_units.values()), sel.get("unit"))
    children = (
        (("tasks", "openTasks"), "tasks", lambda: workorders.tasks_by_orders(s, ids, open_only=False)),
        (("timeline", "comments"), "events", lambda: workorders.events_by_orders(s, ids)),
        (("slaClocks",), "clocks", lambda: workorders.clocks_by_orders(s, ids)),
        (("dispatches",), "dispatches", lambda: workorders.dispatches_by_orders(s, ids)),
        (("links",), "links", lambda: workorders.links_by_orders(s, ids)),
        (("attachments",), "attachments", lambda: workorders.attachments_by_orders(s, ids)),
    )
    for fields, attr, fetch in children:
        if any(f in sel for f in fields):
            found = await fetch()
            for o in items:
                setattr(o, attr, found.get(o.id, []))


async def sim_cards(s: Db, actor: Actor, items: list[SimCardRecord], sel: Selection | None) -> None:
    """What a card list or detail selects: one statement per relation, whatever the page size."""
    if sel is None or not items:
        return
    if "plan" in sel or "nextPlan" in sel:
        wanted = {c.plan_id for c in items} | {c.next_plan_id for c in items if c.next_plan_id is not None}
        found_plans = await wireless.plans_by_ids(s, wanted)
        for card in items:
            card.plan = found_plans.get(card.plan_id)
            card.next_plan = None if card.next_plan_id is None else found_plans.get(card.next_plan_id)
    if "unit" in sel:
        found_units = await identity.units_by_ids(s, actor, {c.unit_id for c in items})
        for card in items:
            card.unit = found_units.get(card.unit_id)
        await units(s, actor, list(found_units.values()), sel.get("unit"))
    ids = [c.id for c in items]
    if "terminalAccount" in sel:
        accounts = await wireless.accounts_by_cards(s, ids)
        for card in items:
            card.terminal_account = accounts.get(card.id)
    if "history" in sel:
        events = await wireless.events_by_cards(s, ids)
        for card in items:
            card.events = events.get(card.id, [])
    if "workOrders" in sel:
        orders = await workorders.orders_by_targets(s, actor, "SimCard", ids)
        for card in items:
            card.work_orders = orders.get(card.id, [])
        await work_orders(s, actor, _flatten(card.work_orders for card in items), sel.get("workOrders"))


async def secure_access_accounts(s: Db, actor: Actor, items: list[AccountRecord], sel: Selection | None) -> None:
    """What an account list or detail selects: one statement per relation, whatever the page size."""
    if sel is None or not items:
        return
    if "unit" in sel:
        found_units = await identity.units_by_ids(s, actor, {a.unit_id for a in items})
        for account in items:
            account.unit = found_units.get(account.unit_id)
        await units(s, actor, list(found_units.values()), sel.get("unit"))
    ids = [a.id for a in items]
    for field, attr, fetch in (("macs", "macs", secure_access.macs_by_accounts),
                               ("systems", "systems", secure_access.systems_by_accounts),
                               ("history", "events", secure_access.events_by_accounts)):  # fmt: skip
        if field in sel:
            found = await fetch(s, ids)
            for account in items:
                setattr(account, attr, found.get(account.id, []))
    if "workOrders" in sel:
        orders = await workorders.orders_by_targets(s, actor, "SecureAccessAccount", ids)
        for account in items:
            account.work_orders = orders.get(account.id, [])
        await work_orders(s, actor, _flatten(a.work_orders for a in items), sel.get("workOrders"))


async def alerts(s: Db, actor: Actor, items: list[AlertRecord], sel: Selection | None) -> None:
    """What an alert list or detail selects: one statement per relation, whatever the page size."""
    if sel is None or not items:
        return
    if "unit" in sel:
        found_units = await identity.units_by_ids(s, actor, {a.unit_id for a in items if a.unit_id is not None})
        for a in items:
            a.unit = None if a.unit_id is None else found_units.get(a.unit_id)
        await units(s, actor, list(found_units.values()), sel.get("unit"))
    if "owner" in sel:
        found_users = await identity.users_by_ids(s, actor, {a.owner_id for a in items if a.owner_id is not None})
        for a in items:
            a.owner = None if a.owner_id is None else found_users.get(a.owner_id)
        await users(s, actor, list(found_users.values()), sel.get("owner"))
    if "history" in sel:
        events = await alert_repo.events_by_alerts(s, [a.id for a in items])
        for a in items:
            a.events = events.get(a.id, [])


async def faults(s: Db, actor: Actor, items: list[FaultRecord], sel: Selection | None) -> None:
    """What a fault list or detail selects: one statement per relation (each with its own view permission)."""
    if sel is None or not items:
        return
    for field, attr, key, type_name in (
        ("unit", "unit", "unit_id", "OrgUnit"), ("reporter", "reporter", "reporter_id", "User"),
        ("workOrder", "order", "order_id", "WorkOrder"), ("simCard", "sim_card", "sim_card_id", "SimCard"),
        ("secureAccessAccount", "account", "account_id", "SecureAccessAccount"), ("alert", "alert", "alert_id", "Alert"),
        ("asset", "asset", "asset_id", "Asset"),
    ):  # fmt: skip
        if field in sel:
            wanted = sorted({getattr(f, key) for f in items if getattr(f, key) is not None})
            found = await fetch_nodes(s, actor, type_name, wanted, sel.get(field))
            for f in items:
                ref = getattr(f, key)
                setattr(f, attr, None if ref is None else found.get(ref))


async def assets(s: Db, actor: Actor, items: list[AssetRecord], sel: Selection | None) -> None:
    """What an asset list or detail selects: one statement per relation, whatever the page size."""
    if sel is None or not items:
        return
    if "model" in sel:
        found_models = await asset_repo.models_by_ids(s, {a.model_id for a in items})
        for a in items:
            a.model = found_models.get(a.model_id)
    if "unit" in sel:
        found_units = await identity.units_by_ids(s, actor, {a.unit_id for a in items})
        for a in items:
            a.unit = found_units.get(a.unit_id)
        await units(s, actor, list(found_units.values()), sel.get("unit"))
    if "parent" in sel:
        parents = await asset_repo.assets_by_ids(s, actor, {a.parent_id for a in items if a.parent_id is not None})
        for a in items:
            a.parent = None if a.parent_id is None else parents.get(a.parent_id)
        await assets(s, actor, list(parents.values()), sel.get("parent"))
    ids = [a.id for a in items]
    if "children" in sel:
        children = await asset_repo.children_by_assets(s, actor, ids)
        for a in items:
            a.children = children.get(a.id, [])
        await assets(s, actor, _flatten(a.children for a in items), sel.get("children"))
    for field, attr, fetch in (("history", "events", asset_repo.events_by_assets),
                               ("upgrades", "upgrades", asset_repo.upgrades_by_assets),
                               ("inspections", "inspections", asset_repo.inspections_by_assets)):  # fmt: skip
        if field in sel:
            found = await fetch(s, ids)
            for a in items:
                setattr(a, attr, found.get(a.id, []))
    if "faults" in sel or "mtbfHours" in sel:
        found_faults = await fault_repo.faults_by_targets(s, actor, "asset_id", ids, utcnow())
        for a in items:
            a.faults = found_faults.get(a.id, [])
        await faults(s, actor, _flatten(a.faults for a in items), sel.get("faults"))
    if "alerts" in sel:
        found_alerts = await alert_repo.firing_by_targets(s, actor, "Asset", ids)
        for a in items:
            a.alerts = found_alerts.get(a.id, [])
        await alerts(s, actor, _flatten(a.alerts for a in items), sel.get("alerts"))


async def _models_by_ids(s: Db, actor: Actor, ids: Iterable[int]) -> dict[int, AssetModelRecord]:
    return await asset_repo.models_by_ids(s, ids)


async def _nothing_below(s: Db, actor: Actor, items: list[Any], sel: Selection | None) -> None:
    return None


Fetch = Callable[[Db, Actor, Iterable[int]], Awaitable[dict[int, Any]]]
Prefetch = Callable[[Db, Actor, list[Any], Selection | None], Awaitable[None]]

# Every Node type: the permission needed to read it (None: the data scope alone decides), how to fetch
# it by ids within the actor's data scope, and how to prefetch below it.
NODES: dict[str, tuple[str | None, Fetch, Prefetch]] = {
    "OrgUnit": ("identity.view_org_units", identity.units_by_ids, units),
    "User": ("identity.view_users", identity.users_by_ids, users),
    "Role": ("identity.view_roles", _roles_by_ids, roles),
    "AccessToken": (None, identity.tokens_by_ids, tokens),  # your own, or anybody's with manage_tokens
    "WorkOrder": ("workorders.view_work_orders", workorders.orders_by_ids, work_orders),
    "SimCard": ("wireless.view_cards", wireless.cards_by_ids, sim_cards),
    "Alert": ("alerts.view_alerts", alert_repo.alerts_by_ids, alerts),
    "SecureAccessAccount": ("secure_access.view_accounts", secure_access.accounts_by_ids, secure_access_accounts),
    "Fault": ("faults.view_faults", fault_repo.faults_by_ids, faults),
    "Asset": ("assets.view_assets", asset_repo.assets_by_ids, assets),
    "AssetModel": ("assets.view_assets", _models_by_ids, _nothing_below),  # the catalogue: no unit owns it
}


async def fetch_nodes(s: Db, actor: Actor, type_name: str, ids: list[int], sel: Selection | None) -> dict[int, Any]:
    """Objects of one type by id, as `node(id:)` and payloads see them: null without the type's view
    permission, null outside the data scope."""
    permission, fetch, prefetch = NODES[type_name]
    if permission is not None and not actor.can(permission):
        if type_name != "User":
            return {}
        ids = [i for i in ids if i == actor.user_id]  # everybody may read their own account
    if not ids:
        return {}
    found = await fetch(s, actor, ids)
    await prefetch(s, actor, list(found.values()), sel)
    return found
