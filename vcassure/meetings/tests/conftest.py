"""Fixtures shared by the split meeting test modules. A module that defines a fixture of the same
name (test_ack.py's `published`, test_field.py's `task`) uses its own."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories.meetings import make_meeting, publish, published_meeting
from vcassure.accounts.models import Role
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.tests.api_helpers import meeting_body, post
from vcassure.meetings.tests.dashboard_helpers import set_state
from vcassure.meetings.tests.field_helpers import NETOPS_PHONE
from vcassure.orgs.models import Department

# --- the dashboard (test_dashboard_board.py, test_dashboard_share_links.py) ------------------------


@pytest.fixture
def meeting(province, tomorrow):
    """All eight township venues (city 0: venues 0-3, city 1: venues 4-7) and the main venue, with
    venue 0 ready, 1 on site, 2 faulty, 3 acknowledged and the rest unanswered."""
    tree = province
    m = publish(tree, make_meeting(tree, tomorrow, tree.venues))
    for venue, state in zip(
        tree.venues[:4], ["ready", "on_site", "faulty", "acknowledged"], strict=True
    ):
        set_state(m, venue, state)
    set_state(m, tree.main_venue, "ready")
    return m


# --- the field pages and the field API (test_field_pages_*.py, test_field_api.py) ------------------


@pytest.fixture
def task(province, tomorrow, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    Department.objects.filter(org_unit=province.cities[0], kind=Department.Kind.NETWORK_OPS).update(
        phone=NETOPS_PHONE
    )
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    return SupportTask.objects.select_related("meeting", "venue").get(
        meeting=meeting, venue=province.venues[0]
    )


@pytest.fixture
def before(task):
    with time_machine.travel(task.meeting.starts_at - timedelta(minutes=90), tick=False):
        yield


@pytest.fixture
def worker(province, client):
    client.force_login(province.user("township0", Role.SUPPORT))
    return client


# --- the meetings API (test_api_*.py) --------------------------------------------------------------


@pytest.fixture
def province_api(province, api_client_for):
    return api_client_for(province.user("province"))


@pytest.fixture
def draft(province, tomorrow, province_api):
    response = post(province_api, "/api/meetings", meeting_body(province, tomorrow))
    assert response.status_code == 201, response.json()
    return Meeting.objects.get(pk=response.json()["id"])


@pytest.fixture
def published(draft, province_api):
    response = post(province_api, f"/api/meetings/{draft.pk}/publish", {})
    assert response.status_code == 200, response.json()
    return draft
