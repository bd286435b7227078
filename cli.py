"""The `govops` command: serve, worker, db upgrade/downgrade, seed-demo, user create."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from core.settings import ROOT, Profile, get_settings

app = typer.Typer(help="GovOps: e-government network operations and cloud management platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from alembic import command

    settings = get_settings()
    if settings.is_sqlite:
        (ROOT / "var").mkdir(exist_ok=True)
    command.upgrade(_alembic_config(), revision)


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base or -1.")) -> None:
    """Revert migrations down to REVISION."""
    from alembic import command

    command.downgrade(_alembic_config(), revision)


@app.command()
def serve() -> None:
    """Serve the API (settings from GOVOPS_* variables: host, port, workers)."""
    import server

    server.run()


@app.command()
def worker() -> None:
    """Run an arq worker: outbox jobs and cron jobs (needs GOVOPS_REDIS_URL)."""
    settings = get_settings()
    if settings.redis_url is None:
        typer.echo("GOVOPS_REDIS_URL is not set: in embedded mode the API process runs the jobs itself.", err=True)
        raise typer.Exit(2)
    from arq.worker import run_worker

    from jobs.worker import WorkerSettings

    run_worker(WorkerSettings)  # type: ignore[arg-type]


def demo_plans() -> list[dict[str, object]]:
    """The carriers' plan catalogues as their simulators sell them."""
    from integrations.carriers.plans import PLANS

    return [
        {"carrier": carrier, "code": p["code"], "name": p["name"], "monthly_fee": p["monthlyFeeFen"], "data_gb": p["dataGb"]}
        for carrier, plans in PLANS.items()
        for p in plans
    ]


def demo_numbers() -> Any:
    """Fresh card numbers per carrier from the carriers' own generators (seeded apart from the simulators')."""
    from domain.wireless.enums import Carrier
    from integrations.carriers.numbers import NumberGenerator

    generators = {c: NumberGenerator(c.value, seed=9000 + i) for i, c in enumerate(Carrier)}

    def draw(carrier: Carrier) -> tuple[str, str, str]:
        g = generators[carrier]
        return g.iccid(), g.msisdn(), g.imsi()

    return draw


@app.command("seed-demo")
def seed_demo() -> None:
    """Create the demo organisation and users (demo profile only); prints the credentials."""
    settings = get_settings()
    if settings.profile is not Profile.DEMO or settings.demo_password is None:
        typer.echo("seed-demo runs only with GOVOPS_PROFILE=demo.", err=True)
        raise typer.Exit(2)
    password = settings.demo_password.get_secret_value()

    async def go() -> list | None:  # type: ignore[type-arg]
        from core.db.engine import create_session_factory
        from core.db.uow import UnitOfWork
        from domain.assets import demo as asset_demo
        from domain.faults.demo import seed_faults
        from domain.identity.demo import seed_demo as seed
        from domain.secure_access import demo as secure_access_demo
        from domain.wireless import demo as wireless_demo
        from domain.wireless.demo_orders import seed_orders

        engine = await _open_engine()
        try:
            async with UnitOfWork(create_session_factory(engine)) as uow:
                people = await seed(uow, password, settings.password_iterations)
            async with UnitOfWork(create_session_factory(engine)) as uow:
                cards = await wireless_demo.seed(uow, demo_plans(), demo_numbers())
            if cards:
                typer.echo(f"Wireless: {cards} SIM cards across the access units.")
            if orders := await seed_orders(engine):
                typer.echo(f"Wireless: {orders} work orders in every state (the approved ones complete once `make run` starts).")
            async with UnitOfWork(create_session_factory(engine)) as uow:
                accounts = await secure_access_demo.seed(uow)
            if accounts:
                typer.echo(f"Secure access: {accounts} accounts across the access units.")
            if orders := await secure_access_demo.seed_orders(engine):
                typer.echo(
                    f"Secure access: {orders} work orders in every state (the approved ones complete once `make run` starts)."
                )
            async with UnitOfWork(create_session_factory(engine)) as uow:
                assets = await asset_demo.seed(uow)
            if assets:
                typer.echo(f"Assets: {assets} assets (fibre, wireless, secure access) from the equipment catalogue.")
            if faults := await seed_faults(engine):
                typer.echo(f"Faults: {faults} fault reports in every stage, two of them opened by critical alerts.")
            return people
        finally:
            await engine.dispose()

    people = asyncio.run(go())
    if people is None:
        typer.echo("Demo data already present.")
    else:
        typer.echo(f"Demo data created: {len(people)} users. Password for all of them: {password}")
    typer.echo("Log in as: admin (system admin), secadmin (security admin), auditor (audit admin),")
    typer.echo("           operator (Big Data Center staff), pd_admin / pd_user (浦东新区), ga_admin (市公安局) ...")


async def _open_engine() -> Any:
    """The database engine, with this deployment's keys configured and its data keys loaded."""
    import models  # noqa: F401  (every table: the key commands walk every encrypted column)
    from core import keys
    from core.db.engine import create_engine

    settings = get_settings()
    assert settings.master_key is not None
    keys.configure(settings.master_key.get_secret_value())
    engine = create_engine(settings.database_url)
    try:
        await keys.load(engine)
    except Exception:
        await engine.dispose()
        raise
    return engine


def _read_password(prompt: str) -> str:
    """From the terminal without echo, or the first line of stdin (scripts, tests)."""
    return getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")


async def _read_only(work: Any) -> Any:
    """Run `work(session)` on a session of its own (the verify commands)."""
    from core.db.engine import create_session_factory

    engine = await _open_engine()
    try:
        async with create_session_factory(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


def _fail(errors: list) -> None:  # type: ignore[type-arg]
    typer.echo("\n".join(f"{e.field or '-'}: {e.message}" for e in errors), err=True)
    raise typer.Exit(1)


async def _as_system(work: Any) -> Any:
    """Run `work(uow, actor)` as the server's own operator: a unit of work, audited like any change."""
    from core.db.engine import create_session_factory
    from core.db.uow import UnitOfWork
    from core.errors import DomainError, DomainErrors
    from domain.identity.builtin import ensure_builtin_roles
    from domain.identity.system import system_actor

    engine = await _open_engine()
    try:
        async with UnitOfWork(create_session_factory(engine)) as uow:
            roles = await ensure_builtin_roles(uow)
            try:
                return await work(uow, system_actor(), roles)
            except DomainErrors as exc:
                _fail(exc.errors)
            except DomainError as exc:
                _fail([exc])
    finally:
        await engine.dispose()


unit_app = typer.Typer(help="Organisation units.", no_args_is_help=True)
app.add_typer(unit_app, name="unit")


@unit_app.command("create")
def unit_create(
    code: Annotated[str, typer.Argument(help="Unique unit code, e.g. SHBDC.")],
    name: Annotated[str, typer.Argument(help="Full name, e.g. 上海市大数据中心.")],
    kind: Annotated[str, typer.Option(help="MANAGEMENT or ACCESS_UNIT.")] = "MANAGEMENT",
    parent: Annotated[str | None, typer.Option(help="Parent unit code.")] = None,
) -> None:
    """Create a unit: the management unit of a fresh installation, or any other."""
    from domain.identity import repository as repo
    from domain.identity.enums import OrgUnitKind
    from domain.identity.service import OrgUnitData, create_org_unit

    try:
        unit_kind = OrgUnitKind(kind.upper())
    except ValueError:
        typer.echo("kind must be MANAGEMENT or ACCESS_UNIT", err=True)
        raise typer.Exit(2) from None

    async def work(uow: Any, actor: Any, _roles: Any) -> str:
        parent_id = None
        if parent:
            found = await repo.get_org_unit_by_code(uow.session, parent)
            parent_id = found.id if found else None
            if parent_id is None:
                typer.echo(f"parent unit {parent} not found", err=True)
                raise typer.Exit(1)
        unit = await create_org_unit(uow, actor, OrgUnitData(code=code, name=name, kind=unit_kind, parent_id=parent_id))
        return f"created unit {unit.code}"

    typer.echo(asyncio.run(_as_system(work)))


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="Login name.")],
    unit: Annotated[str, typer.Option(help="Unit code, e.g. SHBDC.")],
    display_name: Annotated[str, typer.Option(help="Name shown to people.")] = "",
    role: Annotated[list[str], typer.Option(help="Role code; repeat for several.")] = [],  # noqa: B006
) -> None:
    """Create a user (the first administrators of a fresh installation); asks for the password."""
    settings = get_settings()
    password = _read_password("Password: ")

    async def work(uow: Any, actor: Any, roles: Any) -> str:
        from domain.identity import repository as repo
        from domain.identity.service import UserData, create_user, set_user_roles

        org = await repo.get_org_unit_by_code(uow.session, unit)
        if org is None:
            typer.echo(f"unit {unit} not found (create it with `govops unit create`)", err=True)
            raise typer.Exit(1)
        unknown = [r for r in role if r not in roles]
        if unknown:
            typer.echo(f"unknown roles: {', '.join(unknown)}", err=True)
            raise typer.Exit(1)
        data = UserData(username=username, display_name=display_name or username, org_unit_id=org.id, password=password)
        user = await create_user(uow, actor, settings, data)
        if role:  # the same rules as the API: unit kinds fit, one administrator duty per person
            await set_user_roles(uow, actor, user.id, [roles[r].id for r in role])
        return f"created {username}"

    typer.echo(asyncio.run(_as_system(work)))


@user_app.command("reset-password")
def user_reset_password(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Set a new password from the server itself (recovery, e.g. for an administrator the API protects);
    ends the user's logins, lifts a lockout, and is written to the operation log."""
    settings = get_settings()
    password = _read_password("New password: ")

    async def work(uow: Any, actor: Any, _roles: Any) -> str:
        from domain.identity.passwords import recover_password

        await recover_password(uow, actor, settings, username, password)
        return f"password of {username} reset"

    typer.echo(asyncio.run(_as_system(work)))


audit_app = typer.Typer(help="The operation log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the operation log's HMAC-SM3 chain; exit 1 and name the first broken record."""
    from core.audit import verify_chain
    from domain.audit.archive import verify_archives

    folder = get_settings().audit_archive_dir

    async def work(session: Any) -> tuple[Any, list[str]]:
        return await verify_chain(session), await verify_archives(session, folder)

    report, archive_problems = asyncio.run(_read_only(work))
    for problem in archive_problems:
        typer.echo(problem)
    if report.reason is None and not archive_problems:
        typer.echo(f"audit chain intact: {report.checked} records")
        return
    if report.reason is None:
        raise typer.Exit(1)
    where = f"record {report.broken_id}" if report.broken_id is not None else "the chain head"
    typer.echo(
        f"audit chain broken at {where} (sequence {report.broken_seq}): {report.reason}; {report.checked} records before it are intact"
    )
    raise typer.Exit(1)


@audit_app.command("archive")
def audit_archive(
    older_than_days: Annotated[
        int | None, typer.Option(min=180, help="Archive records older than this (default GOVOPS_AUDIT_ARCHIVE_AFTER_DAYS).")
    ] = None,
) -> None:
    """Move old operation-log records into verified archive files now (the daily job does the same)."""
    from core.db.engine import create_session_factory
    from core.db.uow import UnitOfWork
    from domain.audit.archive import archive_old

    settings = get_settings()
    days = older_than_days or settings.audit_archive_after_days

    async def go() -> int:
        engine = await _open_engine()
        total = 0
        try:
            while True:
                async with UnitOfWork(create_session_factory(engine)) as uow:
                    result = await archive_old(uow, settings.audit_archive_dir, days)
                if result.archived == 0:
                    return total
                total += result.archived
                typer.echo(f"{result.file}: {result.archived} records")
        finally:
            await engine.dispose()

    typer.echo(f"archived {asyncio.run(go())} records older than {days} days")


integrity_app = typer.Typer(help="Integrity of access-control records.", no_args_is_help=True)
app.add_typer(integrity_app, name="integrity")


@integrity_app.command("verify")
def integrity_verify() -> None:
    """Check the HMAC-SM3 of every role grant, role permission, data scope and interface-log row; exit 1 and list those that fail."""
    from domain.identity import repository as repo
    from domain.integration import repository as interface_log

    async def broken(session: Any) -> tuple[list, list, list, list]:  # type: ignore[type-arg]
        return (await repo.broken_bindings(session), await repo.broken_permissions(session), await repo.broken_scopes(session),
                await interface_log.broken_calls(session))  # fmt: skip

    bindings, permissions, scopes, calls = asyncio.run(_read_only(broken))
    for user_id, role_id in bindings:
        typer.echo(f"role grant user={user_id} role={role_id}: MAC does not verify")
    for role_id, permission in permissions:
        typer.echo(f"role permission role={role_id} permission={permission}: MAC does not verify")
    for what in scopes:
        typer.echo(f"{what if what.startswith('password') else 'data scope of ' + what}: MAC does not verify")
    for call_id in calls:
        typer.echo(f"interface call {call_id}: MAC does not verify")
    if bindings or permissions or scopes or calls:
        raise typer.Exit(1)
    typer.echo("access-control records and interface log intact")


keys_app = typer.Typer(help="The data key ring (SM4 keys wrapped by the master key).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("status")
def keys_status() -> None:
    """List the data key versions and, per encrypted column, values not yet on the active key."""
    from core import keyring

    async def work(_session: Any) -> tuple[list, dict]:  # type: ignore[type-arg]
        engine = _session.bind
        return await keyring.key_infos(engine), await keyring.stale_values(engine, keyring.encrypted_columns())

    infos, stale = asyncio.run(_read_only(work))
    for k in infos:
        when = k.retired_at or k.activated_at or k.created_at
        typer.echo(f"key {k.version}: {k.state.value:<9} since {when:%Y-%m-%d %H:%M:%S} UTC")
    for column, count in stale.items():
        typer.echo(f"{column}: {count} values on an older key" if count else f"{column}: all on the active key")


@keys_app.command("rotate")
def keys_rotate(
    propagation_seconds: Annotated[
        float | None,
        typer.Option(help="Wait between steps so every process loads the new key (default: GOVOPS_KEY_REFRESH_SECONDS + 5)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Rows re-encrypted per transaction.")] = 500,
) -> None:
    """Move every encrypted column to a new data key while the system keeps serving; the old key is destroyed."""
    from core import keyring, storage
    from core.bus import RedisBus

    settings = get_settings()
    wait = settings.key_refresh_seconds + 5 if propagation_seconds is None else propagation_seconds

    async def go() -> keyring.RotationReport:
        engine = await _open_engine()
        bus = RedisBus(settings.redis_url) if settings.redis_url else None

        async def publish(channel: str, message: dict[str, object]) -> None:
            if bus is not None:  # embedded servers pick the change up at their next periodic reload
                await bus.publish(channel, message)

        try:
            columns = keyring.encrypted_columns()
            return await keyring.rotate(
                engine, publish, columns, propagation_seconds=wait, batch_size=batch_size, progress=typer.echo,
                files=storage.store_from_settings(settings),
            )  # fmt: skip
        finally:
            if bus is not None:
                await bus.close()
            await engine.dispose()

    report = asyncio.run(go())
    typer.echo(
        f"rotated to key {report.new_version}: {report.rewritten} values re-encrypted in {report.passes} passes; "
        f"retired {report.old_versions or 'none'}"
    )


release_app = typer.Typer(help="Program integrity: SM3 manifest of the shipped files, signed with SM2.", no_args_is_help=True)
app.add_typer(release_app, name="release")


@release_app.command("keygen")
def release_keygen(out: Annotated[Path, typer.Argument(help="Folder for release-private.pem and release-public.pem.")]) -> None:
    """Create the release signing key pair (keep the private key off the servers)."""
    from core import release

    out.mkdir(parents=True, exist_ok=True)
    private, public = release.generate_keypair()
    private_path = out / "release-private.pem"
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    (out / "release-public.pem").write_bytes(public)
    typer.echo(f"wrote {private_path} (mode 600) and {out / 'release-public.pem'}")


@release_app.command("sign")
def release_sign(
    key: Annotated[Path, typer.Option(help="The SM2 private key (PEM).")],
    root: Annotated[Path, typer.Option(help="The release tree.")] = ROOT,
) -> None:
    """Write RELEASE-MANIFEST.json (SM3 of every shipped file) and its SM2 signature."""
    from core import release

    manifest = release.sign_release(root, release.read_key_file(key))
    typer.echo(f"signed {len(manifest['files'])} files: {root / release.MANIFEST_NAME}, {root / release.SIGNATURE_NAME}")


@release_app.command("verify")
def release_verify(
    public_key: Annotated[Path | None, typer.Option(help="The SM2 public key (default: GOVOPS_RELEASE_PUBLIC_KEY_FILE).")] = None,
    root: Annotated[Path, typer.Option(help="The release tree.")] = ROOT,
) -> None:
    """Check the signature and every shipped file; exit 1 and name what differs."""
    from core import release

    key = public_key or get_settings().release_public_key_file
    if key is None:
        typer.echo("no public key: pass --public-key or set GOVOPS_RELEASE_PUBLIC_KEY_FILE", err=True)
        raise typer.Exit(2)
    report = release.verify_release(root, release.read_key_file(key))
    for problem in report.problems:
        typer.echo(problem)
    if not report.ok:
        raise typer.Exit(1)
    typer.echo(f"release intact: {report.checked} files match the signed manifest")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
