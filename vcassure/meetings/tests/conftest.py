from datetime import timedelta

import pytest

from vcassure.core import clock
from vcassure.notifications.models import ImGroup
from vcassure.orgs.models import Department, Staff
from vcassure.orgs.tests.factories import DepartmentFactory, StaffFactory
from vcassure.venues.tests.factories import VenueFactory


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
