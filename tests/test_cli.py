"""The `govops` command on a fresh embedded database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from core.settings import ROOT


def govops(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True)


def test_upgrade_seed_and_create_the_first_administrator(tmp_path):
    env = {**os.environ, "GOVOPS_PROFILE": "demo", "GOVOPS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
           "GOVOPS_PASSWORD_ITERATIONS": "1000", "GOVOPS_DEMO_PASSWORD": "Demo#Pass2026"}  # fmt: skip
    assert govops(env, "db", "upgrade").returncode == 0
    seeded = govops(env, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "65 users. Password for all of them: Demo#Pass2026" in seeded.stdout
    assert "Wireless: 42 work orders in every state" in seeded.stdout
    assert "Secure access: 600 accounts across the access units." in seeded.stdout
    assert "Secure access: 42 work orders in every state" in seeded.stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        states = {s for (s,) in db.execute("SELECT DISTINCT status FROM work_order WHERE kind LIKE 'wireless.%'")}
        secure = {s for (s,) in db.execute("SELECT DISTINCT status FROM work_order WHERE kind LIKE 'secure_access.%'")}
        kinds = {k for (k,) in db.execute("SELECT DISTINCT kind FROM work_order")}
    assert states == {"PROCESSING", "RETURNED", "REJECTED", "WITHDRAWN", "DISPATCHING"}  # DISPATCHING: until make run
    assert secure == states
    assert len([k for k in kinds if k.startswith("wireless.")]) == 5
    assert {k for k in kinds if k.startswith("secure_access.")} == {"secure_access.open", "secure_access.change",
                                                                    "secure_access.revoke"}  # fmt: skip
    again = govops(env, "seed-demo").stdout
    assert "already present" in again and "work orders" not in again
    made = govops(env, "user", "create", "ops.chen", "--unit", "SHBDC", "--display-name", "陈工", "--role", "management_operator",
                  stdin="Chen#Secure2026\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "created ops.chen"
    weak = govops(env, "user", "create", "ops.li", "--unit", "SHBDC", stdin="short\n")
    assert weak.returncode != 0
    assert "password: 密码长度应为10–128位" in weak.stderr


def test_production_refuses_demo_secrets_and_sqlite(tmp_path):
    env = {**os.environ, "GOVOPS_PROFILE": "production", "GOVOPS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'p.sqlite3'}"}
    env.pop("GOVOPS_MASTER_KEY", None)
    result = govops(env, "seed-demo")
    assert result.returncode != 0
    assert "GOVOPS_MASTER_KEY" in result.stderr


def test_only_the_demo_profile_runs_on_built_in_secrets():
    import pytest
    from pydantic import ValidationError

    from core.settings import Profile, Settings

    assert Settings(profile=Profile.DEMO).master_key is not None
    for profile in (Profile.TEST, Profile.PRODUCTION):
        with pytest.raises(ValidationError, match="GOVOPS_MASTER_KEY"):
            Settings(profile=profile, database_url="postgresql+asyncpg://x@y/z")
    with pytest.raises(ValidationError, match="demo profile only"):
        Settings(profile=Profile.TEST, master_key="k" * 40, demo_password="Some#Password1")


def test_a_fresh_production_style_installation_gets_its_first_administrators(tmp_path):
    env = {**os.environ, "GOVOPS_PROFILE": "test", "GOVOPS_MASTER_KEY": "k" * 40, "GOVOPS_PASSWORD_ITERATIONS": "1000",
           "GOVOPS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"}  # fmt: skip
    assert govops(env, "db", "upgrade").returncode == 0
    missing = govops(env, "user", "create", "root", "--unit", "SHBDC", stdin="Root#Secure2026\n")
    assert missing.returncode == 1
    assert "unit SHBDC not found" in missing.stderr
    made = govops(env, "unit", "create", "SHBDC", "上海市大数据中心")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "created unit SHBDC"
    for name, role in (("sysadmin", "system_admin"), ("secadmin", "security_admin")):
        result = govops(env, "user", "create", name, "--unit", "SHBDC", "--role", role, stdin="Admin#Secure2026\n")
        assert result.returncode == 0, result.stderr
    both = govops(env, "user", "create", "superman", "--unit", "SHBDC", "--role", "system_admin", "--role", "audit_admin",
                  stdin="Super#Secure2026\n")  # fmt: skip
    assert both.returncode == 1
    assert "DUTY" in both.stderr or "两" in both.stderr or "duties" in both.stderr


def test_an_administrator_locked_out_is_recovered_from_the_server(tmp_path):
    env = {**os.environ, "GOVOPS_PROFILE": "demo", "GOVOPS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite3'}",
           "GOVOPS_PASSWORD_ITERATIONS": "1000", "GOVOPS_DEMO_PASSWORD": "Demo#Pass2026"}  # fmt: skip
    assert govops(env, "db", "upgrade").returncode == 0
    assert govops(env, "seed-demo").returncode == 0
    weak = govops(env, "user", "reset-password", "secadmin", stdin="short\n")
    assert weak.returncode == 1
    done = govops(env, "user", "reset-password", "secadmin", stdin="Recovered#2026x\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "password of secadmin reset"
    assert govops(env, "audit", "verify").returncode == 0
