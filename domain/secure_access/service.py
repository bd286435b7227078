"""Secure access use cases on the registry: an account enters it only with the name the support platform issued,
every status change goes through the transition table, and every change leaves a history row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from core.clock import utcnow
from core.db.uow import UnitOfWork
from domain.catalog.models import Application
from domain.identity.journal import record_change
from domain.secure_access import repository as repo
from domain.secure_access import validation
from domain.secure_access.enums import ACCOUNT_TRANSITIONS, AccountEventKind, AccountStatus
from domain.secure_access.errors import Code, error
from domain.secure_access.models import SecureAccessAccount, SecureAccessEvent, secure_access_mac, secure_access_system

MAC_LIMIT = 5  # MAC addresses an account may bind unless the management unit allows more
MAX_VALIDITY_DAYS = 3 * 366


@dataclass(frozen=True)
class NewAccount:
    """An account as the platform opened it, with what the order asked for."""

    account_name: str
    holder_name: str
    holder_phone: str
    holder_id_number: str
    unit_id: int
    macs: list[str]
    application_ids: list[int]
    valid_from: date
    valid_to: date


def history(uow: UnitOfWork, account: SecureAccessAccount, kind: AccountEventKind, now: datetime, *,
            actor_name: str = "系统", before: AccountStatus | None = None, order_id: int | None = None,
            detail: dict[str, Any] | None = None) -> None:  # fmt: skip
    uow.session.add(SecureAccessEvent(
        account_id=account.id, kind=kind, from_status=before,
        to_status=account.status if before is not None or kind is AccountEventKind.OPENED else None,
        order_id=order_id, actor_name=actor_name, at=now, detail=detail or {},
    ))  # fmt: skip


async def macs_of(uow: UnitOfWork, account_id: int) -> list[str]:
    m = secure_access_mac.c
    return list((await uow.session.execute(select(m.mac).where(m.account_id == account_id).order_by(m.mac))).scalars())


async def system_codes_of(uow: UnitOfWork, account_id: int) -> list[str]:
    s, a = secure_access_system.c, Application.__table__.c
    stmt = select(a.code).join_from(secure_access_system, Application.__table__, a.id == s.application_id)
    return list((await uow.session.execute(stmt.where(s.account_id == account_id).order_by(a.code))).scalars())


async def set_macs(uow: UnitOfWork, account: SecureAccessAccount, macs: list[str]) -> None:
    m = secure_access_mac.c
    await uow.session.execute(delete(secure_access_mac).where(m.account_id == account.id))
    if macs:
        await uow.session.execute(insert(secure_access_mac), [{"account_id": account.id, "mac": mac} for mac in macs])


async def set_systems(uow: UnitOfWork, account: SecureAccessAccount, application_ids: list[int]) -> None:
    s = secure_access_system.c
    await uow.session.execute(delete(secure_access_system).where(s.account_id == account.id))
    if application_ids:
        await uow.session.execute(
            insert(secure_access_system), [{"account_id": account.id, "application_id": a} for a in application_ids]
        )


async def register(uow: UnitOfWork, new: NewAccount, *, order_id: int | None = None, now: datetime | None = None,
                   status: AccountStatus = AccountStatus.ACTIVE) -> SecureAccessAccount:  # fmt: skip
    """Put an account the platform opened into the registry, with its MACs and systems (DUPLICATE_ACCOUNT)."""
    now = now or utcnow()
    taken = (await uow.session.execute(
        select(SecureAccessAccount.id).where(SecureAccessAccount.account_name == new.account_name))).first()  # fmt: skip
    if taken is not None:
        raise error(Code.DUPLICATE_ACCOUNT, f"账号已登记 / Account {new.account_name} is already registered", "accountName")
    account = SecureAccessAccount(
        account_name=new.account_name, holder_name=new.holder_name, holder_phone=new.holder_phone,
        holder_id_number=new.holder_id_number, unit_id=new.unit_id, status=status, valid_from=new.valid_from,
        valid_to=new.valid_to, mac_limit=max(MAC_LIMIT, len(new.macs)), online_sessions=0,
        activated_at=now if status is AccountStatus.ACTIVE else None, created_at=now, updated_at=now,
    )  # fmt: skip
    uow.session.add(account)
    await uow.session.flush()
    await set_macs(uow, account, new.macs)
    await set_systems(uow, account, new.application_ids)
    history(uow, account, AccountEventKind.OPENED, now, order_id=order_id,
            detail={"macs": new.macs, "validFrom": new.valid_from.isoformat(), "validTo": new.valid_to.isoformat()})  # fmt: skip
    return account


async def change_status(uow: UnitOfWork, account: SecureAccessAccount, to: AccountStatus, *, order_id: int | None = None,
                        actor_name: str = "系统", now: datetime | None = None,
                        detail: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Move an account through the transition table (INVALID_TRANSITION otherwise) and record it; a revoked account
    releases its MAC addresses (kept in the history row)."""
    now = now or utcnow()
    if (account.status, to) not in ACCOUNT_TRANSITIONS:
        raise error(
            Code.INVALID_TRANSITION,
            f"账号状态{account.status.value}不能变为{to.value} / A {account.status.value} account cannot become {to.value}",
        )
    before = account.status
    account.status, account.updated_at = to, now
    detail = dict(detail or {})
    if to in (AccountStatus.REVOKED, AccountStatus.EXPIRED):
        if to is AccountStatus.REVOKED:
            account.revoked_at = now
        account.online_sessions = 0
        if released := await macs_of(uow, account.id):
            detail["releasedMacs"] = released
            await set_macs(uow, account, [])
    if to is AccountStatus.ACTIVE and account.activated_at is None:
        account.activated_at = now
    history(uow, account, AccountEventKind.STATUS_CHANGED, now, actor_name=actor_name, before=before, order_id=order_id,
            detail=detail)  # fmt: skip


@dataclass
class AccountEdit:
    """What the management unit may correct by hand (None: unchanged). Validity and the MAC limit are the platform's
    too, so they change by work order, not here."""

    holder_name: str | None = None
    holder_phone: str | None = None


async def update(uow: UnitOfWork, actor: Any, account: SecureAccessAccount, edit: AccountEdit,
                 now: datetime | None = None) -> SecureAccessAccount:  # fmt: skip
    """Correct an account's holder details (audited in the operation log and the account's history).
    INVALID_INPUT, INVALID_TRANSITION (a revoked account)."""
    now = now or utcnow()
    if account.status in (AccountStatus.REVOKED, AccountStatus.EXPIRED):
        raise error(Code.INVALID_TRANSITION, "已撤销或过期的账号不能修改 / A revoked or expired account cannot be edited",
                    "id")  # fmt: skip
    changes: dict[str, dict[str, Any]] = {}
    if edit.holder_name is not None:
        name = edit.holder_name.strip()
        if not 1 <= len(name) <= 64:
            raise error(Code.INVALID_INPUT, "使用人姓名须为1-64个字符 / The holder's name takes 1-64 characters", "holderName")
        if name != account.holder_name:
            changes["holderName"], account.holder_name = {"before": account.holder_name, "after": name}, name
    if edit.holder_phone is not None:
        phone = validation.msisdn(edit.holder_phone)
        if phone is None:
            raise error(Code.INVALID_INPUT, "手机号码格式不正确 / Not a mainland mobile number", "holderPhone")
        if phone != account.holder_phone:
            changes["holderPhone"], account.holder_phone = {"changed": True}, phone  # no number in the journal
    if changes:
        account.updated_at = now
        history(uow, account, AccountEventKind.EDITED, now, actor_name=getattr(actor, "display_name", "系统"), detail=changes)
        record_change(uow, actor, "secure_access.account_update", "SecureAccessAccount", account.id,
                      accountName=account.account_name, **changes)  # fmt: skip
    return account


async def edit(uow: UnitOfWork, actor: Any, account_id: int, changes: AccountEdit, *,
               expected_version: int | None = None) -> SecureAccessAccount:  # fmt: skip
    """The management unit's edit of an account in its data scope (NOT_FOUND, STALE_STATE, and as `update`)."""
    visible = await repo.accounts_by_ids(uow.session, actor, [account_id])
    account = await uow.session.get(SecureAccessAccount, account_id, with_for_update=True) if visible else None
    if account is None:
        raise error(Code.NOT_FOUND, "账号不存在或不在您的数据范围内 / No such account in your data scope", "id")
    if expected_version is not None and account.version != expected_version:
        raise error(Code.STALE_STATE, "账号已被他人修改，请刷新后重试 / The account changed since you read it; reload", "id")
    return await update(uow, actor, account, changes)


async def expire(uow: UnitOfWork, today: date, now: datetime | None = None, batch: int = 500) -> int:
    """Live accounts whose last day of validity has passed become EXPIRED and release their MAC addresses, as the
    platform does; returns how many."""
    now = now or utcnow()
    stmt = (
        select(SecureAccessAccount)
        .where(SecureAccessAccount.status.in_((AccountStatus.ACTIVE, AccountStatus.SUSPENDED)),
               SecureAccessAccount.valid_to < today)
        .order_by(SecureAccessAccount.id).limit(batch).with_for_update(skip_locked=True)
    )  # fmt: skip
    done = 0
    while accounts := list((await uow.session.execute(stmt)).scalars()):
        for account in accounts:
            await change_status(uow, account, AccountStatus.EXPIRED, now=now,
                                detail={"validTo": account.valid_to.isoformat()})  # fmt: skip
        await uow.session.flush()
        done += len(accounts)
    return done
