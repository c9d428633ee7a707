"""Fixtures shared by more than one app's tests: `tree`, a small province with two cities, two
counties each, two townships each, and users of every role at every level; `province`, that tree
made dispatchable; `tomorrow`; `field_setup`, a published meeting with its links; and
`api_client_for`. Factories and builders live in tests/factories/."""

import socket
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.factories.meetings import make_meeting, publish, task_notice, venue_task
from tests.factories.notifications import ack_token
from tests.factories.orgs import DepartmentFactory, OrgUnitFactory, StaffFactory, UserFactory
from tests.factories.venues import VenueFactory
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.meetings.services import share_link_create
from vcassure.notifications.models import ImGroup
from vcassure.orgs.models import Department, OrgUnit, Staff


@dataclass
class Tree:
    province: OrgUnit
    cities: list[OrgUnit] = field(default_factory=list)
    counties: list[OrgUnit] = field(
        default_factory=list
    )  # cities[0] owns counties[0:2], cities[1] counties[2:4]
    townships: list[OrgUnit] = field(default_factory=list)  # counties[i] owns townships[2i:2i+2]
    users: dict = field(
        default_factory=dict
    )  # (level, role) -> User; level keys "province", "city0", "county0", ...

    def user(self, key: str, role: str = Role.DISPATCHER):
        return self.users[(key, role)]


def _user_at(unit: OrgUnit, key: str, role: str, department=None):
    user = UserFactory(username=f"{key}-{role}", role=role)
    StaffFactory(org_unit=unit, department=department, user=user, name=f"{unit.name}{role}")
    return user


@pytest.fixture
def tree(db) -> Tree:
    province = OrgUnitFactory(code="330000", name="测试省", level=OrgUnit.Level.PROVINCE)
    t = Tree(province=province)
    ops = DepartmentFactory(org_unit=province, kind=Department.Kind.OPS)
    for role in (Role.ADMIN, Role.DISPATCHER, Role.READONLY):
        t.users[("province", role)] = _user_at(province, "province", role, ops)
    for c in range(2):
        city = OrgUnitFactory(
            code=f"33{c + 1:02d}00",
            name=f"测试{c + 1}市",
            level=OrgUnit.Level.CITY,
            parent=province,
        )
        t.cities.append(city)
        netops = DepartmentFactory(org_unit=city, kind=Department.Kind.NETWORK_OPS)
        for role in (Role.DISPATCHER, Role.MANAGER, Role.SUPPORT):
            t.users[(f"city{c}", role)] = _user_at(city, f"city{c}", role, netops)
        for k in range(2):
            county = OrgUnitFactory(
                code=f"33{c + 1:02d}{k + 1:02d}",
                name=f"测试{c + 1}市{k + 1}县",
                level=OrgUnit.Level.COUNTY,
                parent=city,
            )
            t.counties.append(county)
            tm = DepartmentFactory(org_unit=county, kind=Department.Kind.TECH_MAINTENANCE)
            idx = len(t.counties) - 1
            for role in (Role.DISPATCHER, Role.MANAGER, Role.SUPPORT):
                t.users[(f"county{idx}", role)] = _user_at(county, f"county{idx}", role, tm)
            for w in range(2):
                town = OrgUnitFactory(
                    code=f"{county.code}{w + 1:03d}",
                    name=f"{county.name}{w + 1}镇",
                    level=OrgUnit.Level.TOWNSHIP,
                    parent=county,
                )
                t.townships.append(town)
                tidx = len(t.townships) - 1
                t.users[(f"township{tidx}", Role.SUPPORT)] = _user_at(
                    town, f"township{tidx}", Role.SUPPORT
                )
    return t


@pytest.fixture
def listener():
    """The port of a TCP listener on 127.0.0.1 (a terminal that answers a probe)."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(64)
        yield srv.getsockname()[1]


@pytest.fixture
def api_client_for(client):
    """api_client_for(user) -> a Django test client that sends that user's bearer token."""
    from django.test import Client

    from vcassure.accounts.services import api_token_create

    def make(user):
        _token, key = api_token_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


@pytest.fixture
def province(tree):
    """The `tree` fixture made dispatchable: every department of SPEC §1, R5 staffing everywhere,
    and one water venue per township (primary: the township's person, backup: a county regular),
    plus a water main venue at the province."""
    DepartmentFactory(org_unit=tree.province, kind=Department.Kind.CUSTOMER)
    DepartmentFactory(org_unit=tree.province, kind=Department.Kind.BROADCAST)
    for city in tree.cities:
        DepartmentFactory(org_unit=city, kind=Department.Kind.CUSTOMER)
        netops = Department.objects.get(org_unit=city, kind=Department.Kind.NETWORK_OPS)
        Staff.objects.filter(org_unit=city).update(is_emergency_mobile=False)
        for i in range(2):
            StaffFactory(
                org_unit=city,
                department=netops,
                is_emergency_mobile=True,
                name=f"{city.name}应急{i}",
            )
    tree.county_regulars = {}
    for county in tree.counties:
        DepartmentFactory(org_unit=county, kind=Department.Kind.CUSTOMER)
        tm = Department.objects.get(org_unit=county, kind=Department.Kind.TECH_MAINTENANCE)
        for i in range(3):
            StaffFactory(
                org_unit=county,
                department=tm,
                is_emergency_mobile=True,
                name=f"{county.name}应急{i}",
                code=f"E{county.code}{i}",
            )
        tree.county_regulars[county.pk] = list(
            Staff.objects.filter(org_unit=county, is_emergency_mobile=False)
        )
    tree.venues = []
    for i, town in enumerate(tree.townships):
        county = tree.counties[i // 2]
        tree.venues.append(
            VenueFactory(
                org_unit=town,
                code=f"W-{town.code}",
                name=f"{town.name}水利分会场",
                primary_staff=Staff.objects.get(org_unit=town),
                backup_staff=tree.county_regulars[county.pk][0],
            )
        )
    # R4: every notice goes to at least two IM groups; these cover the whole province.
    for platform, url in (
        ("dingtalk", "http://127.0.0.1:9/robot/send?access_token=t1"),
        ("wecom", "http://127.0.0.1:9/cgi-bin/webhook/send?key=k1"),
    ):
        ImGroup.objects.create(
            platform=platform, name=f"{platform} 保障群", webhook_url=url, org_unit=tree.province
        )
    tree.main_venue = VenueFactory(
        org_unit=tree.province,
        code="W-MAIN",
        name="省水利厅主会场",
        role="main",
        primary_staff=StaffFactory(org_unit=tree.province, name="驻场人员"),
    )
    return tree


@pytest.fixture
def tomorrow():
    start = (clock.localnow() + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return start, start + timedelta(hours=2)


@pytest.fixture
def field_setup(province, tomorrow, settings):
    """A published meeting; a venue task, its person's acknowledgement token, a share link."""
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    meeting = publish(province, make_meeting(province, tomorrow, province.venues[:2]))
    task = venue_task(meeting, province.venues[0])
    token = ack_token(task_notice(task))
    link = share_link_create(meeting, by=province.user("province"), expires_at=meeting.starts_at)
    return meeting, task, token, link
