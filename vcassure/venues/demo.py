"""The demo province: a fictional directory (org units, departments, staff), venues, equipment and
fibre routes, built deterministically from a seed for `manage.py seed_demo`, the benchmarks and a
first look at the product. Every name, number and address is invented; the management addresses
are data only and never contacted."""

import ipaddress
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from vcassure.accounts.models import Role, User
from vcassure.core.errors import ApplicationError
from vcassure.core.services import audit_record
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.venues.models import CustomerSystem, Equipment, FibreRoute, Integrator, Venue

PROVINCE_CODE = "390000"  # "39" is no real GB/T 2260 province prefix
PROVINCE_NAME = "青岚省"
CITY_COUNT = 11
COUNTY_TOTAL = 90
TOWNSHIP_TOTAL = 1300
FINANCE_TOWNSHIP_SHARE = 0.9
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 -- the documented demo login, not a secret
EMAIL_DOMAIN = "qinglan-operator.example"

# R5 as shipped (orgs migration 0002): city network operations 2 + 2, county technical maintenance 2 + 3.
CITY_REGULAR, CITY_EMERGENCY = 2, 2
COUNTY_REGULAR, COUNTY_EMERGENCY = 2, 3


@dataclass(frozen=True)
class DeliberateShortfall:
    """A unit built short of R5 on purpose, so the compliance report has something to show.
    `position` holds 0-based indexes in code order: (city,), (city, county) or (city, county, township)."""

    position: tuple[int, ...]
    kind: str  # "regular" or "emergency", as in orgs.selectors.Shortfall
    actual: int

    @property
    def level(self) -> str:
        return ("city", "county", "township")[len(self.position) - 1]


# Cities have at least 7 counties and counties at least 10 townships, so every position exists.
# The first city, its first county and that county's first township carry the demo logins: keep them whole.
DELIBERATE_SHORTFALLS = (
    DeliberateShortfall((3,), "emergency", 1),
    DeliberateShortfall((1, 2), "emergency", 1),
    DeliberateShortfall((6, 4), "emergency", 2),
    DeliberateShortfall((8, 1), "regular", 1),
    DeliberateShortfall((2, 3, 5), "regular", 0),
    DeliberateShortfall((5, 0, 2), "regular", 0),
    DeliberateShortfall((9, 6, 7), "regular", 0),
)

DEMO_LOGINS = ("dispatcher", "city-dispatcher", "county-dispatcher", "township-staff")

NAME_HEADS = (
    "青临石云清安宁平永长新丰华金龙凤泉阳岚德兴武文昌通泰和顺庆嘉乐福宜盛瑞白黄柳桃梅松竹枫桂"
)
NAME_TAILS = "川江河山林阳州源溪泉湖宁安平丰昌城水岭峰谷田台坪口塘渡浦港坝桥湾洲"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建文斌宇浩凯健俊帆旭宁林欣晨瑶婷雪颖琳晶亮峰波志海飞鑫"
ROADS = [
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "滨江大道",
    "新华街",
    "文化路",
    "府前街",
    "迎宾大道",
    "胜利路",
    "和平路",
    "环城路",
    "东风路",
    "光明街",
    "朝阳路",
    "振兴路",
]
MOBILE_PREFIXES = [
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "178",
    "182",
    "183",
    "184",
    "187",
    "188",
    "198",
]
DEPARTMENT_NAMES = {
    "ops": "集团运行维护部",
    "broadcast": "播控中心",
    "customer": "集团客户部",
    "network_ops": "网络运行部",
    "tech_maintenance": "技术维护部",
}
INTEGRATORS = [
    ("青岚华信通信技术有限公司", "周建明"),
    ("岚州数视科技有限公司", "陈晓梅"),
    ("云岭智联系统集成有限公司", "刘志强"),
    ("中瀚视讯工程有限公司", "孙丽娟"),
    ("恒越网络技术有限公司", "马俊"),
]
# system code -> (venue code prefix, province agency, city/county agency, township agency, terminal models)
SYSTEMS = {
    "water": ("WAT", "水利厅", "水利局", "水利站", ["华为 TE40", "华为 TE50", "华为 Box 300"]),
    "finance": (
        "FIN",
        "财政厅",
        "财政局",
        "财政所",
        ["宝利通 Group 310", "宝利通 Group 500", "宝利通 RealPresence Trio"],
    ),
    "government": (
        "GOV",
        "人民政府",
        "人民政府",
        "人民政府",
        ["中兴 ZXV10 XT802", "科达 H600", "华为 TE40"],
    ),
}
MODELS = {
    "camera": ["华为 VPC600", "宝利通 EagleEye IV", "科达 HD95D"],
    "microphone": ["华为 VPM220", "宝利通 SoundStation Duo", "铁三角 ES915"],
    "display": ["海信 86E7G", "TCL 75Q10", "长虹 65D8"],
    "switch": ["H3C S5130-28S-SI", "华为 S5735-L24T4S", "锐捷 RG-S2928G"],
    "optical": ["华为 EchoLife HG8245", "中兴 ZXHN F660", "烽火 AN5506-04"],
    "ups": ["山特 C3K", "华为 UPS2000-A-3KTTS", "科华 YTR1103"],
}
SERIAL_PREFIXES = {
    "华为": "2102",
    "宝利通": "8211",
    "中兴": "ZX",
    "科达": "KD",
    "铁三角": "AT",
    "海信": "HX",
    "TCL": "TC",
    "长虹": "CH",
    "H3C": "2198",
    "锐捷": "G1",
    "烽火": "FH",
    "山特": "ST",
    "科华": "KH",
}
FULL_KINDS = ["terminal", "camera", "microphone", "display", "switch", "optical", "ups"]
NETWORKED_KINDS = {"terminal", "camera", "switch", "optical", "ups"}
IP_BASE = int(ipaddress.IPv4Address("10.64.0.0"))  # one /29 per venue
ROOMS = ["三楼视频会商室", "四楼会议室", "二楼应急指挥中心", "五楼视频会议室"]
TOWNSHIP_ROOMS = ["一楼会议室", "二楼会议室", "便民服务中心会议室"]


def demo_directory_is_empty() -> bool:
    return not OrgUnit.objects.exists()


@transaction.atomic
def demo_directory_wipe() -> dict[str, int]:
    """Delete the directory and what hangs off it: equipment, fibre routes, venues, integrators,
    staff, departments and org units (bottom-up: `parent` is PROTECT). Customer systems, staffing
    rules and login users stay. Rows of other apps that PROTECT these raise ProtectedError."""
    deleted: dict[str, int] = {}
    querysets = [
        Equipment.objects.all(),
        FibreRoute.objects.all(),
        Venue.objects.all(),
        Integrator.objects.all(),
        Staff.objects.all(),
        Department.objects.all(),
    ]
    querysets += [OrgUnit.objects.filter(level=level) for level in reversed(OrgUnit.LEVEL_ORDER)]
    querysets.append(OrgUnit.objects.all())
    for qs in querysets:
        for label, n in qs.delete()[1].items():
            deleted[label] = deleted.get(label, 0) + n
    audit_record(actor=None, action="demo.wipe", object_type="orgs.orgunit", changes=deleted)
    return deleted


@transaction.atomic
def demo_province_build(*, seed: int = 2026, stdout=None) -> dict:
    """Build the demo province into an empty directory; the same seed gives the same codes, names,
    numbers and addresses. Returns counts, the deliberate shortfalls and the demo logins."""
    if not demo_directory_is_empty():
        raise ApplicationError("The directory is not empty; wipe it first (seed_demo --force).")
    return _ProvinceBuilder(random.Random(seed), stdout).build(seed)


def _spread(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """`parts` random numbers in [low, high] adding up to `total`."""
    counts = [rng.randint(low, high) for _ in range(parts)]
    while (diff := total - sum(counts)) != 0:
        i, step = rng.randrange(parts), (1 if diff > 0 else -1)
        if low <= counts[i] + step <= high:
            counts[i] += step
    return counts


class _ProvinceBuilder:
    """Holds the random source and the rows being built; each phase ends in one bulk_create."""

    def __init__(self, rng: random.Random, stdout) -> None:
        self.rng, self.stdout, self.started = rng, stdout, time.perf_counter()
        self.staff: list[Staff] = []
        self.supervisors: list[tuple[Staff, Staff]] = []
        self.mobiles: set[str] = set()
        self.place_names: set[str] = set()
        self.counties_of: dict[str, list[OrgUnit]] = {}
        self.townships_of: dict[str, list[OrgUnit]] = {}
        self.departments: dict[tuple[str, str], Department] = {}  # (unit code, kind)
        self.members: dict[
            tuple[str, str], tuple[list[Staff], list[Staff]]
        ] = {}  # -> (regular, emergency)
        self.township_person: dict[str, Staff] = {}
        self.short = {s.position: s for s in DELIBERATE_SHORTFALLS}

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(f"  {message} ({time.perf_counter() - self.started:.1f} s)")

    def build(self, seed: int) -> dict:
        self.build_units()
        self.build_departments()
        self.build_staff()
        logins = self.build_logins()
        self.save_staff()
        venues = self.build_venues()
        equipment, routes = self.build_equipment(venues)
        levels = dict.fromkeys(OrgUnit.LEVEL_ORDER, 0)
        for unit in self.all_units:
            levels[unit.level] += 1
        result = {
            "seed": seed,
            "units": levels,
            "departments": len(self.departments),
            "staff": len(self.staff),
            "emergency_staff": sum(s.is_emergency_mobile for s in self.staff),
            "venues": len(venues),
            "equipment": equipment,
            "fibre_routes": routes,
            "integrators": len(self.integrators),
            "shortfalls": [
                {
                    "code": unit.code,
                    "name": unit.name,
                    "level": s.level,
                    "kind": s.kind,
                    "actual": s.actual,
                }
                for s in DELIBERATE_SHORTFALLS
                for unit in [self.unit_at(s.position)]
            ],
            "logins": logins,
        }
        audit_record(
            actor=None,
            action="demo.seed",
            obj=self.province,
            changes={k: v for k, v in result.items() if k not in ("shortfalls", "logins")},
        )
        result["seconds"] = round(time.perf_counter() - self.started, 2)
        return result

    # --- names and numbers ---

    def place_name(self, taken: set[str]) -> str:
        while True:
            head, tail = self.rng.choice(NAME_HEADS), self.rng.choice(NAME_TAILS)
            if head != tail and head + tail not in taken:
                taken.add(head + tail)
                return head + tail

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2)))
        )

    def mobile(self) -> str:
        while True:
            number = f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def address(self, unit: OrgUnit) -> str:
        chain = []
        node: OrgUnit | None = unit
        while node is not None:
            chain.append(node.name)
            node = node.parent
        return f"{''.join(reversed(chain))}{self.rng.choice(ROADS)}{self.rng.randint(1, 288)}号"

    def unit_at(self, position: tuple[int, ...]) -> OrgUnit:
        unit = self.cities[position[0]]
        if len(position) > 1:
            unit = self.counties_of[unit.code][position[1]]
        if len(position) > 2:
            unit = self.townships_of[unit.code][position[2]]
        return unit

    # --- phases ---

    def save_units(self, units: list[OrgUnit]) -> None:
        OrgUnit.objects.bulk_create(units)  # pks come back on SQLite and PostgreSQL
        for unit in units:
            unit.path = unit.build_path()
        OrgUnit.objects.bulk_update(units, ["path"], batch_size=500)

    def build_units(self) -> None:
        rng = self.rng
        self.province = OrgUnit(
            code=PROVINCE_CODE, name=PROVINCE_NAME, level=OrgUnit.Level.PROVINCE
        )
        self.save_units([self.province])
        prefix = PROVINCE_CODE[:2]
        self.cities = [
            OrgUnit(
                code=f"{prefix}{i + 1:02d}00",
                name=f"{self.place_name(self.place_names)}市",
                level=OrgUnit.Level.CITY,
                parent=self.province,
            )
            for i in range(CITY_COUNT)
        ]
        self.save_units(self.cities)
        counties: list[OrgUnit] = []
        for i, (city, n) in enumerate(
            zip(self.cities, _spread(rng, COUNTY_TOTAL, CITY_COUNT, 7, 10), strict=True)
        ):
            districts = rng.randint(3, 5) if i == 0 else rng.randint(1, 3)
            kids = [  # districts number from 02, counties from 21, as GB/T 2260 does
                OrgUnit(
                    code=f"{city.code[:4]}{2 + k if k < districts else 21 + k - districts:02d}",
                    name=self.place_name(self.place_names) + ("区" if k < districts else "县"),
                    level=OrgUnit.Level.COUNTY,
                    parent=city,
                )
                for k in range(n)
            ]
            self.counties_of[city.code] = kids
            counties += kids
        self.save_units(counties)
        townships: list[OrgUnit] = []
        for county, n in zip(
            counties, _spread(rng, TOWNSHIP_TOTAL, len(counties), 10, 19), strict=True
        ):
            if county.name.endswith("区"):
                streets, xiang = round(n * rng.uniform(0.6, 0.9)), 0
            else:
                streets, xiang = rng.randint(1, 2), rng.randint(1, n // 3)
            # streets 001.., towns 101.., xiang 201..
            kinds = (
                [("街道", 1)] * streets
                + [("镇", 101)] * (n - streets - xiang)
                + [("乡", 201)] * xiang
            )
            taken: set[str] = set()
            kids, seen = [], {"街道": 0, "镇": 0, "乡": 0}
            for suffix, start in kinds:
                kids.append(
                    OrgUnit(
                        code=f"{county.code}{start + seen[suffix]:03d}",
                        name=self.place_name(taken) + suffix,
                        level=OrgUnit.Level.TOWNSHIP,
                        parent=county,
                    )
                )
                seen[suffix] += 1
            self.townships_of[county.code] = kids
            townships += kids
        self.save_units(townships)
        self.counties, self.townships = counties, townships
        self.all_units = [self.province, *self.cities, *counties, *townships]
        self.unit_by_code = {unit.code: unit for unit in self.all_units}
        self.log(f"org units: {len(self.all_units)}")

    def build_departments(self) -> None:
        area_codes: set[str] = set()
        self.area = {}
        for unit in [self.province, *self.cities]:
            while (code := f"0{self.rng.randint(700, 799)}") in area_codes:
                pass
            area_codes.add(code)
            self.area[unit.code] = code
        plan = [(self.province, ["ops", "broadcast", "customer"])]
        plan += [(city, ["customer", "network_ops"]) for city in self.cities]
        plan += [(county, ["customer", "tech_maintenance"]) for county in self.counties]
        for unit, kinds in plan:
            area = self.area[unit.code if unit.level != "county" else unit.code[:4] + "00"]
            for kind in kinds:
                self.departments[(unit.code, kind)] = Department(
                    org_unit=unit,
                    kind=kind,
                    name=f"{unit.name}{DEPARTMENT_NAMES[kind]}",
                    phone=f"{area}-{self.rng.randint(60000000, 89999999)}",
                )
        Department.objects.bulk_create(self.departments.values())
        self.log(f"departments: {len(self.departments)}")

    def person(
        self,
        unit: OrgUnit,
        department: Department | None,
        title: str,
        *,
        emergency: bool = False,
        supervisor: Staff | None = None,
    ) -> Staff:
        code = f"S{len(self.staff) + 1:06d}"
        rng = self.rng
        staff = Staff(
            code=code,
            name=self.person_name(),
            org_unit=unit,
            department=department,
            title=title,
            mobile=self.mobile(),
            email=f"{code.lower()}@{EMAIL_DOMAIN}",
            dingtalk_user_id=f"dt{rng.randrange(10**12):012d}" if rng.random() < 0.92 else "",
            wecom_user_id=f"wx_{code.lower()}" if rng.random() < 0.88 else "",
            is_emergency_mobile=emergency,
        )
        self.staff.append(staff)
        if supervisor is not None:
            self.supervisors.append((staff, supervisor))
        return staff

    def team(
        self,
        unit: OrgUnit,
        kind: str,
        head_title: str,
        title: str,
        regular: int,
        emergency: int = 0,
        *,
        reports_to: Staff | None = None,
    ) -> tuple[list[Staff], list[Staff]]:
        """A department's people; its first regular is the head, everyone else reports to the head."""
        department = self.departments[(unit.code, kind)]
        head = self.person(unit, department, head_title, supervisor=reports_to)
        department.head = head
        regulars = [head] + [
            self.person(unit, department, title, supervisor=head) for _ in range(regular - 1)
        ]
        emergencies = [
            self.person(unit, department, "应急机动保障员", emergency=True, supervisor=head)
            for _ in range(emergency)
        ]
        self.members[(unit.code, kind)] = (regulars, emergencies)
        return regulars, emergencies

    def build_staff(self) -> None:
        rng, province = self.rng, self.province
        ops, _ = self.team(province, "ops", "运行维护部主任", "调度员", 7)
        self.dispatcher = ops[1]
        self.residents = [
            self.person(
                province,
                self.departments[(province.code, "ops")],
                "主会场驻场保障",
                supervisor=ops[0],
            )
            for _ in SYSTEMS
        ]
        self.team(province, "broadcast", "播控中心主任", "播控值班员", 5)
        province_customer, _ = self.team(province, "customer", "集团客户部经理", "客户经理", 3)
        for i, city in enumerate(self.cities):
            short = self.short.get((i,))
            emergency = short.actual if short and short.kind == "emergency" else CITY_EMERGENCY
            regular = short.actual if short and short.kind == "regular" else CITY_REGULAR
            netops, _ = self.team(
                city,
                "network_ops",
                "网络运行部主任",
                "网络保障工程师",
                regular,
                emergency,
                reports_to=ops[0],
            )
            city_customer, _ = self.team(
                city,
                "customer",
                "集团客户部经理",
                "客户经理",
                rng.randint(1, 2),
                reports_to=province_customer[0],
            )
            for j, county in enumerate(self.counties_of[city.code]):
                short = self.short.get((i, j))
                emergency = (
                    short.actual if short and short.kind == "emergency" else COUNTY_EMERGENCY
                )
                regular = short.actual if short and short.kind == "regular" else COUNTY_REGULAR
                tm, _ = self.team(
                    county,
                    "tech_maintenance",
                    "技术维护部主任",
                    "技术维护工程师",
                    regular,
                    emergency,
                    reports_to=netops[0],
                )
                self.team(
                    county,
                    "customer",
                    "集团客户部经理",
                    "客户经理",
                    rng.randint(1, 2),
                    reports_to=city_customer[0],
                )
                for k, township in enumerate(self.townships_of[county.code]):
                    if (i, j, k) not in self.short:
                        self.township_person[township.code] = self.person(
                            township, None, "乡镇保障员", supervisor=tm[k % len(tm)]
                        )

    def build_logins(self) -> list[str]:
        city = self.cities[0]
        county = self.counties_of[city.code][0]
        township = self.townships_of[county.code][0]
        people = [
            ("dispatcher", Role.DISPATCHER, self.dispatcher),
            ("city-dispatcher", Role.DISPATCHER, self.members[(city.code, "network_ops")][0][0]),
            (
                "county-dispatcher",
                Role.DISPATCHER,
                self.members[(county.code, "tech_maintenance")][0][0],
            ),
            ("township-staff", Role.SUPPORT, self.township_person[township.code]),
        ]
        for username, role, staff in people:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.role, user.is_active, user.first_name = role, True, staff.name
            user.email = staff.email
            user.set_password(DEMO_PASSWORD)
            user.save()
            staff.user = user
        return [username for username, _role, _staff in people]

    def save_staff(self) -> None:
        Staff.objects.bulk_create(self.staff, batch_size=500)
        for staff, supervisor in self.supervisors:
            staff.supervisor = supervisor
        Staff.objects.bulk_update([s for s, _ in self.supervisors], ["supervisor"], batch_size=500)
        Department.objects.bulk_update(self.departments.values(), ["head"], batch_size=500)
        self.log(f"staff: {len(self.staff)}")

    def build_venues(self) -> list[Venue]:
        rng = self.rng
        systems = {s.code: s for s in CustomerSystem.objects.filter(code__in=SYSTEMS)}
        missing = set(SYSTEMS) - set(systems)
        if missing:
            raise ApplicationError(
                f"Customer systems missing (run migrate): {', '.join(sorted(missing))}"
            )
        venues: list[Venue] = []
        for n, (code, (prefix, agency, *_rest)) in enumerate(SYSTEMS.items()):
            venues.append(
                Venue(
                    code=f"{prefix}-{self.province.code}",
                    name=f"{PROVINCE_NAME}{agency}主会场",
                    system=systems[code],
                    org_unit=self.province,
                    role=Venue.Role.MAIN,
                    address=self.address(self.province),
                    room=rng.choice(ROOMS),
                    primary_staff=self.residents[n],
                    backup_staff=self.residents[(n + 1) % len(self.residents)],
                )
            )
        teams = [(unit, "network_ops") for unit in self.cities] + [
            (unit, "tech_maintenance") for unit in self.counties
        ]
        for unit, kind in teams:
            regulars, emergencies = self.members[(unit.code, kind)]
            for n, (code, (prefix, _province_agency, agency, *_rest)) in enumerate(SYSTEMS.items()):
                primary = regulars[n % len(regulars)]  # spread the three systems over the regulars
                backups = [s for s in regulars if s is not primary] + emergencies
                venues.append(
                    Venue(
                        code=f"{prefix}-{unit.code}",
                        name=f"{unit.name}{agency}分会场",
                        system=systems[code],
                        org_unit=unit,
                        address=self.address(unit),
                        room=rng.choice(ROOMS),
                        primary_staff=primary,
                        backup_staff=backups[0] if backups else None,
                    )
                )
        for township in self.townships:
            county_regulars = self.members[(township.code[:6], "tech_maintenance")][0]
            for code, (prefix, _province_agency, _agency, agency, _terminals) in SYSTEMS.items():
                if code == "finance" and rng.random() >= FINANCE_TOWNSHIP_SHARE:
                    continue
                if code == "government" and township.name.endswith("街道"):
                    agency = "办事处"
                venues.append(
                    Venue(
                        code=f"{prefix}-{township.code}",
                        name=f"{township.name}{agency}分会场",
                        system=systems[code],
                        org_unit=township,
                        address=self.address(township),
                        room=rng.choice(TOWNSHIP_ROOMS),
                        primary_staff=self.township_person.get(township.code),
                        backup_staff=county_regulars[rng.randrange(len(county_regulars))],
                    )
                )
        Venue.objects.bulk_create(venues, batch_size=500)
        self.log(f"venues: {len(venues)}")
        return venues

    def build_equipment(self, venues: list[Venue]) -> tuple[int, int]:
        rng = self.rng
        self.integrators = [
            Integrator(
                name=name,
                contact_name=contact,
                contact_phone=self.mobile(),
                email=f"service{n + 1}@integrator{n + 1}.example",
            )
            for n, (name, contact) in enumerate(INTEGRATORS)
        ]
        Integrator.objects.bulk_create(self.integrators)
        integrator_of = {
            city.code: self.integrators[i % len(self.integrators)]
            for i, city in enumerate(self.cities)
        }
        integrator_of[self.province.code] = self.integrators[0]
        equipment: list[Equipment] = []
        routes: list[FibreRoute] = []
        first_day = date(2018, 1, 1)
        for v, venue in enumerate(venues):
            unit = venue.org_unit
            city_code = unit.code[:4] + "00" if unit.level != "province" else unit.code
            integrator = integrator_of[city_code]
            if unit.level == "township":
                kinds = ["terminal", "switch", "optical"] + (["ups"] if rng.random() < 0.4 else [])
            else:
                kinds = FULL_KINDS
            installed_on = first_day + timedelta(days=rng.randrange(365 * 7))
            host = 0
            for kind in kinds:
                model = rng.choice(
                    SYSTEMS[venue.system.code][4] if kind == "terminal" else MODELS[kind]
                )
                ip = None
                if kind in NETWORKED_KINDS:
                    host += 1
                    ip = str(ipaddress.IPv4Address(IP_BASE + v * 8 + host))
                serial = f"{SERIAL_PREFIXES[model.split()[0]]}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{len(equipment) + 1:08d}"
                equipment.append(
                    Equipment(
                        venue=venue,
                        kind=kind,
                        model=model,
                        serial_number=serial,
                        management_ip=ip,
                        integrator=None if kind == "optical" else integrator,
                        installed_on=installed_on,
                    )
                )
            if unit.level != "township" or rng.random() < 0.2:
                origin = unit if unit.level != "township" else self.unit_by_code[unit.code[:6]]
                routes.append(
                    FibreRoute(
                        venue=venue,
                        name=f"{unit.name}{venue.system.name[:2]}专线光缆",
                        from_site=f"{origin.name}{'核心' if origin.level in ('province', 'city') else '汇聚'}机房",
                        length_km=Decimal(
                            f"{rng.uniform(0.5, 6 if unit.level != 'township' else 25):.2f}"
                        ),
                        description=f"{rng.choice(['管道', '架空', '直埋'])}敷设，{rng.choice([12, 24, 48])} 芯",
                    )
                )
        Equipment.objects.bulk_create(equipment, batch_size=1000)
        FibreRoute.objects.bulk_create(routes, batch_size=500)
        self.log(f"equipment: {len(equipment)}, fibre routes: {len(routes)}")
        return len(equipment), len(routes)
