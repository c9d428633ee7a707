"""Security headers: the Content-Security-Policy (django-csp) on every page, templates and rendered
pages with nothing inline (tests/browser/test_csp.py has Chromium report violations), and
production settings that pass `manage.py check --deploy` without a warning."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted((ROOT / "vcassure").glob("**/templates/**/*.html"))


def csp_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


# --- the header -----------------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(tree, client):
    for response in (client.get("/accounts/login/"), client.get("/api/docs")):
        policy = csp_of(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    client.force_login(tree.user("province"))
    response = client.get("/org/")
    assert response.status_code == 200
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


# --- templates and rendered pages -----------------------------------------------------------------


class InlineFinder(HTMLParser):
    """Inline code that a `script-src 'self'; style-src 'self'` policy would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if (
            tag == "script"
            and not names.get("src")
            and "nonce" not in names
            and names.get("type") not in ("application/json", "application/ld+json")
        ):
            self.problems.append("<script> without src or nonce")
        if tag == "style" and "nonce" not in names:
            self.problems.append("<style> without nonce")
        for name, _value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            elif name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"{name}= on <{tag}>")
            elif name in ("hx-vars", "hx-js") or (
                name == "href" and (_value or "").lower().startswith("javascript:")
            ):
                self.problems.append(f"{name} on <{tag}> (needs eval)")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def test_no_template_contains_inline_script_style_or_handlers():
    assert len(TEMPLATES) > 20
    problems = {}
    for path in TEMPLATES:
        text = path.read_text()
        found = inline_problems(text)
        # The parser sees template tags as text; catch what it could miss inside them.
        found += [
            f"<script> without src or nonce: {m.group(0)[:60]}"
            for m in re.finditer(r"<script(?![^>]*\ssrc=)(?![^>]*\snonce=)[^>]*>", text)
        ]
        found += [
            f"inline attribute: {m.group(0)}"
            for m in re.finditer(r"\s(?:on[a-z]+|style|hx-on[:\w-]*)=", text)
        ]
        if found:
            problems[str(path.relative_to(ROOT))] = sorted(set(found))
    assert problems == {}


def test_rendered_pages_have_nothing_inline(province, field_setup, client):
    meeting, task, token, link = field_setup
    anonymous = [f"/ack/{token}", f"/meetings/share/{link.token}/", "/accounts/login/"]
    for url in anonymous:
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_problems(response.content.decode()) == [], url
    client.force_login(province.user("province"))
    pages = [
        "/",
        "/org/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/dashboard/",
        f"/meetings/{meeting.pk}/dashboard/?screen=1",
        "/meetings/new/",
        "/notifications/desk/",
        "/notifications/groups/",
        "/faults/",
        f"/meetings/{meeting.pk}/track/",
        "/venues/",
        "/org/staff/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_problems(response.content.decode()) == [], url
        assert "Content-Security-Policy" in response.headers, url
    client.force_login(task.assignee.user)
    response = client.get(f"/meetings/tasks/{task.pk}/field/")
    assert response.status_code == 200 and inline_problems(response.content.decode()) == []


# --- production settings --------------------------------------------------------------------------


def clean_environ() -> dict[str, str]:
    """This process's environment without what the test run adds (the browser tests' async switch)."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    }


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {
        **clean_environ(),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "vcassure.example.cn",
        "VCASSURE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_refuse_a_missing_secret_key(tmp_path):
    env = {
        **clean_environ(),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "",
        "VCASSURE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_keeps_hsts_and_secure_cookies(monkeypatch):
    import importlib

    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(64))
    prod = importlib.import_module("config.settings.prod")
    prod = importlib.reload(prod)
    assert prod.SECURE_HSTS_SECONDS >= 31536000 and prod.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE and prod.SECURE_SSL_REDIRECT
    assert "csp.middleware.CSPMiddleware" in prod.MIDDLEWARE
    assert prod.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
