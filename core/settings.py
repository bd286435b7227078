"""Settings from the environment (prefix GOVOPS_); every one is documented in README.md."""

from __future__ import annotations

import enum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# Only the demo profile may run on these; production refuses to start without real secrets.
_DEMO_MASTER_KEY = "demo-master-key-not-for-production-000000000000000000"
_DEMO_PASSWORD = "Govops@Demo2026"

# Attachments a government office exchanges: documents, spreadsheets, scans, archives, plain text.
ATTACHMENT_TYPES = (
    "application/pdf", "image/png", "image/jpeg", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip", "application/x-zip-compressed",
    "text/plain", ".pdf", ".png", ".jpg", ".jpeg", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".txt",
)  # fmt: skip


class Profile(str, enum.Enum):
    DEMO = "demo"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVOPS_", env_file=None, extra="ignore")

    profile: Profile = Field(Profile.DEMO, description="demo, test or production")
    database_url: str = Field(
        f"sqlite+aiosqlite:///{ROOT / 'var' / 'govops.sqlite3'}",
        description="SQLAlchemy async URL; SQLite (embedded) or postgresql+asyncpg",
    )
    database_pool_size: int = Field(20, ge=1, le=200, description="pooled connections per process (PostgreSQL)")
    redis_url: str | None = Field(None, description="unset = embedded mode (in-process jobs and pub/sub)")
    host: str = Field("127.0.0.1", description="address the API listens on")
    port: int = Field(8000, ge=1, le=65535, description="port the API listens on")
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes (production: 2 or more)")
    master_key: SecretStr | None = Field(None, description="key material that wraps data keys and MACs")
    master_key_file: Path | None = Field(
        None, description="file holding the master key (a mounted secret); used when GOVOPS_MASTER_KEY is unset"
    )
    release_public_key_file: Path | None = Field(
        None, description="SM2 public key (PEM) the release manifest must verify with; required in production"
    )
    office_platform_issuer: str | None = Field(
        None, description="OpenID Connect issuer of the collaborative office platform; unset = no single sign-on"
    )
    office_platform_client_id: str = Field("govops", description="our client id at the office platform")
    office_platform_client_secret: SecretStr | None = Field(None, description="our client secret at the office platform")
    office_platform_redirect_uri: str = Field(
        "http://127.0.0.1:8000/explorer/sso-callback", description="where the platform sends the browser back (registered there)"
    )
    rate_limit_user_per_minute: int = Field(600, ge=0, description="GraphQL requests per minute per logged-in user (0 = off)")
    rate_limit_client_per_minute: int = Field(300, ge=0, description="signed requests per minute per API client (0 = off)")
    rate_limit_anonymous_per_minute: int = Field(
        120, ge=0, description="requests per minute per client address without a token (login, challenges; 0 = off)"
    )
    working_hours: str = Field(
        "09:00-12:00,13:30-17:30", description="working spans of a working day, Beijing time (SLA clocks count only these)"
    )
    audit_archive_after_days: int = Field(
        365, ge=180, le=3650, description="operation-log records older than this move to archive files (at least 180 days)"
    )
    audit_archive_dir: Path = Field(
        ROOT / "var" / "audit-archive", description="where archived operation-log files go (back it up)"
    )
    storage_dir: Path = Field(
        ROOT / "var" / "storage",
        description="where attachments and exports are kept, SM4-encrypted (production: a shared volume every replica mounts)",
    )
    download_link_seconds: int = Field(
        900, ge=60, le=86400, description="how long a signed download link (/files/<token>) stays valid"
    )
    attachment_max_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, le=1024 * 1024 * 1024, description="largest attachment a user may upload, in bytes"
    )
    attachment_types: str = Field(
        ",".join(ATTACHMENT_TYPES),
        description="attachments allowed (comma-separated): MIME types, and extensions starting with '.'; an upload must match one of each",
    )
    screen_cache_seconds: float = Field(
        60.0, ge=0, le=3600,
        description="overview and statistics figures are shared for this long (±20 %) per data scope, then refreshed in the background (0: computed on every request)",
    )  # fmt: skip
    auth_cache_seconds: float = Field(
        5.0, ge=0, le=60,
        description="a verified bearer token is taken as verified for this long per process; revocations and new grants end it at once through the bus (0: every request reads the token)",
    )  # fmt: skip
    compiled_screens: bool = Field(
        True,
        description="answer the list screens of operations/screens/ without the GraphQL executor, in one statement each (schema/compiled.py); off: the executor answers them",
    )
    export_retention_days: int = Field(
        7, ge=1, le=365, description="exported files are deleted from storage this many days after they were made"
    )
    key_refresh_seconds: float = Field(
        30.0, gt=0, le=3600, description="how often each process reloads the data key ring (it also reloads on rotation messages)"
    )
    demo_password: SecretStr | None = Field(None, description="password of the demo users (demo profile only)")
    password_iterations: int = Field(200_000, ge=1_000, description="PBKDF2-HMAC-SM3 iterations for new hashes")
    password_history: int = Field(5, ge=0, le=24, description="a new password may not repeat this many earlier ones")
    password_max_age_days: int = Field(90, ge=0, le=3650, description="passwords expire after this many days (0 = never)")
    token_ttl_minutes: int = Field(8 * 60, ge=5, le=30 * 24 * 60, description="lifetime of a login token")
    login_max_failures: int = Field(5, ge=1, le=100, description="wrong passwords before the account locks")
    login_lockout_minutes: int = Field(15, ge=1, le=24 * 60, description="how long a locked account stays locked")
    max_query_depth: int = Field(12, ge=2, le=50, description="deepest selection a query may have")
    max_aliases: int = Field(30, ge=1, le=1000, description="aliases a document may use")
    max_tokens: int = Field(4000, ge=100, le=100_000, description="lexer tokens a document may have")
    max_query_cost: int = Field(20_000, ge=100, le=10_000_000, description="highest query cost allowed (schema/cost.py)")
    anonymous_introspection: bool | None = Field(
        None, description="may callers without a token read the schema (default: yes, except in production)"
    )
    allowed_origins: list[str] = Field(
        default_factory=list, description="browser origins allowed to open WebSockets (empty = same host only)"
    )
    log_level: str = Field("INFO", description="root log level")
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="proxies whose X-Forwarded-For is trusted for client addresses (comma-separated, or *)"
    )
    job_poll_seconds: float = Field(1.0, gt=0, le=60, description="how often the outbox relay looks for due rows")
    carrier_urls: dict[str, str] = Field(
        default_factory=dict, description='the carriers\' platform URLs, JSON: {"TELECOM": "https://...", "MOBILE": ...}'
    )
    wireless_support_url: str | None = Field(None, description="the wireless support platform's URL")
    secure_access_support_url: str | None = Field(None, description="the secure access support platform's URL")
    operations_platform_url: str | None = Field(None, description="the integrated operations platform's URL")
    fault_alert_severity: Literal["CRITICAL", "MAJOR", "MINOR", "WARNING", "NONE"] = Field(
        "CRITICAL", description="alerts of this severity or worse open a fault automatically (NONE: never)"
    )
    platform_timeout_seconds: float = Field(10.0, gt=0, le=120, description="how long a platform call may take")
    simulate_platforms: bool | None = Field(
        None, description="start the platform simulators in-process (default: in the demo profile, when no URL is set)"
    )

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        if self.master_key is None and self.master_key_file is not None:
            try:
                self.master_key = SecretStr(self.master_key_file.read_text(encoding="utf-8").strip())
            except OSError as exc:
                raise ValueError(f"GOVOPS_MASTER_KEY_FILE cannot be read: {exc}") from exc
        # Only the demo profile runs on built-in secrets; test and production must be given theirs.
        if self.profile is Profile.DEMO:
            self.master_key = self.master_key or SecretStr(_DEMO_MASTER_KEY)
            self.demo_password = self.demo_password or SecretStr(_DEMO_PASSWORD)
            return self
        if self.master_key is None or len(self.master_key.get_secret_value()) < 32:
            raise ValueError(f"GOVOPS_MASTER_KEY (>= 32 characters) is required in the {self.profile.value} profile")
        if self.demo_password is not None:
            raise ValueError("GOVOPS_DEMO_PASSWORD is for the demo profile only")
        if self.profile is Profile.PRODUCTION and self.database_url.startswith("sqlite"):
            raise ValueError("production runs on PostgreSQL (GOVOPS_DATABASE_URL=postgresql+asyncpg://...)")
        if self.profile is Profile.PRODUCTION and self.redis_url is None:
            raise ValueError("production needs GOVOPS_REDIS_URL: replicas share subscriptions, revocations and jobs through it")
        if self.profile is Profile.PRODUCTION and self.release_public_key_file is None:
            raise ValueError("production needs GOVOPS_RELEASE_PUBLIC_KEY_FILE: the server checks the signed release at start-up")
        return self

    @model_validator(mode="after")
    def _working_hours(self) -> Settings:
        from core.workcalendar import WorkCalendar

        WorkCalendar.from_spec(self.working_hours)  # refuse a malformed spec at start-up, not at the first SLA
        return self

    @model_validator(mode="after")
    def _introspection(self) -> Settings:
        if self.anonymous_introspection is None:
            self.anonymous_introspection = self.profile is not Profile.PRODUCTION
        return self

    @model_validator(mode="after")
    def _processes(self) -> Settings:
        # Several processes with the in-memory bus would not hear each other's revocations or changes,
        # and each would run the cron jobs.
        if self.workers > 1 and self.redis_url is None:
            raise ValueError("GOVOPS_WORKERS > 1 needs GOVOPS_REDIS_URL")
        return self

    @property
    def embedded(self) -> bool:
        return self.redis_url is None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
