"""The directory of `python -m bench --scale N`: N provinces of about 4,000 venues and 2,000 staff
each (ten: ~40,000 venues, ~20,000 staff, SPEC §4 second wave), written with bulk statements
(COPY on PostgreSQL through vcassure.core.bulk) in seconds rather than by the demo seeding.

Each province has the demo province's shape, regularised: cities, counties and townships, the
departments of SPEC §1 with their heads, the staff R5 asks for (city network operations 2 + 2
emergency, county technical maintenance 2 + 3), one or two support people per township, and the
venues of the four customer systems. Its government system is the province-wide meeting: a main
venue and about 2,000 branch venues (every unit, and a second room in most townships). Provinces
are numbered from code 50 ("5x0000", no real GB/T 2260 prefix and apart from the demo's 39)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction

from vcassure.core.bulk import bulk_insert
from vcassure.notifications.models import ImGroup
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.venues.models import CustomerSystem, Equipment, Venue

FIRST_CODE = 50
GOVERNMENT = "government"  # the system of the province-wide meetings
# Which townships (by index k within their county) carry a venue of the system, besides the
# province, every city and every county: government twice in 8 of 9, general once in 8 of 9,
# water in half, finance in a quarter (about 2,000 + 1,000 + 610 + 360 venues a province).
TOWNSHIP_VENUES = {
    "government": lambda k: 2 if k % 9 else 1,
    "general": lambda k: 1 if k % 9 else 0,
    "water": lambda k: 1 if k % 2 == 0 else 0,
    "finance": lambda k: 1 if k % 4 == 1 else 0,
}
PREFIX = {"government": "ZW", "general": "TY", "water": "SL", "finance": "JR"}


@dataclass(frozen=True)
class Shape:
    cities: int = 10
    counties: int = 10  # per city
    townships: int = 10  # per county


def province_codes(n: int) -> list[str]:
    return [f"{FIRST_CODE + p}0000" for p in range(n)]


def provinces_built(n: int) -> bool:
    return OrgUnit.objects.filter(code__in=province_codes(n), level="province").count() == n


class ScaleBuilder:
    def __init__(self, n: int, shape: Shape) -> None:
        self.n, self.shape = n, shape
        self.units: dict[str, OrgUnit] = {}
        self.departments: dict[tuple[str, str], Department] = {}
        self.team: dict[tuple[str, str], tuple[list[Staff], list[Staff]]] = {}
        self.township_people: dict[str, list[Staff]] = {}
        self.counter = 0

    # --- the tree ---

    def build_units(self) -> None:
        s = self.shape
        levels: list[list[OrgUnit]] = [[], [], [], []]
        for p, code in enumerate(province_codes(self.n)):
            province = OrgUnit(code=code, name=f"基准{p + 1}省", level="province")
            levels[0].append(province)
            for c in range(s.cities):
                city = OrgUnit(code=f"{code[:2]}{c + 1:02d}00", name=f"{province.name}{c + 1}市")
                city.level, city.parent = "city", province
                levels[1].append(city)
                for k in range(s.counties):
                    county = OrgUnit(
                        code=f"{city.code[:4]}{k + 1:02d}", name=f"{city.name}{k + 1}县"
                    )
                    county.level, county.parent = "county", city
                    levels[2].append(county)
                    for t in range(s.townships):
                        township = OrgUnit(
                            code=f"{county.code}{t + 1:03d}", name=f"{county.name}{t + 1}镇"
                        )
                        township.level, township.parent = "township", county
                        levels[3].append(township)
        for level in levels:
            for unit in level:
                unit.parent_id = unit.parent.pk if unit.parent else None
            bulk_insert(level, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orgs_orgunit SET path = '/' || CAST(id AS TEXT) || '/' "
                "WHERE parent_id IS NULL AND path = ''"
            )
            for _ in range(3):  # city, county, township: each from its parent's path
                cursor.execute(
                    "UPDATE orgs_orgunit SET path = (SELECT p.path FROM orgs_orgunit p "
                    "WHERE p.id = orgs_orgunit.parent_id) || CAST(id AS TEXT) || '/' "
                    "WHERE path = '' AND parent_id IN (SELECT id FROM orgs_orgunit WHERE path <> '')"
                )
        self.levels = levels
        self.units = {u.code: u for level in levels for u in level}

    def build_departments(self) -> None:
        plan = {"province": ["ops", "broadcast", "customer"], "city": ["customer", "network_ops"]}
        plan["county"] = ["customer", "tech_maintenance"]
        for unit in [u for level in self.levels[:3] for u in level]:
            for kind in plan[unit.level]:
                self.departments[(unit.code, kind)] = Department(
                    org_unit_id=unit.pk, kind=kind, name=f"{unit.name}{kind}", phone="0790-1234567"
                )
        bulk_insert(list(self.departments.values()))

    # --- people ---

    def person(self, unit: OrgUnit, title: str, kind: str | None, emergency=False) -> Staff:
        self.counter += 1
        i, p = self.counter, int(unit.code[:2]) - FIRST_CODE
        code = f"P{p:02d}S{i:06d}"
        return Staff(
            code=code,
            name=f"保障{i}",
            org_unit_id=unit.pk,
            department_id=self.departments[(unit.code, kind)].pk if kind else None,
            title=title,
            mobile=f"139{p:02d}{i:06d}",
            email=f"{code.lower()}@scale.example",
            dingtalk_user_id=f"dt{p:02d}{i:08d}" if i % 12 else "",
            wecom_user_id=f"wx_{code.lower()}" if i % 8 else "",
            is_emergency_mobile=emergency,
        )

    def build_staff(self) -> int:
        """Department heads first (everyone else reports to one), then the rest in one statement."""
        sizes = {"ops": (11, 0), "broadcast": (3, 0), "customer": (2, 0)}
        sizes |= {"network_ops": (2, 2), "tech_maintenance": (2, 3)}
        heads = {key: self.person(self.units[key[0]], "负责人", key[1]) for key in self.departments}
        bulk_insert(list(heads.values()))
        rest: list[Staff] = []
        for (code, kind), head in heads.items():
            regular, emergency = sizes[kind]
            others = [self.person(self.units[code], "保障员", kind) for _ in range(regular - 1)]
            spare = [
                self.person(self.units[code], "应急机动", kind, emergency=True)
                for _ in range(emergency)
            ]
            for staff in others + spare:
                staff.supervisor_id = head.pk
            self.team[(code, kind)] = ([head, *others], spare)
            rest += others + spare
        for t, township in enumerate(self.levels[3]):
            head = heads[(township.code[:6], "tech_maintenance")]
            people = [self.person(township, "乡镇保障员", None) for _ in range(1 + (t % 3 == 0))]
            for staff in people:
                staff.supervisor_id = head.pk
            self.township_people[township.code] = people
            rest += people
        bulk_insert(rest, batch_size=5000)
        for key, head in heads.items():
            self.departments[key].head_id = head.pk
        Department.objects.bulk_update(self.departments.values(), ["head"], batch_size=1000)
        return len(heads) + len(rest)

    # --- venues and groups ---

    def venue_staff(self, unit: OrgUnit, room: int) -> tuple[int, int | None]:
        if unit.level == "township":
            people = self.township_people[unit.code]
            backup = self.team[(unit.code[:6], "tech_maintenance")][0][room % 2]
            return people[min(room, len(people) - 1)].pk, backup.pk
        kind = {"province": "ops", "city": "network_ops", "county": "tech_maintenance"}[unit.level]
        regular = self.team[(unit.code, kind)][0]
        return regular[room % len(regular)].pk, regular[(room + 1) % len(regular)].pk

    def build_venues(self) -> int:
        systems = dict(CustomerSystem.objects.values_list("code", "id"))
        venues: list[Venue] = []
        for system, rooms_at in TOWNSHIP_VENUES.items():
            for unit in [u for level in self.levels for u in level]:
                k = int(unit.code[-3:]) - 1 if unit.level == "township" else 0
                rooms = rooms_at(k) if unit.level == "township" else 1
                for room in range(rooms):
                    primary, backup = self.venue_staff(unit, room)
                    venues.append(
                        Venue(
                            code=f"{PREFIX[system]}-{unit.code}" + (f"-{room + 1}" if room else ""),
                            name=f"{unit.name}{system}会场{room + 1}",
                            system_id=systems[system],
                            org_unit_id=unit.pk,
                            role="main" if unit.level == "province" else "branch",
                            primary_staff_id=primary,
                            backup_staff_id=backup,
                        )
                    )
        bulk_insert(venues, batch_size=5000)
        self.venues = venues
        return len(venues)

    def build_equipment(self) -> int:
        """A terminal and an access switch per venue, and one probe run over all of them (one in a
        hundred unreachable), so the dashboard's device checks read tables of realistic size."""
        from vcassure.core import clock
        from vcassure.probes.models import ProbeResult, ProbeRun

        now = clock.now()
        equipment = [
            Equipment(
                venue_id=venue.pk,
                kind=kind,
                model="基准终端" if kind == "terminal" else "基准交换机",
                management_ip=f"10.{v // 65536 % 256}.{v // 256 % 256}.{v % 256}",
            )
            for v, venue in enumerate(self.venues)
            for kind in ("terminal", "switch")
        ]
        bulk_insert(equipment, batch_size=5000)
        run = ProbeRun.objects.create(
            label=f"scale-{now:%Y%m%d%H%M%S}",
            started_at=now,
            finished_at=now,
            devices=len(equipment),
        )
        results = [
            ProbeResult(
                equipment_id=e.pk,
                run_id=run.pk,
                method="icmp",
                ok=bool(i % 100),
                failure="" if i % 100 else "unreachable",
                rtt_ms=2.0 if i % 100 else None,
                checked_at=now,
            )
            for i, e in enumerate(equipment)
        ]
        bulk_insert(results, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO probes_probestatus (equipment_id, result_id, ok, failure, checked_at) "
                "SELECT equipment_id, id, ok, failure, checked_at FROM probes_proberesult "
                "WHERE run_id = %s",
                [run.pk],
            )
        return len(equipment)

    def build_groups(self) -> int:
        groups = []
        for province in self.levels[0]:
            for platform, purpose in (
                ("dingtalk", "support"),
                ("wecom", "support"),
                ("dingtalk", "supervisors"),
            ):
                groups.append(self.group(province, platform, purpose))
        groups += [self.group(city, "dingtalk", "support") for city in self.levels[1]]
        ImGroup.objects.bulk_create(groups)
        return len(groups)

    @staticmethod
    def group(unit: OrgUnit, platform: str, purpose: str) -> ImGroup:
        path = "robot/send?access_token=" if platform == "dingtalk" else "cgi-bin/webhook/send?key="
        return ImGroup(
            platform=platform,
            name=f"{unit.name}{platform}{purpose}群",
            org_unit_id=unit.pk,
            purpose=purpose,
            webhook_url=f"http://127.0.0.1:9/{path}scale-{unit.code}-{platform}-{purpose}",
            secret="SECscale" if platform == "dingtalk" else "",
        )


def probes_as_of_now() -> int:
    """The devices' latest probes stamped now, as the meetings' T-60 round would leave them (a
    failure older than three hours says nothing about today's meeting: in a database built the day
    before no venue would show a device down, and the dashboards would skip their device checks),
    and the venues with a device down recomputed by the product's own code. Returns how many."""
    from vcassure.core import clock
    from vcassure.probes.models import ProbeStatus, VenueMachineDown
    from vcassure.probes.services import venue_machine_state_refresh

    now = clock.now()
    ProbeStatus.objects.filter(checked_at__lt=now - timedelta(hours=1)).update(checked_at=now)
    venue_machine_state_refresh(Venue.objects.values_list("pk", flat=True).iterator())
    return VenueMachineDown.objects.count()


@transaction.atomic
def build_provinces(n: int, shape: Shape | None = None) -> dict:
    """Write n provinces (unless they are there already) and return what was written."""
    if provinces_built(n):
        return {"reused": True, "venues_machine_down": probes_as_of_now()}
    builder = ScaleBuilder(n, shape or Shape())
    builder.build_units()
    builder.build_departments()
    staff = builder.build_staff()
    venues = builder.build_venues()
    equipment = builder.build_equipment()
    groups = builder.build_groups()
    return {
        "reused": False,
        "provinces": n,
        "org_units": len(builder.units),
        "departments": len(builder.departments),
        "staff": staff,
        "venues": venues,
        "equipment": equipment,
        "im_groups": groups,
        "venues_machine_down": probes_as_of_now(),
    }


def province_dispatcher(province_code: str):
    """A dispatcher login of the province (its O&M department's head): meetings it creates are
    owned by the province, and its dashboards are scoped to the province's subtree."""
    from vcassure.accounts.models import Role, User

    username = f"scale-dispatcher-{province_code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, role=Role.DISPATCHER, is_active=True)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        head = Department.objects.get(org_unit__code=province_code, kind="ops").head
        head.user = user
        head.save(update_fields=["user"])
    return user


def province_meeting_venues(province_code: str) -> tuple[int, list[int]]:
    """The government system's main venue of a province and every branch venue under it."""
    venues = Venue.objects.filter(
        system__code=GOVERNMENT, org_unit__code__startswith=province_code[:2]
    )
    main = venues.filter(role="main").values_list("id", flat=True).get()
    branches = list(venues.filter(role="branch").order_by("id").values_list("id", flat=True))
    return main, branches
