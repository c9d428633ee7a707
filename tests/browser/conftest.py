"""Real headless Chromium (Debian's package) driven by Playwright against Django's live server."""

import json
import os
import shutil
import threading
from datetime import timedelta

import pytest
from django.conf import settings

from tests.browser.helpers import VIEWPORTS
from tests.browser.phone import DINGTALK_UA, PHONE
from tests.factories.checklists import default_templates
from tests.factories.meetings import published_meeting, task_notice, venue_task
from tests.factories.notifications import ack_token
from vcassure.core import clock

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium package.")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class InFlight:
    """Counts the live server's requests still being handled. A browser context closed at the end
    of a test may leave a request in the server thread; finishing it after the test database was
    torn down fails inside the session save and leaves the shared connection mid-transaction."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.idle:
                self.count -= 1
                self.idle.notify_all()

    def wait_until_idle(self, seconds: float = 15.0) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.count == 0, timeout=seconds)


@pytest.fixture(autouse=True)
def live_server_quiet_before_teardown(request):
    """Runs after the test's own fixtures have closed their browser contexts and before the
    database is torn down: waits for the requests those pages left in flight."""
    if "live_server" not in request.fixturenames:
        yield
        return
    httpd = request.getfixturevalue("live_server").thread.httpd
    app = httpd.get_app()
    if not isinstance(app, InFlight):
        app = InFlight(app)
        httpd.set_app(app)
    yield
    assert app.wait_until_idle(), "the live server still handles a request 15 s after the test"


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.viewport_name = request.param
    yield page
    context.close()


@pytest.fixture
def dingtalk(browser):
    """A fresh DingTalk in-app browser on a 360 px phone that lets the page read its location."""
    contexts = []

    def new_phone():
        context = browser.new_context(
            viewport=PHONE,
            user_agent=DINGTALK_UA,
            locale="zh-CN",
            is_mobile=True,
            has_touch=True,
            geolocation={"latitude": 30.27415, "longitude": 120.15507},
            permissions=["geolocation"],
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield new_phone
    for context in contexts:
        context.close()


@pytest.fixture
def linked_task(province, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    default_templates()  # a transactional test's flush removed the data migration's rows
    # A live server in another thread: no time travel; the meeting starts in three hours.
    start = (clock.localnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
    meeting = published_meeting(
        province, (start, start + timedelta(hours=2)), province.venues[:1], title="防汛视频会商"
    )
    task = venue_task(meeting, province.venues[0])
    return task, ack_token(task_notice(task))


@pytest.fixture(scope="module")
def results():
    """What the phone page tests measured, merged into var/phone-pages.json at the module's end."""
    from pathlib import Path

    found: dict = {}
    yield found
    target = Path(settings.VAR_DIR) / "phone-pages.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(target.read_text()) if target.exists() else {}
    target.write_text(json.dumps({**previous, **found}, ensure_ascii=False, indent=2))
