"""Organisation units, users, roles, role grants and login tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    event,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from core import integrity
from core.db.base import AUTOINCREMENT, Base, BigId, JSONType, UTCDateTime, enum_column
from core.db.encrypted import BlindIndex, Encrypted, blind_indexed, normalize_email, normalize_phone
from domain.identity.enums import AdminDuty, ApiClientStatus, OrgUnitKind, OrgUnitStatus, RoleUnitKind, UserStatus


class OrgUnit(Base):
    __tablename__ = "org_unit"
    __table_args__ = (Index("ix_org_unit_parent", "parent_id"), Index("ix_org_unit_path", "path"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[OrgUnitKind] = mapped_column(enum_column(OrgUnitKind, "org_unit_kind"))
    status: Mapped[OrgUnitStatus] = mapped_column(enum_column(OrgUnitStatus, "org_unit_status"), default=OrgUnitStatus.ACTIVE)
    parent_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("org_unit.id", ondelete="RESTRICT"), nullable=True)
    # Materialised ancestry "/1/7/42/": a subtree is one indexed prefix match, no recursive query.
    path: Mapped[str] = mapped_column(String(512))
    contact_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Contact details are personal information: sealed at rest, searched by exact match through the blind index.
    contact_phone: Mapped[str | None] = mapped_column(Encrypted("org_unit.contact_phone"), nullable=True)
    contact_phone_bidx: Mapped[str | None] = mapped_column(BlindIndex, nullable=True, index=True)
    contact_email: Mapped[str | None] = mapped_column(Encrypted("org_unit.contact_email"), nullable=True)
    contact_email_bidx: Mapped[str | None] = mapped_column(BlindIndex, nullable=True, index=True)
    address: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # HMAC-SM3 over (id, kind, status, path): what decides who sees what (data scope integrity).
    scope_mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        Index("ix_user_account_unit", "org_unit_id", "id"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_non_negative"),
        AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    org_unit_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("org_unit.id", ondelete="RESTRICT"))
    status: Mapped[UserStatus] = mapped_column(enum_column(UserStatus, "user_status"), default=UserStatus.ACTIVE)
    password_hash: Mapped[str] = mapped_column(String(256))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    phone: Mapped[str | None] = mapped_column(Encrypted("user_account.phone"), nullable=True)
    phone_bidx: Mapped[str | None] = mapped_column(BlindIndex, nullable=True, index=True)
    email: Mapped[str | None] = mapped_column(Encrypted("user_account.email"), nullable=True)
    email_bidx: Mapped[str | None] = mapped_column(BlindIndex, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # HMAC-SM3 over (id, unit, status): a user moved to another unit in the database fails closed.
    scope_mac: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # HMAC-SM3 over (id, password hash): a hash written straight into the table opens nothing.
    password_mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Role(Base):
    __tablename__ = "role"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    duty: Mapped[AdminDuty | None] = mapped_column(enum_column(AdminDuty, "admin_duty"), nullable=True, unique=True)
    unit_kind: Mapped[RoleUnitKind] = mapped_column(enum_column(RoleUnitKind, "role_unit_kind"))
    built_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RolePermission(Base):
    __tablename__ = "role_permission"

    role_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(64), primary_key=True)
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)  # core/integrity.py


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (Index("ix_user_role_role", "role_id"),)

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("role.id", ondelete="RESTRICT"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)  # core/integrity.py


class AccessToken(Base):
    """A login: the token itself is never stored, only its SM3 hash."""

    __tablename__ = "access_token"
    __table_args__ = (Index("ix_access_token_user", "user_id", "created_at"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(256), nullable=True)


class ApiClient(Base):
    """A third-party platform's credentials: it signs requests with its secret, acts as its service
    account (whose roles and unit give permissions and data scope), and may run only the persisted
    operations on its allow-list."""

    __tablename__ = "api_client"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    secret: Mapped[str] = mapped_column(Encrypted("api_client.secret"))  # HMAC-SM3 key: sealed at rest
    operations: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The platforms it speaks for (domain.integration.platforms): it may settle only their dispatches.
    platforms: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[ApiClientStatus] = mapped_column(enum_column(ApiClientStatus, "api_client_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiNonce(Base):
    """Nonces seen in signed requests inside the timestamp window: a second use is a replay."""

    __tablename__ = "api_nonce"
    __table_args__ = (PrimaryKeyConstraint("client_id", "nonce"), Index("ix_api_nonce_seen_at", "seen_at"))

    client_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("api_client.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExternalIdentity(Base):
    """A user's account at an identity provider (the office platform): found by the provider's subject."""

    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SsoRoleMapping(Base):
    """Which of our roles a provider's group brings to a user created at first login."""

    __tablename__ = "sso_role_mapping"
    __table_args__ = (PrimaryKeyConstraint("provider", "group_name", "role_id"),)

    provider: Mapped[str] = mapped_column(String(32))
    group_name: Mapped[str] = mapped_column(String(128))
    role_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("role.id", ondelete="CASCADE"))


class SsoPending(Base):
    """An authorization request between the redirect to the provider and its callback (single use)."""

    __tablename__ = "sso_pending"
    __table_args__ = (Index("ix_sso_pending_created_at", "created_at"),)

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(Encrypted("sso_pending.code_verifier"))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginNonce(Base):
    """A loginChallenge nonce: single use, short-lived (replayed SM2-encrypted passwords are refused)."""

    __tablename__ = "login_nonce"
    __table_args__ = (Index("ix_login_nonce_expires_at", "expires_at"),)

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PasswordHistory(Base):
    """Earlier password hashes of a user: a new password may not repeat the last few."""

    __tablename__ = "password_history"
    __table_args__ = (Index("ix_password_history_user", "user_id", "changed_at"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"))
    password_hash: Mapped[str] = mapped_column(String(256))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserTotp(Base):
    """A user's TOTP second factor (RFC 6238); the shared secret is sealed at rest."""

    __tablename__ = "user_totp"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(Encrypted("user_totp.secret"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # a code is accepted once
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


blind_indexed(OrgUnit.contact_phone, OrgUnit.contact_phone_bidx, normalize_phone)
blind_indexed(OrgUnit.contact_email, OrgUnit.contact_email_bidx, normalize_email)
blind_indexed(User.phone, User.phone_bidx, normalize_phone)
blind_indexed(User.email, User.email_bidx, normalize_email)


def unit_scope_mac(unit_id: int, kind: object, status: object, path: str) -> str:
    return integrity.seal("org_unit_scope", unit_id, getattr(kind, "value", kind), getattr(status, "value", status), path)


def user_scope_mac(user_id: int, org_unit_id: int, status: object) -> str:
    return integrity.seal("user_scope", user_id, org_unit_id, getattr(status, "value", status))


def password_mac(user_id: int, password_hash: str) -> str:
    return integrity.seal("user_password", user_id, password_hash)


# Every ORM write of a unit or user re-seals its scope: ids are known before an update, and right
# after an insert (written through the same connection, inside the same transaction).
@event.listens_for(OrgUnit, "before_update")
def _seal_unit(_mapper: object, _connection: object, unit: OrgUnit) -> None:
    unit.scope_mac = unit_scope_mac(unit.id, unit.kind, unit.status, unit.path)


@event.listens_for(OrgUnit, "after_insert")
def _seal_new_unit(_mapper: object, connection: Any, unit: OrgUnit) -> None:
    mac = unit_scope_mac(unit.id, unit.kind, unit.status, unit.path)
    connection.execute(update(OrgUnit.__table__).where(OrgUnit.__table__.c.id == unit.id).values(scope_mac=mac))
    set_committed_value(unit, "scope_mac", mac)


@event.listens_for(User, "before_update")
def _seal_user(_mapper: object, _connection: object, user: User) -> None:
    user.scope_mac = user_scope_mac(user.id, user.org_unit_id, user.status)
    user.password_mac = password_mac(user.id, user.password_hash)


@event.listens_for(User, "after_insert")
def _seal_new_user(_mapper: object, connection: Any, user: User) -> None:
    mac, pw = user_scope_mac(user.id, user.org_unit_id, user.status), password_mac(user.id, user.password_hash)
    connection.execute(update(User.__table__).where(User.__table__.c.id == user.id).values(scope_mac=mac, password_mac=pw))
    set_committed_value(user, "scope_mac", mac)
    set_committed_value(user, "password_mac", pw)
