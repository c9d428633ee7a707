"""The live command dashboard (C7): counts and roll-ups from the database, drill-down, the rows that
need attention first, the timeline, the big screen, a constant number of queries, scope. (The
`meeting` fixture is in conftest.py.)"""

import re
from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.meetings import make_meeting, publish, venue_task
from tests.factories.venues import VenueFactory
from vcassure.accounts.models import Role
from vcassure.meetings import services
from vcassure.meetings.models import SupportTask
from vcassure.meetings.tests.dashboard_helpers import set_state as _set_state
from vcassure.meetings.tests.dashboard_helpers import url
from vcassure.orgs.models import Staff


def counts_of(response) -> dict:
    return dict(response.context["board"].rollup.counts)


def tile(page: str, state: str) -> int:
    match = re.search(
        rf'data-state="{state}"><div class="label">[^<]*</div><div class="num">(\d+)%?<', page
    )
    assert match, f"no tile for {state}"
    return int(match.group(1))


# --- counts, roll-ups, drill-down ------------------------------------------------------------------


def test_counts_and_rollups(province, meeting, client):
    tree = province
    client.force_login(tree.user("province"))
    response = client.get(url(meeting))
    assert response.status_code == 200
    assert counts_of(response) == {
        "ready": 2,
        "on_site": 1,
        "faulty": 1,
        "acknowledged": 1,
        "pending": 4,
    }
    page = response.content.decode()
    assert tile(page, "total") == 9 and tile(page, "ready") == 2 and tile(page, "pending") == 4
    assert tile(page, "faulty") == 1 and tile(page, "ready_rate") == 22  # 2 of 9
    board = response.context["board"]
    nodes = {n.unit.name: n for n in board.children}
    assert list(nodes) == [
        "测试省",
        "测试1市",
        "测试2市",
    ]  # the main venue sits at the province itself
    assert nodes["测试省"].is_direct and dict(nodes["测试省"].rollup.counts) == {"ready": 1}
    assert dict(nodes["测试1市"].rollup.counts) == {
        "ready": 1,
        "on_site": 1,
        "faulty": 1,
        "acknowledged": 1,
    }
    assert dict(nodes["测试2市"].rollup.counts) == {"pending": 4}
    assert nodes["测试1市"].rollup.ready_percent == 25 and nodes["测试2市"].rollup.unanswered == 4
    assert nodes["测试1市"].has_units_below and not nodes["测试省"].has_units_below
    # Never a row per venue at the top: the tree and the attention list only.
    assert 'id="dash-venues"' not in page


def test_drill_down_to_a_city_shows_its_counties_then_townships_and_venues(
    province, meeting, client
):
    tree = province
    client.force_login(tree.user("province"))
    page = client.get(url(meeting, unit=tree.cities[0].pk)).content.decode()
    assert "测试1市1县" in page and "测试1市2县" in page and "测试2市1县" not in page
    assert f'hx-get="?unit={tree.counties[0].pk}"' in page
    response = client.get(url(meeting, unit=tree.cities[0].pk))
    assert counts_of(response) == {"ready": 1, "on_site": 1, "faulty": 1, "acknowledged": 1}
    assert [b.name for b in response.context["board"].breadcrumbs] == ["测试省", "测试1市"]
    response = client.get(url(meeting, unit=tree.counties[0].pk))
    assert [n.unit.name for n in response.context["board"].children] == [
        "测试1市1县1镇",
        "测试1市1县2镇",
    ]
    # A township lists its own venues.
    page = client.get(url(meeting, unit=tree.townships[0].pk)).content.decode()
    assert (
        'id="dash-venues"' in page
        and tree.venues[0].name in page
        and tree.venues[1].name not in page
    )


def test_htmx_poll_renders_the_live_partial_only(province, meeting, client):
    client.force_login(province.user("province"))
    response = client.get(url(meeting, unit=province.cities[1].pk), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="live"') and "<html" not in page
    assert (
        f'hx-get="/meetings/{meeting.pk}/dashboard/?unit={province.cities[1].pk}&amp;poll=1"'
        in page
    )
    assert 'hx-trigger="every 5s"' in page
    # A state changed in the database shows on the next poll.
    _set_state(meeting, province.venues[4], "ready")
    page = client.get(url(meeting), HTTP_HX_REQUEST="true").content.decode()
    assert tile(page, "ready") == 3
    # Going back in history asks for the whole page.
    page = client.get(
        url(meeting), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    ).content.decode()
    assert "<html" in page


def test_overdue_first_then_faulty_then_unanswered(province, meeting, client):
    tree = province
    client.force_login(tree.user("province"))
    # Before any deadline: the faulty venue, then the four unanswered ones; nothing overdue.
    board = client.get(url(meeting)).context["board"]
    assert [row["task"].venue_id for row in board.attention][:1] == [tree.venues[2].pk]
    assert board.rollup.overdue == 0 and board.rollup.attention == 5
    assert {row["task"].venue_id for row in board.attention[1:]} == {v.pk for v in tree.venues[4:]}
    # Ten minutes past the on-site deadline (T−60): the acknowledged venue and the unanswered ones are
    # overdue and come first; the faulty one (ready deadline T−30 not passed yet) comes after them.
    with time_machine.travel(meeting.starts_at - timedelta(minutes=50), tick=False):
        client.force_login(tree.user("province"))  # sessions expire within the day
        response = client.get(url(meeting))
    board = response.context["board"]
    venues = [row["task"].venue_id for row in board.attention]
    overdue = [row["task"].venue_id for row in board.attention if row["is_overdue"]]
    assert set(overdue) == {tree.venues[3].pk, *(v.pk for v in tree.venues[4:])}
    assert venues[: len(overdue)] == overdue and venues[len(overdue)] == tree.venues[2].pk
    assert board.rollup.overdue == 5 and tile(response.content.decode(), "overdue") == 5
    assert board.attention[0]["reasons"][0][0] == "missed_on_site"
    page = response.content.decode()
    assert page.index(tree.venues[3].name) < page.index(tree.venues[2].name)
    assert 'data-reason="missed_on_site"' in page and 'data-reason="faulty"' in page


def test_attention_list_is_capped(province, meeting, client, monkeypatch):
    monkeypatch.setattr("vcassure.meetings.selectors.ATTENTION_LIMIT", 2)
    client.force_login(province.user("province"))
    page = client.get(url(meeting)).content.decode()
    assert "另有 3 项" in page


def test_timeline_shows_events_and_latest_moves(province, meeting, client):
    task = venue_task(meeting, province.venues[1])
    services.support_task_transition(task, by=province.user("province"), to_state="ready")
    client.force_login(province.user("province"))
    timeline = client.get(url(meeting)).context["timeline"]
    assert timeline[0]["move"].task_id == task.pk and timeline[0]["move"].to_state == "ready"
    assert any(entry.get("event") and entry["event"].kind == "published" for entry in timeline)
    assert sum(1 for entry in timeline if "move" in entry) <= 30


def test_timeline_shows_only_the_viewers_moves_however_many_others_came_after(
    province, tomorrow, client, monkeypatch
):
    """A county following a province meeting sees its own venues' latest moves, even when the
    meeting's newest moves (more than one batch of them) are all in another city."""
    monkeypatch.setattr("vcassure.meetings.selectors.timeline.TIMELINE_BATCH", 3)
    tree = province
    meeting = publish(tree, make_meeting(tree, tomorrow, tree.venues))
    mine = venue_task(meeting, tree.venues[0])  # county 0
    services.support_task_transition(mine, by=tree.user("province"), to_state="acknowledged")
    for venue in tree.venues[4:]:  # city 1, after it: 4 tasks x 2 moves, more than two batches
        task = venue_task(meeting, venue)
        services.support_task_transition(task, by=tree.user("province"), to_state="acknowledged")
        services.support_task_transition(task, by=tree.user("province"), to_state="on_site")
    client.force_login(tree.user("county0"))
    timeline = client.get(url(meeting)).context["timeline"]
    moves = [entry for entry in timeline if "move" in entry]
    county_tasks = set(
        SupportTask.objects.filter(meeting=meeting, venue__in=tree.venues[:2]).values_list(
            "pk", flat=True
        )
    )
    assert moves[0]["move"].task_id == mine.pk and moves[0]["label"] == "已确认"
    assert moves[0]["venue_name"] == tree.venues[0].name
    assert {entry["move"].task_id for entry in moves} <= county_tasks
    # The province sees the newest first, city 1's.
    client.force_login(tree.user("province"))
    timeline = client.get(url(meeting)).context["timeline"]
    newest = next(entry for entry in timeline if "move" in entry)
    assert newest["move"].to_state == "on_site" and newest["venue_name"] == tree.venues[-1].name


def test_big_screen_mode(province, meeting, client):
    client.force_login(province.user("province"))
    page = client.get(url(meeting, screen=1)).content.decode()
    assert '<body class="screen"' in page and 'class="nav"' not in page
    assert (
        'id="live"' in page
        and f'hx-get="/meetings/{meeting.pk}/dashboard/?screen=1&amp;unit=' in page
    )
    assert "退出大屏" in page
    # Drilling down stays on the big screen.
    assert f'href="?screen=1&amp;unit={province.cities[0].pk}"' in page


# --- queries and scope -----------------------------------------------------------------------------


def _queries(client, path, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, **headers).status_code == 200
    return len(ctx.captured_queries)


def test_constant_number_of_queries_5_vs_60_venues(province, tomorrow, client):
    tree = province
    extra = [
        VenueFactory(
            org_unit=tree.townships[i % 8],
            code=f"W-DASH{i}",
            name=f"加测会场{i}",
            primary_staff=Staff.objects.filter(org_unit=tree.townships[i % 8]).first(),
        )
        for i in range(55)
    ]
    small = publish(tree, make_meeting(tree, tomorrow, tree.venues[:5]))
    later = (tomorrow[0] + timedelta(days=2), tomorrow[1] + timedelta(days=2))
    large = publish(tree, make_meeting(tree, later, [*tree.venues[:5], *extra], title="大会"))
    assert SupportTask.objects.filter(meeting=large, kind="venue").count() == 61
    for m, states in ((small, ["ready", "faulty"]), (large, ["ready", "faulty", "on_site"])):
        for i, pk in enumerate(
            SupportTask.objects.filter(meeting=m, kind="venue").values_list("pk", flat=True)
        ):
            SupportTask.objects.filter(pk=pk).update(state=states[i % len(states)])
    for user in (tree.user("province"), tree.user("county0", Role.MANAGER)):
        client.force_login(user)
        for params in (
            {},
            {"unit": tree.counties[0].pk},
            {"unit": tree.townships[0].pk},
            {"screen": 1},
        ):
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                assert _queries(client, url(small, **params), **headers) == _queries(
                    client, url(large, **params), **headers
                )
    client.force_login(tree.user("province"))
    # + the venues' open faults, + check-ins far from their venue (issue 16), + the timeline's
    # moves read by the meeting's index and then checked against the viewer's tasks (issue 18)
    assert _queries(client, url(large), HTTP_HX_REQUEST="true") <= 15


def test_other_scope_is_404(province, tomorrow, client):
    tree = province
    meeting = publish(tree, make_meeting(tree, tomorrow, tree.venues[:4]))  # city 0 only
    client.force_login(tree.user("city1"))
    assert client.get(url(meeting)).status_code == 404
    assert client.get(url(meeting), HTTP_HX_REQUEST="true").status_code == 404
    # Inside the meeting, a county user sees only its county, and cannot drill elsewhere.
    client.force_login(tree.user("county0"))
    response = client.get(url(meeting))
    assert response.context["board"].root == tree.counties[0]
    assert response.context["board"].rollup.total == 2
    assert client.get(url(meeting, unit=tree.counties[1].pk)).status_code == 404
    assert client.get(url(meeting, unit=tree.cities[0].pk)).status_code == 404
    assert client.get(url(meeting, unit="x")).status_code == 200  # a junk id falls back to the top
    assert client.get("/meetings/999999/dashboard/").status_code == 404


def test_login_required(province, meeting, client):
    response = client.get(url(meeting))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(url(meeting), HTTP_HX_REQUEST="true")
    assert response.headers.get("HX-Refresh") == "true"
