"""The Content-Security-Policy in a real browser: Chromium loads the pages that run scripts (the
dashboard's countdown, the wall screen, the tree's expanding rows, the language menu, the API docs)
under the real header, and not one violation is reported. The header and the templates themselves
are checked in tests/security/test_headers.py."""

import pytest

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_browser_reports_no_csp_violation(browser, province, field_setup, live_server):
    meeting, _task, token, link = field_setup
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        violations: list[str] = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e =>"
            " console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        login(page, live_server, "province-dispatcher")
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/dashboard/")
        first = page.inner_text(".dash-countdown")
        page.wait_for_function(
            "(t) => document.querySelector('.dash-countdown').textContent !== t", arg=first
        )
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/dashboard/?screen=1")
        page.wait_for_selector("[data-fullscreen]")
        page.goto(f"{live_server.url}/org/")
        page.click(f"#unit-{province.cities[0].pk} button.toggle")
        page.wait_for_selector(f"#unit-{province.counties[0].pk}")
        assert (
            page.get_attribute(f"#unit-{province.cities[0].pk} button.toggle", "aria-expanded")
            == "true"
        )
        page.goto(f"{live_server.url}/meetings/share/{link.token}/")
        page.goto(f"{live_server.url}/ack/{token}")
        page.goto(f"{live_server.url}/api/docs")  # Swagger UI from ninja's own static files, no CDN
        page.wait_for_selector(".swagger-ui .info")
        # The language menu submits itself on change (it was an onchange= attribute).
        page.goto(f"{live_server.url}/accounts/login/")
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
        page.wait_for_selector("html[lang=en]")
        assert violations == []
    finally:
        context.close()
