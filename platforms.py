"""The external platforms this process dispatches to: the ones configured in settings, or, in the demo, the
carrier and support-platform simulators started in-process and calling back this server as the demo platforms'
API client (the platform_svc service account). Wired by server.py; the worker uses integrations.wiring alone."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import Any

from sqlalchemy import select

from core.settings import Profile
from domain.catalog.models import Application
from domain.identity.apiclients import ApiClientData, create_client, rotate_secret
from domain.identity.models import ApiClient, OrgUnit, User
from domain.identity.system import system_actor
from domain.integration.platforms import PLATFORMS
from domain.secure_access.enums import AccountStatus
from domain.secure_access.models import SecureAccessAccount, secure_access_mac, secure_access_system
from domain.wireless.enums import SimCardStatus, TerminalAccountStatus
from domain.wireless.models import SimCard, SimPlan, TerminalAccount, terminal_account_application
from integrations import wiring
from integrations.base.serve import serve
from integrations.base.sim_state import CallbackSettings
from integrations.carriers.numbers import CARRIERS
from integrations.carriers.simulator import create_carrier_simulator
from integrations.operations_platform.simulator import create_operations_simulator
from integrations.secure_access_support.sim_state import Account as SecureAccessSimAccount
from integrations.secure_access_support.simulator import create_secure_access_simulator
from integrations.wireless_support.simulator import create_support_simulator
from jobs.interface_log import recorder

log = logging.getLogger(__name__)

DEMO_CLIENT = "演示平台（模拟器）"
DEMO_ACCOUNT = "platform_svc"
CONFIRM_DOCUMENT = "WorkOrderDispatchConfirm"
ALERT_DOCUMENT = "WirelessSecurityAlertPush"


class Platforms:
    """What was started; `close` stops the simulators and the gateways' clients."""

    def __init__(self) -> None:
        self.stack = AsyncExitStack()
        self.gateways: list[Any] = []
        self.simulators: dict[str, Any] = {}

    async def close(self) -> None:
        await wiring.close(self.gateways)
        await self.stack.aclose()


def simulating(settings: Any) -> bool:
    if settings.simulate_platforms is not None:
        return bool(settings.simulate_platforms)
    configured = settings.carrier_urls or any(wiring.configured_urls(settings).values())
    return settings.profile is Profile.DEMO and not configured


async def start(services: Any) -> Platforms:
    """Register the configured platforms' gateways, or start and register the simulators (the demo)."""
    settings = services.settings
    running = Platforms()
    record = recorder(services.session_factory)
    if not simulating(settings):
        running.gateways = wiring.register_configured(settings, record)
        return running
    callback = await _demo_callback(services)
    urls = {}
    for seed, carrier in enumerate(CARRIERS):
        app = create_carrier_simulator(carrier, callback=callback, seed=seed)
        await _load_books(services, carrier, app)
        running.simulators[carrier] = app
        urls[carrier] = await running.stack.enter_async_context(serve(app))
    support = create_support_simulator(callback=callback, alert_document_hash=services.documents.by_name[ALERT_DOCUMENT].id)
    await _load_accounts(services, support)
    running.simulators["wireless_support"] = support
    support_url = await running.stack.enter_async_context(serve(support))
    secure_access = create_secure_access_simulator(callback=callback)
    await _load_secure_access(services, secure_access)
    running.simulators["secure_access_support"] = secure_access
    secure_access_url = await running.stack.enter_async_context(serve(secure_access))
    operations = create_operations_simulator()
    running.simulators["operations_platform"] = operations
    singles = {
        "wireless_support": support_url, "secure_access_support": secure_access_url,
        "operations_platform": await running.stack.enter_async_context(serve(operations)),
    }  # fmt: skip
    running.gateways = wiring.register_gateways(urls, singles, record, settings.platform_timeout_seconds)
    log.info("platform simulators started: carriers %s, %s", urls, singles)
    return running


async def _load_books(services: Any, carrier: str, app: Any) -> None:
    """The simulated carrier knows the demo cards in service, as the real one knows ours."""
    cards = SimCard.__table__.c
    plans = SimPlan.__table__.c
    stmt = (
        select(cards.iccid, cards.msisdn, cards.imsi, plans.code, cards.imei, cards.domain, cards.holder_name)
        .join_from(SimCard.__table__, SimPlan.__table__, plans.id == cards.plan_id)
        .where(cards.carrier == carrier, cards.status.in_([SimCardStatus.ACTIVE, SimCardStatus.SUSPENDED]))
    )
    async with services.read() as db:
        rows = list(await db.execute(stmt))
    for iccid, msisdn, imsi, plan, imei, domain, holder in rows:
        app.state.carrier.seed_card({"iccid": iccid, "msisdn": msisdn, "imsi": imsi, "plan": plan, "imei": imei,
                                     "domain": domain.value, "holderName": holder})  # fmt: skip


async def _load_accounts(services: Any, app: Any) -> None:
    """The simulated support platform knows the demo's open terminal accounts and what each may reach."""
    acc, card, app_t = TerminalAccount.__table__.c, SimCard.__table__.c, Application.__table__.c
    link = terminal_account_application.c
    stmt = (
        select(acc.account_name, card.iccid, card.msisdn, acc.holder_name, app_t.code)
        .join_from(TerminalAccount.__table__, SimCard.__table__, card.id == acc.card_id)
        .outerjoin(terminal_account_application, link.account_id == acc.id)
        .outerjoin(Application.__table__, app_t.id == link.application_id)
        .where(acc.status == TerminalAccountStatus.ACTIVE)
        .order_by(acc.id)
    )
    async with services.read() as db:
        rows = list(await db.execute(stmt))
    books: dict[str, tuple[str, str, str, list[str]]] = {}
    for name, iccid, msisdn, holder, code in rows:
        books.setdefault(name, (iccid, msisdn, holder, []))[3].extend([code] if code else [])
    for name, (iccid, msisdn, holder, codes) in books.items():
        app.state.support.seed_account(name, iccid, msisdn, holder, codes)


async def _load_secure_access(services: Any, app: Any) -> None:
    """The simulated secure access platform knows the registry's accounts: the live ones with their holder, MACs,
    systems and validity, the revoked ones as revoked (so it never issues their names again)."""
    acc, unit, app_t = SecureAccessAccount.__table__.c, OrgUnit.__table__.c, Application.__table__.c
    mac, system = secure_access_mac.c, secure_access_system.c
    accounts = (
        select(acc.id, acc.account_name, acc.holder_name, acc.holder_phone, acc.holder_id_number, unit.code, acc.valid_from,
               acc.valid_to, acc.activated_at, acc.created_at, acc.revoked_at, acc.status)
        .join_from(SecureAccessAccount.__table__, OrgUnit.__table__, unit.id == acc.unit_id)
        .where(acc.status != AccountStatus.APPLIED)
        .order_by(acc.id)
    )  # fmt: skip
    systems = select(system.account_id, app_t.code).join_from(
        secure_access_system, Application.__table__, app_t.id == system.application_id
    )
    async with services.read() as db:
        rows = list(await db.execute(accounts))
        macs = list(await db.execute(select(mac.account_id, mac.mac).order_by(mac.account_id, mac.mac)))
        codes = list(await db.execute(systems.order_by(system.account_id, app_t.code)))
    by_account: dict[int, tuple[list[str], list[str]]] = {r.id: ([], []) for r in rows}
    for account_id, address in macs:
        by_account.get(account_id, ([], []))[0].append(address)
    for account_id, code in codes:
        by_account.get(account_id, ([], []))[1].append(code)
    state = app.state.secure_access
    for r in rows:
        state.seed_account(SecureAccessSimAccount(
            account_name=r.account_name, holder_name=r.holder_name, holder_phone=r.holder_phone,
            holder_id_number=r.holder_id_number, unit_code=r.code, macs=by_account[r.id][0], systems=by_account[r.id][1],
            valid_from=r.valid_from, valid_to=r.valid_to, order_number="", opened_at=r.activated_at or r.created_at,
            revoked_at=r.revoked_at if r.status is AccountStatus.REVOKED else None,
        ))  # fmt: skip


async def _demo_callback(services: Any) -> CallbackSettings | None:
    """The demo platforms' API client (made once, its secret renewed at every start), or None before seed-demo."""
    async with services.unit_of_work() as uow:
        user_id = (await uow.session.execute(select(User.id).where(User.username == DEMO_ACCOUNT))).scalar_one_or_none()
        if user_id is None:
            log.warning("no %s account (run govops seed-demo): simulated platforms cannot call back", DEMO_ACCOUNT)
            return None
        found = (await uow.session.execute(select(ApiClient).where(ApiClient.name == DEMO_CLIENT))).scalar_one_or_none()
        if found is None:
            data = ApiClientData(name=DEMO_CLIENT, user_id=user_id, operations=[CONFIRM_DOCUMENT, ALERT_DOCUMENT],
                                 platforms=list(PLATFORMS))  # fmt: skip
            client, secret = await create_client(uow, system_actor(), data, services.documents)
        else:
            client, secret = await rotate_secret(uow, system_actor(), found.id)
            client.operations = sorted(set(client.operations) | {CONFIRM_DOCUMENT, ALERT_DOCUMENT})
            client.platforms = sorted(PLATFORMS)  # the demo's one client speaks for every simulated platform
        key = client.key_id
    document = services.documents.by_name[CONFIRM_DOCUMENT].id
    url = f"http://127.0.0.1:{services.settings.port}/graphql"
    return CallbackSettings(url=url, api_key=key, secret=secret, document_hash=document, delay_seconds=3)
