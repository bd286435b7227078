"""Demo data: the Big Data Center, 30 district and bureau access units, and a user for every role."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import utcnow
from core.crypto import hash_password
from core.db.uow import UnitOfWork
from domain.identity import repository as repo
from domain.identity.builtin import ensure_builtin_roles
from domain.identity.enums import OrgUnitKind, OrgUnitStatus, UserStatus
from domain.identity.models import OrgUnit, User

MANAGEMENT = ("SHBDC", "上海市大数据中心", "张明", "021-52345678", "ops@bdc.sh.gov.cn", "上海市寿阳路99弄15号")
DISTRICTS = [
    ("HP", "黄浦区"), ("XH", "徐汇区"), ("CN", "长宁区"), ("JA", "静安区"), ("PT", "普陀区"), ("HK", "虹口区"),
    ("YP", "杨浦区"), ("MH", "闵行区"), ("BS", "宝山区"), ("JD", "嘉定区"), ("PD", "浦东新区"), ("JS", "金山区"),
    ("SJ", "松江区"), ("QP", "青浦区"), ("FX", "奉贤区"), ("CM", "崇明区"),
]  # fmt: skip
BUREAUS = [
    ("GA", "市公安局"), ("WJ", "市卫生健康委员会"), ("JW", "市教育委员会"), ("MZ", "市民政局"),
    ("RS", "市人力资源和社会保障局"), ("JT", "市交通委员会"), ("HB", "市生态环境局"), ("SC", "市市场监督管理局"),
    ("YJ", "市应急管理局"), ("SW", "市水务局"), ("ZJ", "市住房和城乡建设管理委员会"), ("YB", "市医疗保障局"),
    ("GH", "市规划和自然资源局"), ("SJJ", "市数据局"),
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平", "刚"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    unit_code: str
    role: str


def demo_users() -> list[DemoUser]:
    users = [
        DemoUser("admin", "系统管理员", "SHBDC", "system_admin"),
        DemoUser("secadmin", "安全管理员", "SHBDC", "security_admin"),
        DemoUser("auditor", "审计管理员", "SHBDC", "audit_admin"),
        DemoUser("operator", "运营值班员", "SHBDC", "management_operator"),
    ]
    for i, (code, _name) in enumerate(DISTRICTS + BUREAUS):
        unit = ("D-" if i < len(DISTRICTS) else "B-") + code
        a, b = SURNAMES[i % len(SURNAMES)], SURNAMES[(i * 7 + 3) % len(SURNAMES)]
        users.append(DemoUser(f"{code.lower()}_admin", a + GIVEN[i % len(GIVEN)], unit, "unit_admin"))
        users.append(DemoUser(f"{code.lower()}_user", b + GIVEN[(i * 5 + 1) % len(GIVEN)], unit, "unit_applicant"))
    # The service account behind the demo platforms' API clients (they confirm dispatched work orders).
    users.append(DemoUser("platform_svc", "外部平台服务账号", "SHBDC", "platform_service"))
    return users


def demo_phone(n: int) -> str:
    """The n-th demo user's mobile number (sealed at rest like any other)."""
    return f"1380021{n:04d}"


async def seed_demo(uow: UnitOfWork, password: str, iterations: int) -> list[DemoUser] | None:
    """Create the demo organisation once; returns None when it is already there."""
    s = uow.session
    roles = await ensure_builtin_roles(uow)
    if await repo.org_unit_code_taken(s, MANAGEMENT[0]):
        return None
    now = utcnow()
    code, name, contact, phone, email, address = MANAGEMENT
    bdc = OrgUnit(
        code=code, name=name, kind=OrgUnitKind.MANAGEMENT, status=OrgUnitStatus.ACTIVE, path="/",
        contact_name=contact, contact_phone=phone, contact_email=email, address=address, created_at=now, updated_at=now,
    )  # fmt: skip
    s.add(bdc)
    await s.flush()
    bdc.path = f"/{bdc.id}/"
    units = {code: bdc}
    for i, (short, unit_name) in enumerate(DISTRICTS + BUREAUS):
        unit_code = ("D-" if i < len(DISTRICTS) else "B-") + short
        unit = OrgUnit(
            code=unit_code, name=(f"{unit_name}大数据中心" if i < len(DISTRICTS) else unit_name),
            kind=OrgUnitKind.ACCESS_UNIT, status=OrgUnitStatus.ACTIVE, parent_id=bdc.id, path="/",
            contact_name=SURNAMES[i % len(SURNAMES)] + "老师", contact_phone=f"1391{i:03d}{(i * 7919) % 10000:04d}",
            created_at=now, updated_at=now,
        )  # fmt: skip
        s.add(unit)
        units[unit_code] = unit
    await s.flush()
    for unit in units.values():
        if unit is not bdc:
            unit.path = f"{bdc.path}{unit.id}/"
    people = demo_users()
    for n, person in enumerate(people):
        user = User(
            username=person.username, display_name=person.display_name, org_unit_id=units[person.unit_code].id,
            phone=demo_phone(n), email=f"{person.username}@demo.govops.cn",
            status=UserStatus.ACTIVE, password_hash=hash_password(password, iterations), password_changed_at=now,
            failed_logins=0, created_at=now, updated_at=now,
        )  # fmt: skip
        s.add(user)
        await s.flush()
        await repo.set_user_roles(s, user.id, {roles[person.role].id}, None, now)
    return people
