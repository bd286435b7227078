"""Units and people: the demo organisation grown to city scale.

The 30 access units of the demo get sub-units (streets and towns under a district, branches under a bureau), skewed
so a few districts hold many; users follow the units' sizes. Every row carries the MACs the application checks on
each request (unit and user scope, password, role grants), computed with the deployment's keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bench.citygen.base import Gen, Picker, zipf_weights
from core.crypto import hash_password
from domain.identity.enums import OrgUnitKind, OrgUnitStatus, UserStatus
from domain.identity.models import password_mac, unit_scope_mac, user_scope_mac
from domain.identity.repository import binding_mac

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建宇浩凯晨昊博文斌涛婷雪琳欣怡佳悦"
STREETS = ["街道", "镇", "社区事务受理中心", "城运中心", "分局", "执法大队", "管理所", "服务中心"]


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str
    path: str
    kind: OrgUnitKind


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    unit_id: int
    role: str


@dataclass
class Organisation:
    management: Unit
    units: list[Unit]  # every access unit, demo ones first
    unit_picker: Picker  # units weighted by size
    people: list[Person]
    by_unit: dict[int, list[Person]]  # the applicants and administrators of each unit

    def applicants(self, unit_id: int) -> list[Person]:
        return [p for p in self.by_unit.get(unit_id, ()) if p.role == "unit_applicant"] or self.by_unit.get(unit_id, [])

    def admins(self, unit_id: int) -> list[Person]:
        return [p for p in self.by_unit.get(unit_id, ()) if p.role == "unit_admin"] or self.by_unit.get(unit_id, [])


def person_name(g: Gen) -> str:
    return g.rng.choice(SURNAMES) + "".join(g.rng.choice(GIVEN) for _ in range(g.rng.choice((1, 2))))


async def grow(g: Gen, password: str, iterations: int) -> Organisation:
    rows = await g.conn.fetch("SELECT id, code, name, path, kind, parent_id FROM org_unit ORDER BY id")
    management = next(
        Unit(r["id"], r["code"], r["name"], r["path"], OrgUnitKind(r["kind"])) for r in rows if r["kind"] == "MANAGEMENT"
    )
    parents = [Unit(r["id"], r["code"], r["name"], r["path"], OrgUnitKind(r["kind"])) for r in rows if r["kind"] == "ACCESS_UNIT"]
    wanted = g.n(400) - len(rows)
    share = Picker(parents, zipf_weights(len(parents), 0.7))
    per_parent: dict[int, int] = {}
    new_units: list[Unit] = []
    unit_rows = []
    ids = await g.ids("org_unit", max(wanted, 0))
    for uid in ids:
        parent = share(g.rng)
        k = per_parent[parent.id] = per_parent.get(parent.id, 0) + 1
        suffix = STREETS[(k + parent.id) % len(STREETS)]
        unit = Unit(uid, f"{parent.code}-{k:03d}", f"{parent.name}第{k}{suffix}", f"{parent.path}{uid}/", OrgUnitKind.ACCESS_UNIT)
        new_units.append(unit)
        created = g.now - timedelta(days=g.rng.randint(400, 1500))
        phone = f"139{g.rng.randrange(10**8):08d}"
        unit_rows.append((
            uid, unit.code, unit.name, unit.kind.value, OrgUnitStatus.ACTIVE.value, parent.id, unit.path, person_name(g) + "老师",
            g.seal("org_unit.contact_phone", phone), g.phone_index("org_unit.contact_phone", phone), None, None,
            f"上海市{parent.name[:3]}{g.rng.randint(1, 999)}号", created, created,
            unit_scope_mac(uid, unit.kind, OrgUnitStatus.ACTIVE, unit.path),
        ))  # fmt: skip
    await g.copy("org_unit", ["id", "code", "name", "kind", "status", "parent_id", "path", "contact_name", "contact_phone",
                              "contact_phone_bidx", "contact_email", "contact_email_bidx", "address", "created_at", "updated_at",
                              "scope_mac"], unit_rows)  # fmt: skip
    units = parents + new_units
    # Unit sizes: the demo units are the big ones (whole districts and bureaus), sub-units a long skewed tail.
    weights = [4.0 * w for w in zipf_weights(len(parents), 0.6)] + zipf_weights(len(new_units), 0.8)
    org = Organisation(management, units, Picker(units, weights), [], {})
    await _people(g, org, password, iterations)
    return org


async def _people(g: Gen, org: Organisation, password: str, iterations: int) -> None:
    roles = {r["code"]: r["id"] for r in await g.conn.fetch("SELECT id, code FROM role")}
    existing = await g.conn.fetch(
        "SELECT u.id, u.username, u.org_unit_id, r.code FROM user_account u JOIN user_role ur ON ur.user_id = u.id "
        "JOIN role r ON r.id = ur.role_id ORDER BY u.id"
    )
    seen: set[int] = set()
    for r in existing:
        if r["id"] not in seen:
            seen.add(r["id"])
            org.people.append(Person(r["id"], r["username"], r["org_unit_id"], r["code"]))
    wanted = g.n(5000) - len(seen)
    # One hash at the production cost, shared: PBKDF2 at 200,000 rounds for each of 5,000 users would take most of an
    # hour and buy nothing (each user's password MAC still binds the hash to that user).
    hashed = hash_password(password, iterations)
    plan: list[tuple[int, str]] = []
    for unit in org.units[30:]:  # every sub-unit has an administrator
        plan.append((unit.id, "unit_admin"))
    for _ in range(max(0, g.n(40))):
        plan.append((org.management.id, "management_operator"))
    while len(plan) < wanted:
        plan.append((org.unit_picker(g.rng).id, "unit_admin" if g.rng.random() < 0.08 else "unit_applicant"))
    plan = plan[:wanted]
    ids = await g.ids("user_account", len(plan))
    user_rows, grants = [], []
    for uid, (unit_id, role) in zip(ids, plan, strict=True):
        username = f"u{uid:06d}"
        phone = f"13{g.rng.randrange(10**9):09d}"
        email = f"{username}@sh.gov.cn"
        created = g.now - timedelta(days=g.rng.randint(30, 1400))
        changed = g.now - timedelta(days=g.rng.randint(0, 60), seconds=g.rng.randrange(86400))
        user_rows.append((
            uid, username, person_name(g), unit_id, UserStatus.ACTIVE.value, hashed, changed, 0, None,
            g.now - timedelta(hours=g.rng.randint(1, 2000)),
            g.seal("user_account.phone", phone), g.phone_index("user_account.phone", phone),
            g.seal("user_account.email", email), g.email_index("user_account.email", email),
            created, created, user_scope_mac(uid, unit_id, UserStatus.ACTIVE), password_mac(uid, hashed),
        ))  # fmt: skip
        grants.append((uid, roles[role], created, None, binding_mac(uid, roles[role])))
        person = Person(uid, username, unit_id, role)
        org.people.append(person)
    await g.copy("user_account", ["id", "username", "display_name", "org_unit_id", "status", "password_hash",
                                  "password_changed_at", "failed_logins", "locked_until", "last_login_at", "phone", "phone_bidx",
                                  "email", "email_bidx", "created_at", "updated_at", "scope_mac", "password_mac"],
                 user_rows)  # fmt: skip
    await g.copy("user_role", ["user_id", "role_id", "granted_at", "granted_by_id", "mac"], grants)
    for p in org.people:
        org.by_unit.setdefault(p.unit_id, []).append(p)
