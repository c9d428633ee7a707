"""Building the demo directory: org units, departments, staff, the demo logins."""

import random
import time

from vcassure.accounts.models import Role, User
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.venues.demo.data import (
    CITY_COUNT,
    CITY_EMERGENCY,
    CITY_REGULAR,
    COUNTY_EMERGENCY,
    COUNTY_REGULAR,
    COUNTY_TOTAL,
    DELIBERATE_SHORTFALLS,
    DEMO_PASSWORD,
    DEPARTMENT_NAMES,
    EMAIL_DOMAIN,
    GIVEN,
    MOBILE_PREFIXES,
    NAME_HEADS,
    NAME_TAILS,
    PROVINCE_CODE,
    PROVINCE_NAME,
    ROADS,
    SURNAMES,
    SYSTEMS,
    TOWNSHIP_TOTAL,
)


def _spread(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """`parts` random numbers in [low, high] adding up to `total`."""
    counts = [rng.randint(low, high) for _ in range(parts)]
    while (diff := total - sum(counts)) != 0:
        i, step = rng.randrange(parts), (1 if diff > 0 else -1)
        if low <= counts[i] + step <= high:
            counts[i] += step
    return counts


class DirectoryBuilder:
    """Holds the random source and the rows being built; each phase ends in one bulk_create. This
    part builds the directory: units, departments, staff and the demo logins."""

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
