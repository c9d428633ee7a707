"""One login throttle for every way in (django-axes): the login page, the admin's login page and any
form that authenticates with the request. Five failures from one address lock that address, whatever
the names tried; a name attacked from addresses its person never used is locked for unknown
addresses only, so the person still logs in from where they logged in before. Both for
LOGIN_FAILURE_WINDOW_MINUTES (30), and the refusal is a Chinese page with HTTP 429."""

from datetime import timedelta

import time_machine
from django.conf import settings as django_settings

from tests.factories.orgs import UserFactory
from vcassure.accounts.models import Role

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "pass-Word-123"  # the factories' password
ATTACKER = "203.0.113.7"
DESK = "198.51.100.20"  # where the person logged in before
ELSEWHERE = "192.0.2.55"  # an address the person never used
START = "2026-11-25 09:00 +0800"


def login(client, username, password="wrong", address=ATTACKER, url=LOGIN):
    data = {"username": username, "password": password}
    if url == ADMIN_LOGIN:
        data["next"] = "/admin/"
    return client.post(url, data, REMOTE_ADDR=address)


def logged_in(client, response) -> bool:
    ok = response.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    return ok


def refused(client, response) -> bool:
    """The lockout answer: 429 (or 403), a Chinese message, and no session."""
    return (
        response.status_code in (403, 429)
        and "登录失败次数过多" in response.content.decode()
        and "_auth_user_id" not in client.session
    )


def test_limits_are_the_documented_ones(settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5 and settings.LOGIN_FAILURE_WINDOW_MINUTES == 30
    # Every way in goes through the same backend: the throttle sits in front of the password check.
    assert settings.AUTHENTICATION_BACKENDS[0].startswith("axes.backends.")
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE


def test_admin_login_is_throttled(db, client):
    UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            response = login(client, "admin", url=ADMIN_LOGIN)
            assert response.status_code == 200 and "_auth_user_id" not in client.session
        login(client, "admin", url=ADMIN_LOGIN)  # the fifth failure
        assert refused(client, login(client, "admin", url=ADMIN_LOGIN))  # the sixth
        assert refused(client, login(client, "admin", PASSWORD, url=ADMIN_LOGIN))
        # The same lock on the other login page.
        assert refused(client, login(client, "admin", PASSWORD))


def test_an_address_locked_on_the_login_page_is_locked_on_the_admin_too(db, client):
    UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    with time_machine.travel(START, tick=False) as traveller:
        # Five guesses at five names: no name reaches a limit, the address does.
        for name in ("root", "test", "operator", "guest", "dispatcher"):
            login(client, name)
            assert "_auth_user_id" not in client.session
        assert refused(client, login(client, "admin", PASSWORD, url=ADMIN_LOGIN))
        assert refused(client, login(client, "admin", PASSWORD))
        # Another address is not concerned.
        assert logged_in(client, login(client, "admin", PASSWORD, address=DESK, url=ADMIN_LOGIN))
        # After the window the address may try again.
        traveller.shift(timedelta(minutes=django_settings.LOGIN_FAILURE_WINDOW_MINUTES, seconds=1))
        assert logged_in(client, login(client, "admin", PASSWORD, url=ADMIN_LOGIN))


def test_an_attacker_cannot_lock_a_dispatcher_out_of_their_own_desk(db, client):
    UserFactory(username="dispatcher1", role=Role.DISPATCHER)
    with time_machine.travel(START, tick=False) as traveller:
        assert logged_in(client, login(client, "dispatcher1", PASSWORD, address=DESK))
        traveller.shift(timedelta(hours=2))
        for _ in range(django_settings.LOGIN_FAILURE_LIMIT):
            login(client, "dispatcher1")
        # The attacker's address is locked, for that name and any other, right password or not.
        assert refused(client, login(client, "dispatcher1", PASSWORD))
        assert refused(client, login(client, "someone-else"))
        # The dispatcher, from the desk they used before, still gets in with the right password...
        assert logged_in(client, login(client, "dispatcher1", PASSWORD, address=DESK))
        # ...but an address never used by that name is held back (no spreading guesses over addresses).
        assert refused(client, login(client, "dispatcher1", PASSWORD, address=ELSEWHERE))
        traveller.shift(timedelta(minutes=django_settings.LOGIN_FAILURE_WINDOW_MINUTES, seconds=1))
        assert logged_in(client, login(client, "dispatcher1", PASSWORD, address=ELSEWHERE))


def test_guesses_spread_over_addresses_lock_the_name_for_unknown_addresses(db, client):
    UserFactory(username="dave")
    with time_machine.travel(START, tick=False):
        for i in range(django_settings.LOGIN_FAILURE_LIMIT):
            login(client, "dave", address=f"203.0.113.{i + 1}")
            assert "_auth_user_id" not in client.session
        assert refused(client, login(client, "dave", PASSWORD, address=ELSEWHERE))
        # Another name from that address is not concerned.
        UserFactory(username="erin")
        assert logged_in(client, login(client, "erin", PASSWORD, address=ELSEWHERE))


def test_right_password_below_the_limit_gets_in_and_does_not_reset_the_count(db, client):
    UserFactory(username="carol")
    with time_machine.travel(START, tick=False):
        for name in ("user0", "user1", "user2", "user3"):
            assert login(client, name).status_code == 200
        assert logged_in(client, login(client, "carol", PASSWORD))
        # A success does not wipe the address's failures: one more and it is locked.
        login(client, "user4")
        assert refused(client, login(client, "carol", PASSWORD))


def test_the_lockout_page_is_chinese(db, client):
    with time_machine.travel(START, tick=False):
        for _ in range(django_settings.LOGIN_FAILURE_LIMIT):
            login(client, "nobody")
        response = login(client, "nobody")
    body = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多，请 30 分钟后再试。" in body
    assert response["Content-Type"].startswith("text/html")


def test_behind_the_reverse_proxy_the_client_address_counts(db, client, settings):
    """Production: every request arrives from the proxy on loopback. Its X-Forwarded-For names the
    client; otherwise five typos anywhere would lock everyone out."""
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    UserFactory(username="frank")

    def via_proxy(username, password, forwarded_for):
        return client.post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    with time_machine.travel(START, tick=False):
        for name in ("root", "test", "operator", "guest", "admin"):
            via_proxy(name, "wrong", f"10.9.9.9, {ATTACKER}")  # a forged left part is ignored
        assert refused(client, via_proxy("frank", PASSWORD, ATTACKER))
        assert logged_in(client, via_proxy("frank", PASSWORD, DESK))
        # A client that is not a trusted proxy cannot choose its address by the header.
        for name in ("root", "test", "operator", "guest", "admin"):
            login(client, name, address=ELSEWHERE)
        response = client.post(
            LOGIN,
            {"username": "frank", "password": PASSWORD},
            REMOTE_ADDR=ELSEWHERE,
            HTTP_X_FORWARDED_FOR=DESK,
        )
        assert refused(client, response)
