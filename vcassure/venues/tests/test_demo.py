"""The demo province. It is built once for the module, inside a transaction rolled back at the end;
each test runs in a savepoint within it, so the --force rebuild below does not leak either."""

import hashlib
import ipaddress
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from vcassure.accounts.models import Role, User
from vcassure.core.models import AuditEvent
from vcassure.orgs.models import Department, OrgUnit, Staff, StaffingRule
from vcassure.orgs.selectors import staffing_shortfalls
from vcassure.venues.demo import DELIBERATE_SHORTFALLS, DEMO_PASSWORD, demo_province_build
from vcassure.venues.models import Equipment, FibreRoute, Integrator, Venue


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = demo_province_build(seed=2026)
        yield result
        transaction.set_rollback(True)


def _children(unit: OrgUnit) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(parent=unit).order_by("code"))


def _unit_at(position: tuple[int, ...]) -> OrgUnit:
    """Resolve a DeliberateShortfall position from the database, independently of the builder."""
    unit = OrgUnit.objects.get(level=OrgUnit.Level.PROVINCE)
    for index in position:
        unit = _children(unit)[index]
    return unit


def _fingerprint() -> str:
    """A hash of the province by natural keys (codes), never by database ids."""
    rows = [
        sorted(OrgUnit.objects.values_list("code", "name", "level", "parent__code")),
        sorted(
            Department.objects.values_list("org_unit__code", "kind", "name", "phone", "head__code")
        ),
        sorted(
            Staff.objects.values_list(
                "code",
                "name",
                "org_unit__code",
                "department__kind",
                "mobile",
                "email",
                "dingtalk_user_id",
                "wecom_user_id",
                "supervisor__code",
                "is_emergency_mobile",
                "user__username",
            )
        ),
        sorted(
            Venue.objects.values_list(
                "code",
                "name",
                "system__code",
                "org_unit__code",
                "role",
                "address",
                "room",
                "primary_staff__code",
                "backup_staff__code",
            )
        ),
        sorted(
            Equipment.objects.values_list(
                "venue__code",
                "kind",
                "model",
                "serial_number",
                "management_ip",
                "integrator__name",
                "installed_on",
            )
        ),
        sorted(FibreRoute.objects.values_list("venue__code", "name", "from_site", "length_km")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_counts_are_in_the_expected_ranges(province, db):
    levels = Counter(OrgUnit.objects.values_list("level", flat=True))
    assert levels["province"] == 1
    assert levels["city"] == 11
    assert 85 <= levels["county"] <= 95
    assert 1250 <= levels["township"] <= 1350
    assert 3800 <= Venue.objects.count() <= 4300
    assert province["units"] == dict(levels)
    assert province["venues"] == Venue.objects.count()
    assert province["staff"] == Staff.objects.count()
    assert province["equipment"] == Equipment.objects.count()
    assert province["logins"] == [
        "dispatcher",
        "city-dispatcher",
        "county-dispatcher",
        "township-staff",
    ]
    assert AuditEvent.objects.filter(action="demo.seed").count() == 1


def test_units_have_consistent_paths_codes_and_names(province, db):
    units = {unit.pk: unit for unit in OrgUnit.objects.all()}
    names_per_parent: Counter = Counter()
    for unit in units.values():
        parent = units.get(unit.parent_id)
        assert unit.path == f"{parent.path if parent else '/'}{unit.pk}/"
        unit.full_clean()  # code length per level, parent level
        names_per_parent[(unit.parent_id, unit.name)] += 1
        if unit.level == "city":
            assert re.fullmatch(r"\d{4}00", unit.code) and unit.code[:2] == parent.code[:2]
        elif unit.level == "county":
            assert unit.code[:4] == parent.code[:4] and unit.name[-1] in "县区"
        elif unit.level == "township":
            assert unit.code[:6] == parent.code
    assert max(names_per_parent.values()) == 1
    suffixes = Counter(u.name[-1] for u in units.values() if u.level == "county")
    assert suffixes["县"] > 0 and suffixes["区"] > 0
    kinds = Counter(
        "街道" if u.name.endswith("街道") else u.name[-1]
        for u in units.values()
        if u.level == "township"
    )
    assert kinds["镇"] > 0 and kinds["乡"] > 0 and kinds["街道"] > 0


def test_departments_of_each_level_have_a_head_and_a_phone(province, db):
    kinds = Counter(Department.objects.values_list("org_unit__level", "kind"))
    cities, counties = province["units"]["city"], province["units"]["county"]
    assert kinds == {
        ("province", "ops"): 1,
        ("province", "broadcast"): 1,
        ("province", "customer"): 1,
        ("city", "customer"): cities,
        ("city", "network_ops"): cities,
        ("county", "customer"): counties,
        ("county", "tech_maintenance"): counties,
    }
    for department in Department.objects.select_related("org_unit", "head"):
        department.full_clean()
        assert department.head.department_id == department.pk
        assert department.phone


def test_staff_contact_points_and_supervisors(province, db):
    staff = list(Staff.objects.select_related("org_unit", "department", "supervisor__department"))
    mobiles = [s.mobile for s in staff]
    assert len(set(mobiles)) == len(mobiles)
    assert all(re.fullmatch(r"1\d{10}", m) for m in mobiles)
    assert all(s.email for s in staff)
    assert sum(bool(s.dingtalk_user_id) for s in staff) > 0.8 * len(staff)
    assert sum(bool(s.wecom_user_id) for s in staff) > 0.8 * len(staff)
    for person in staff[::25]:
        person.full_clean()
    for person in staff:
        if person.org_unit.level == "township":
            assert person.department is None
            assert person.supervisor.department.kind == Department.Kind.TECH_MAINTENANCE
            assert person.supervisor.org_unit_id == person.org_unit.parent_id
            assert not person.supervisor.is_emergency_mobile
        elif person.org_unit.level == "county":
            assert person.supervisor.org_unit_id in (person.org_unit_id, person.org_unit.parent_id)


def test_demo_logins_work_and_sit_at_their_levels(province, db):
    expected = {
        "dispatcher": (Role.DISPATCHER, "province"),
        "city-dispatcher": (Role.DISPATCHER, "city"),
        "county-dispatcher": (Role.DISPATCHER, "county"),
        "township-staff": (Role.SUPPORT, "township"),
    }
    for username, (role, level) in expected.items():
        user = User.objects.select_related("staff_profile__org_unit").get(username=username)
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
        assert user.staff_profile.org_unit.level == level
    county = User.objects.get(username="county-dispatcher").staff_profile.org_unit
    city = User.objects.get(username="city-dispatcher").staff_profile.org_unit
    assert county.parent_id == city.pk


def test_venues_are_staffed_by_their_township_person(province, db):
    unstaffed = {_unit_at(s.position).pk for s in DELIBERATE_SHORTFALLS if s.level == "township"}
    assert len(unstaffed) == 3
    person_of = {s.org_unit_id: s for s in Staff.objects.filter(org_unit__level="township")}
    assert set(person_of).isdisjoint(unstaffed)
    venues = list(
        Venue.objects.select_related(
            "org_unit", "system", "primary_staff", "backup_staff__department"
        )
    )
    per_system = Counter((v.org_unit.level, v.system.code, v.role) for v in venues)
    townships = province["units"]["township"]
    assert (
        per_system[("province", "water", "main")]
        == per_system[("province", "finance", "main")]
        == 1
    )
    assert (
        per_system[("township", "water", "branch")]
        == per_system[("township", "government", "branch")]
        == townships
    )
    assert 0.85 * townships <= per_system[("township", "finance", "branch")] <= 0.95 * townships
    for venue in venues:
        if venue.org_unit.level == "township":
            if venue.org_unit_id in unstaffed:
                assert venue.primary_staff is None
            else:
                assert venue.primary_staff == person_of[venue.org_unit_id]
            assert venue.backup_staff.department.kind == Department.Kind.TECH_MAINTENANCE
            assert venue.backup_staff.org_unit_id == venue.org_unit.parent_id
        else:
            assert venue.primary_staff is not None and venue.backup_staff is not None
            assert venue.primary_staff != venue.backup_staff
            assert venue.primary_staff.org_unit_id == venue.org_unit_id
    for venue in venues[::40]:
        venue.full_clean()


def test_staffing_shortfalls_are_exactly_the_deliberate_ones(province, db):
    rules = {rule.level: rule for rule in StaffingRule.objects.all()}
    expected = set()
    for deliberate in DELIBERATE_SHORTFALLS:
        unit = _unit_at(deliberate.position)
        assert unit.level == deliberate.level
        rule = rules[unit.level]
        required = rule.regular if deliberate.kind == "regular" else rule.emergency
        assert deliberate.actual < required
        expected.add((unit.code, deliberate.kind, required, deliberate.actual))
    found = {(s.org_unit_code, s.kind, s.required, s.actual) for s in staffing_shortfalls()}
    assert found == expected
    assert {s["code"] for s in province["shortfalls"]} == {code for code, *_ in expected}


def test_equipment_is_complete_unique_and_on_private_addresses(province, db):
    kinds_of: dict[int, set[str]] = {}
    for venue_id, kind in Equipment.objects.values_list("venue_id", "kind"):
        kinds_of.setdefault(venue_id, set()).add(kind)
    for venue_id, level in Venue.objects.values_list("id", "org_unit__level"):
        needed = (
            {"terminal", "switch", "optical"} if level == "township" else set(Equipment.Kind.values)
        )
        assert needed <= kinds_of[venue_id]
    serials = list(Equipment.objects.values_list("serial_number", flat=True))
    assert all(serials) and len(set(serials)) == len(serials)
    addresses = list(
        Equipment.objects.exclude(management_ip=None).values_list("management_ip", flat=True)
    )
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.IPv4Address(a) in ipaddress.IPv4Network("10.0.0.0/8") for a in addresses)
    assert not Equipment.objects.filter(
        kind__in=["terminal", "switch", "optical"], management_ip=None
    ).exists()
    assert Integrator.objects.count() >= 3
    assert Equipment.objects.exclude(integrator=None).count() > Equipment.objects.count() // 2
    assert not Venue.objects.exclude(org_unit__level="township").filter(fibre_routes=None).exists()
    assert Venue.objects.filter(org_unit__level="township").exclude(fibre_routes=None).exists()


def test_command_refuses_to_run_over_an_existing_directory(province, db):
    with pytest.raises(CommandError, match=r"already holds org units.*--force"):
        call_command("seed_demo", stdout=StringIO())
    assert OrgUnit.objects.count() == sum(province["units"].values())


def test_force_rebuilds_the_same_province_from_the_same_seed(province, db):
    before = _fingerprint()
    out = StringIO()
    call_command("seed_demo", "--force", "--seed", "2026", stdout=out)
    assert _fingerprint() == before
    summary = out.getvalue()
    assert f"{province['units']['township']} townships" in summary
    assert f"R5 shortfalls: {len(DELIBERATE_SHORTFALLS)}" in summary
    assert AuditEvent.objects.filter(action="demo.wipe").count() == 1
    # R4: every unit of the demo province is covered by at least two active IM groups.
    from vcassure.notifications.services import check_group_coverage

    assert check_group_coverage(OrgUnit.objects.values_list("id", flat=True)) == []
    assert "IM groups:" in summary
    call_command("seed_demo", "--force", "--seed", "7", stdout=StringIO())
    assert _fingerprint() != before
