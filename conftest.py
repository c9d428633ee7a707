"""Shared fixtures: a small province with two cities, two counties each, two townships each,
and users of every role at every level."""

from dataclasses import dataclass, field

import pytest

from vcassure.accounts.models import Role
from vcassure.orgs.models import Department, OrgUnit
from vcassure.orgs.tests.factories import (
    DepartmentFactory,
    OrgUnitFactory,
    StaffFactory,
    UserFactory,
)


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
def api_client_for(client):
    """api_client_for(user) -> a Django test client that sends that user's bearer token."""
    from django.test import Client

    from vcassure.accounts.services import api_token_create

    def make(user):
        _token, key = api_token_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make
