"""Sessions end after an idle time, and the dashboard's 5-second polls do not keep them alive;
Argon2 for passwords. Login throttling is in test_login_throttle.py."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.sessions.models import Session
from django.test import override_settings

from config.settings import base as base_settings
from tests.factories.meetings import published_meeting
from vcassure.core import clock

LOGIN = "/accounts/login/"


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def logged_in(response) -> bool:
    return response.status_code == 200


# --- idle timeout ---------------------------------------------------------------------------------


def test_idle_session_expires_and_activity_keeps_it(tree, client, settings):
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert age == timedelta(minutes=120)  # SESSION_IDLE_MINUTES' default
    with time_machine.travel(clock.now(), tick=False) as traveller:
        client.force_login(tree.user("province"))
        assert logged_in(client.get("/meetings/"))
        # Each request a person makes restarts the clock: twice the age since login, still in.
        for _ in range(2):
            traveller.shift(age - timedelta(minutes=1))
            assert logged_in(client.get("/meetings/"))
        traveller.shift(age + timedelta(seconds=1))
        response = client.get("/meetings/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.fixture
def dashboard(province, tomorrow, client):
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    return f"/meetings/{meeting.pk}/dashboard/"


def test_dashboard_polls_do_not_extend_an_idle_session(province, dashboard, client, settings):
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(clock.now(), tick=False) as traveller:
        client.force_login(province.user("province"))
        page = client.get(dashboard).content.decode()
        # The poll URL exactly as the page's polling element asks for it (hx-trigger="every 5s").
        poll = html.unescape(
            re.search(r'<div id="live"[^>]*hx-get="([^"]+)"[^>]*hx-trigger="every 5s"', page).group(
                1
            )
        )
        assert "poll=1" in poll
        headers = {
            "HTTP_HX_REQUEST": "true",
            "HTTP_HX_TRIGGER": "live",
            "HTTP_HX_CURRENT_URL": dashboard,
        }
        opened_until = expiry(client)
        # Polls all through the idle time: answered, but the session's expiry does not move.
        for _ in range(11):
            traveller.shift(timedelta(minutes=10))
            response = client.get(poll, **headers)
            assert response.status_code == 200 and response.content.decode().lstrip().startswith(
                '<div id="live"'
            )
            assert expiry(client) == opened_until
        # A click inside the dashboard (drill-down, no poll flag) is a person's action: it extends.
        traveller.shift(timedelta(minutes=5))
        drill = dashboard + f"?unit={province.cities[0].pk}"
        assert client.get(drill, **{**headers, "HTTP_HX_TRIGGER": ""}).status_code == 200
        extended = expiry(client)
        assert extended > opened_until
        # Then polls only, until the idle time has passed since that click: the next poll asks the
        # browser to reload (HX-Refresh), which lands on the login form.
        traveller.shift(age - timedelta(minutes=1))
        assert client.get(poll, **headers).status_code == 200 and expiry(client) == extended
        traveller.shift(timedelta(minutes=2))
        response = client.get(poll, **headers)
        assert response.headers.get("HX-Refresh") == "true"
        response = client.get(dashboard)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_dispatch_desk_polls_do_not_extend_an_idle_session(province, client):
    with time_machine.travel(clock.now(), tick=False) as traveller:
        client.force_login(province.user("province"))
        page = client.get("/notifications/desk/?page=1").content.decode()
        poll = html.unescape(
            re.search(
                r'<section id="unanswered"[^>]*hx-get="([^"]+)"[^>]*hx-trigger="every 10s"', page
            ).group(1)
        )
        assert "poll=1" in poll and "page=1" in poll
        opened_until = expiry(client)
        for _ in range(3):
            traveller.shift(timedelta(minutes=10))
            response = client.get(poll, HTTP_HX_REQUEST="true")
            assert response.status_code == 200 and 'id="unanswered"' in response.content.decode()
            assert expiry(client) == opened_until
            # The refreshed part polls the same address again, not a growing one.
            assert response.content.decode().count("poll=1") == 1


def test_a_poll_flag_without_htmx_is_an_ordinary_request(province, dashboard, client):
    with time_machine.travel(clock.now(), tick=False) as traveller:
        client.force_login(province.user("province"))
        before = expiry(client)
        traveller.shift(timedelta(minutes=3))
        assert client.get(dashboard + "?poll=1").status_code == 200
        assert expiry(client) > before


# --- password hashing -----------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2_outside_tests():
    assert base_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        encoded = make_password("correct horse battery staple")
        assert identify_hasher(encoded).algorithm == "argon2" and encoded.startswith(
            "argon2$argon2id$"
        )
        assert check_password("correct horse battery staple", encoded)
