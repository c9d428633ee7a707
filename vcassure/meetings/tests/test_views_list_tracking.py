"""The meeting pages through Django's test client: the list with its filters, my tasks, the tracking
page below a unit, and constant query counts of the list and detail pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.meetings import make_meeting, published_meeting
from tests.factories.venues import VenueFactory
from vcassure.accounts.models import Role
from vcassure.meetings import services
from vcassure.orgs.models import Staff

# --- list, my tasks, tracking -----------------------------------------------------------------------


def test_list_filters_and_empty_state(province, tomorrow, client):
    tree = province
    make_meeting(tree, tomorrow, tree.venues[:1], title="防汛会商")
    later = (tomorrow[0] + timedelta(days=5), tomorrow[1] + timedelta(days=5))
    published_meeting(tree, later, tree.venues[:1], title="财务会商")
    make_meeting(
        tree,
        tomorrow,
        [tree.venues[2]],
        user=tree.user("county1"),
        main_venue=None,
        title="县级会商",
    )
    client.force_login(tree.user("province"))

    def titles(params) -> set[str]:
        page = client.get("/meetings/", params).content.decode()
        return {t for t in ("防汛会商", "财务会商", "县级会商") if f">{t}</a>" in page}

    assert titles({}) == {"防汛会商", "财务会商", "县级会商"}
    assert titles({"state": "published"}) == {"财务会商"}
    assert titles({"q": "防汛"}) == {"防汛会商"}
    day = timezone.localtime(tomorrow[0]).date()
    assert titles({"date_from": str(day), "date_to": str(day)}) == {"防汛会商", "县级会商"}
    assert titles({"date_from": str(day + timedelta(days=1))}) == {"财务会商"}
    assert titles({"org_unit": tree.counties[1].pk}) == {"县级会商"}
    assert titles({"system": "finance"}) == set()
    assert titles({"date_from": "not-a-date"}) == {"防汛会商", "财务会商", "县级会商"}
    assert "没有符合条件的会议" in client.get("/meetings/", {"q": "不存在"}).content.decode()


def test_my_tasks_lists_the_callers_tasks(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:2])
    user = tree.user("township0", Role.SUPPORT)  # the primary staff of venue 0
    assert tree.venues[0].primary_staff.user == user
    client.force_login(user)
    page = client.get("/meetings/tasks/mine/").content.decode()
    assert "防汛会商" in page and tree.venues[0].name in page and tree.venues[1].name not in page
    assert "分会场保障" in page and "到场时限" in page and "共 1 条" in page
    assert (
        client.get(f"/meetings/{meeting.pk}/").status_code == 200
    )  # the meeting is reachable from the card
    client.force_login(tree.user("province", Role.READONLY))
    assert "暂时没有分派给您的任务" in client.get("/meetings/tasks/mine/").content.decode()


def test_track_page_below_a_unit(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:6])
    client.force_login(tree.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/track/").content.decode()
    assert "测试1市" in page and "测试2市" in page and f"?org_unit={tree.cities[0].pk}" in page
    page = client.get(
        f"/meetings/{meeting.pk}/track/", {"org_unit": tree.cities[0].pk}
    ).content.decode()
    assert "测试1市1县" in page and "测试1市2县" in page and "测试2市1县" not in page
    assert 'data-role="customer"' in page and 'data-role="publish"' not in page
    # A county user defaults to its own county, and cannot look at another.
    client.force_login(tree.user("county0"))
    page = client.get(f"/meetings/{meeting.pk}/track/").content.decode()
    assert "测试1市1县1镇" in page and "测试1市1县2镇" in page and "测试1市2县" not in page
    assert (
        client.get(f"/meetings/{meeting.pk}/track/", {"org_unit": tree.counties[1].pk}).status_code
        == 404
    )


# --- query counts -----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_venues(tree, n):
    return [
        VenueFactory(
            org_unit=tree.townships[i % 8],
            code=f"W-EXTRA{i}",
            primary_staff=Staff.objects.filter(org_unit=tree.townships[i % 8]).first(),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("published", [False, True])
def test_detail_page_constant_queries(province, tomorrow, client, published):
    tree = province
    extra = _more_venues(tree, 3)
    small = make_meeting(tree, tomorrow, tree.venues[:5])
    later = (tomorrow[0] + timedelta(days=2), tomorrow[1] + timedelta(days=2))
    large = make_meeting(tree, later, [*tree.venues[:5], *extra])
    if published:
        for m in (small, large):
            services.meeting_publish(m, by=tree.user("province"), confirm_shortfalls=True)
    client.force_login(tree.user("province"))
    assert _queries(client, f"/meetings/{small.pk}/") == _queries(client, f"/meetings/{large.pk}/")


def test_list_page_constant_queries(province, tomorrow, client):
    tree = province
    extra = _more_venues(tree, 3)
    make_meeting(tree, tomorrow, tree.venues[:5])
    client.force_login(tree.user("province"))
    before = _queries(client, "/meetings/")
    later = (tomorrow[0] + timedelta(days=2), tomorrow[1] + timedelta(days=2))
    services.meeting_publish(
        make_meeting(tree, later, [*tree.venues[:5], *extra]),
        by=tree.user("province"),
        confirm_shortfalls=True,
    )
    assert _queries(client, "/meetings/") == before
