"""The venue picker's data (venues:picker_data) and its form field: scoped to the user, filtered
by system and role, with the units above the venues and the pinyin keys the search uses, in a
constant number of queries; the field parses the posted ids and refuses anything else."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.orgs import OrgUnitFactory
from tests.factories.venues import VenueFactory, system
from vcassure.orgs.models import OrgUnit
from vcassure.venues.forms import VenuePickerField
from vcassure.venues.selectors import pinyin_keys

URL = "/venues/picker-data/"


def test_pinyin_keys_hold_initials_and_full_pinyin():
    assert pinyin_keys("平谷市") == "pgs pinggushi"
    assert pinyin_keys("重庆") == "cq chongqing"


def test_province_gets_every_branch_venue_of_the_system_with_the_units_above(province, client):
    tree = province
    VenueFactory(org_unit=tree.townships[0], system=system("finance"), name="财政分会场")
    client.force_login(tree.user("province"))
    data = client.get(URL, {"system": "water", "role": "branch"}).json()
    assert sorted(v[0] for v in data["venues"]) == sorted(v.pk for v in tree.venues)
    units = {u[0]: u for u in data["units"]}
    assert units[tree.province.pk][1] is None  # the top
    assert units[tree.townships[0].pk][1] == tree.counties[0].pk
    assert len(units) == 1 + 2 + 4 + 8
    # parents come before their children, so the script builds the tree in one pass
    order = [u[0] for u in data["units"]]
    assert order.index(tree.cities[0].pk) < order.index(tree.counties[0].pk)
    venue = next(v for v in data["venues"] if v[0] == tree.venues[0].pk)
    assert venue[1:5] == [tree.venues[0].name, tree.venues[0].code, tree.townships[0].pk, "water"]
    assert venue[5].startswith("cs1s1x1zslfhc")  # 测试1市1县1镇水利分会场
    assert ["finance", "财政视频会商系统"] in data["systems"] or any(
        s[0] == "finance" for s in data["systems"]
    )


def test_a_county_gets_only_its_own_venues_and_its_county_as_the_top(province, client):
    tree = province
    client.force_login(tree.user("county0"))
    data = client.get(URL, {"system": "water"}).json()
    assert {v[0] for v in data["venues"]} == {tree.venues[0].pk, tree.venues[1].pk}
    assert [u[0] for u in data["units"] if u[1] is None] == [tree.counties[0].pk]
    assert tree.cities[0].pk not in {u[0] for u in data["units"]}


def test_main_venues_only_when_asked(province, client):
    client.force_login(province.user("province"))
    branch = client.get(URL, {"system": "water", "role": "branch"}).json()
    every = client.get(URL, {"system": "water"}).json()
    assert province.main_venue.pk not in {v[0] for v in branch["venues"]}
    assert province.main_venue.pk in {v[0] for v in every["venues"]}


def test_queries_do_not_grow_with_the_venues(province, client):
    client.force_login(province.user("province"))
    client.get(URL, {"system": "water"})
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"system": "water"})
    county = province.counties[0]
    for i in range(30):
        town = OrgUnitFactory(
            code=f"{county.code}{i + 100:03d}",
            name=f"新镇{i}",
            level=OrgUnit.Level.TOWNSHIP,
            parent=county,
        )
        VenueFactory(org_unit=town, name=f"新镇{i}分会场")
    with CaptureQueriesContext(connection) as many:
        data = client.get(URL, {"system": "water"}).json()
    assert len(data["venues"]) == len(province.venues) + 1 + 30
    assert len(many) == len(few)


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.parametrize(
    ("posted", "ids"),
    [("", []), ("3,1,3", [3, 1]), (" 7 , 8 ", [7, 8]), ("5,", [5])],
)
def test_field_reads_the_posted_ids(posted, ids):
    assert VenuePickerField(required=False).clean(posted) == ids


@pytest.mark.parametrize("posted", ["1,abc", "-1", "１２", "0", str(2**31)])
def test_field_refuses_what_is_not_an_id(posted):
    with pytest.raises(ValidationError, match="所选会场无效"):
        VenuePickerField(required=False).clean(posted)


def test_data_is_gzipped_for_browsers_that_accept_it(province, client):
    client.force_login(province.user("province"))
    response = client.get(URL, {"system": "water"}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
