"""The `org_unit=` filter of every list goes through the scope door (`in_visible_unit`): a unit the
caller may not see filters to nothing (never to that unit's rows), a unit of their own subtree
filters to it. Pages and API alike, for a county dispatcher probing the neighbouring county."""

import pytest

from tests.factories.meetings import published_meeting
from vcassure.faults.services import fault_open
from vcassure.meetings import services

API_LISTS = [
    "/api/meetings",
    "/api/staff",
    "/api/venues",
    "/api/faults",
]
PAGES = [
    "/meetings/",
    "/venues/",
    "/org/staff/",
]


@pytest.fixture
def world(province, tomorrow):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues)
    # a meeting of the neighbouring county's own (owned by county1)
    start, end = tomorrow
    services.meeting_create(
        by=tree.user("county1"),
        system="water",
        title="县级会商",
        starts_at=start,
        ends_at=end,
        notice_ref="水利〔2026〕13号",
        venues=[v.pk for v in tree.venues[2:4]],
    )
    for town in tree.townships[:4]:
        fault_open(title="终端无信号", source="manual", org_unit=town, by=tree.user("province"))
    return {"tree": tree, "meeting": meeting}


def _ids(answer) -> list[int]:
    return [row["id"] for row in answer.json()["items"]]


@pytest.mark.parametrize("path", API_LISTS)
def test_an_api_list_filtered_on_another_scopes_unit_is_empty(world, api_client_for, path):
    tree = world["tree"]
    county0 = api_client_for(tree.user("county0"))
    other = tree.counties[1]  # county1: the neighbour
    answer = county0.get(path, {"org_unit": other.pk})
    assert answer.status_code == 200
    assert _ids(answer) == [], f"{path}?org_unit={other.pk} leaked the neighbour's rows"
    province = api_client_for(tree.user("province"))
    assert _ids(province.get(path, {"org_unit": other.pk})), "the filter itself finds rows"


@pytest.mark.parametrize("path", ["/api/staff", "/api/venues", "/api/faults"])
def test_an_api_list_filtered_on_an_own_unit_keeps_only_that_unit(world, api_client_for, path):
    tree = world["tree"]
    county0 = api_client_for(tree.user("county0"))
    own = tree.townships[0]
    everything = set(_ids(county0.get(path)))
    filtered = set(_ids(county0.get(path, {"org_unit": own.pk})))
    assert filtered and filtered < everything


def test_the_task_list_of_a_meeting_filtered_on_another_scopes_unit_is_empty(world, api_client_for):
    tree, meeting = world["tree"], world["meeting"]
    county0 = api_client_for(tree.user("county0"))
    url = f"/api/meetings/{meeting.pk}/tasks"
    assert _ids(county0.get(url, {"org_unit": tree.counties[1].pk})) == []
    assert _ids(county0.get(url, {"org_unit": tree.townships[0].pk}))


@pytest.mark.parametrize("path", PAGES)
def test_a_list_page_filtered_on_another_scopes_unit_shows_none_of_its_rows(world, client, path):
    tree = world["tree"]
    client.force_login(tree.user("county0"))
    other_towns = [t.name for t in tree.townships[2:4]]
    page = client.get(path, {"org_unit": tree.counties[1].pk})
    assert page.status_code == 200
    text = page.content.decode()
    for name in other_towns:
        assert name not in text, f"{path} showed {name} of another scope"
