"""Plausible check-ins: only from CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE before the on-site deadline,
and a check-in located more than 1 km from the venue is stored with its distance and flagged (not
refused) on the card, the dashboard and the API. (`task` and `worker` fixtures: conftest.py.)"""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import time_machine

from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.meetings.services.check_in import distance_m
from vcassure.meetings.tests.field_helpers import card_url, check_in

VENUE = (Decimal("30.274150"), Decimal("120.155070"))


@contextmanager
def _at(when, client, province):
    """Travel to `when` and sign the township person in there (sessions idle out after 2 hours)."""
    with time_machine.travel(when, tick=False):
        client.force_login(province.user("township0", Role.SUPPORT))
        yield


def _opens(task, settings):
    return task.on_site_due_at - timedelta(hours=settings.CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE)


def test_check_in_before_the_window_is_refused_in_chinese(task, client, province, settings):
    opens = _opens(task, settings)
    with _at(opens - timedelta(minutes=1), client, province):
        card = client.get(card_url(task)).content.decode()
        assert "签到将于" in card and "开放" in card
        refused = check_in(client, task)
    assert refused.status_code == 409
    assert "还未到签到时间" in refused.content.decode()
    task.refresh_from_db()
    assert task.checked_in_at is None and task.state != "on_site"
    with _at(opens + timedelta(minutes=1), client, province):
        assert check_in(client, task).status_code == 302
    task.refresh_from_db()
    assert task.state == "on_site"


def test_the_window_is_a_setting(task, client, province, settings):
    settings.CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE = 24
    with _at(task.on_site_due_at - timedelta(hours=20), client, province):
        assert check_in(client, task).status_code == 302


def test_a_far_check_in_is_flagged_not_refused(task, province, client, settings):
    venue = task.venue
    venue.latitude, venue.longitude = VENUE
    venue.save()
    worker = client
    with _at(_opens(task, settings) + timedelta(hours=1), client, province):
        # About 2.2 km north of the venue.
        response = check_in(worker, task, lat="30.294150", lng="120.155070")
        assert response.status_code == 302
        task.refresh_from_db()
        assert task.state == "on_site" and 2100 < task.check_in_distance_m < 2300
        assert task.check_in_far
        card = worker.get(card_url(task)).content.decode()
        assert "超过 1 公里" in card and f"{task.check_in_distance_m} 米" in card
        dispatcher = type(client)()
        dispatcher.force_login(province.user("province", Role.DISPATCHER))
        shown = dispatcher.get(f"/meetings/{task.meeting_id}/dashboard/?poll=1")
        assert shown.context["board"].rollup.far_check_ins == 1
        board = shown.content.decode()
        assert 'id="dash-far-check-ins"' in board
        assert "far-check-in" in board and f"距会场 {task.check_in_distance_m} 米" in board
        api = dispatcher.post(
            f"/api/tasks/{task.pk}/check-in", content_type="application/json"
        ).json()["task"]
    assert AuditEvent.objects.filter(action="task.check_in_far", object_id=str(task.pk)).exists()
    assert api["check_in_far"] is True and api["check_in_distance_m"] == task.check_in_distance_m


def test_a_near_check_in_is_not_flagged(task, client, province, settings):
    venue = task.venue
    venue.latitude, venue.longitude = VENUE
    venue.save()
    worker = client
    with _at(_opens(task, settings) + timedelta(hours=1), client, province):
        assert check_in(worker, task, lat="30.274900", lng="120.155070").status_code == 302
        task.refresh_from_db()
        assert task.check_in_distance_m < 100 and not task.check_in_far
        assert "超过 1 公里" not in worker.get(card_url(task)).content.decode()


def test_no_distance_without_a_location_or_venue_coordinates(task, client, province, settings):
    with _at(_opens(task, settings) + timedelta(hours=1), client, province):
        assert check_in(client, task, lat="30.29", lng="120.15").status_code == 302
    task.refresh_from_db()
    assert task.check_in_distance_m is None and not task.check_in_far


def test_distance_is_the_great_circle():
    assert distance_m(30, 120, 30, 120) == 0
    assert 111_000 < distance_m(30, 120, 31, 120) < 111_400
