"""Screenshots of the main pages at 1440×900 and 360×740 into docs/screenshots/, for the README.

Against a running demo (`manage.py run_platform 127.0.0.1:8000`, the demo province loaded and a
few meetings published):  python scripts/take_screenshots.py http://127.0.0.1:8000
Shrinks each PNG with pngquant when it is installed (apt-get install pngquant)."""

import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 360, "height": 740}}
PASSWORD = "demo-pass-2026"  # noqa: S105 - the documented demo login
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def picker(page, base: str) -> None:
    page.goto(f"{base}/meetings/new/")
    page.select_option("#id_system", "water")
    page.wait_for_selector(".vp-unit")
    page.fill("[data-vp-search]", "pgs")
    page.wait_for_selector(".vp-hit")
    page.locator(".vp-unit.vp-hit").first.locator("input[type=checkbox]").check()
    page.fill("[data-vp-search]", "")
    page.locator(".vp-group-toggle").first.click()
    page.locator("#field-venues").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#field-venues').scrollIntoView({block: 'start'})")


def first_meeting_dashboard(page, base: str) -> None:
    page.goto(f"{base}/meetings/")
    # the published meeting that starts first (the list is newest first)
    page.locator("tr:has(.badge:has-text('已发布')) a[href^='/meetings/']").last.click()
    page.wait_for_selector("h1")
    page.goto(page.url.rstrip("/") + "/dashboard/")


SHOTS = [
    ("home-dispatcher", "dispatcher", "/"),
    ("home-city-dispatcher", "city-dispatcher", "/"),
    ("home-county-dispatcher", "county-dispatcher", "/"),
    ("home-township-staff", "township-staff", "/"),
    ("meeting-form-picker", "dispatcher", picker),
    ("dashboard", "dispatcher", first_meeting_dashboard),
    ("desk", "dispatcher", "/notifications/desk/"),
    ("delivery-log", "dispatcher", "/notifications/deliveries/"),
    ("meetings", "dispatcher", "/meetings/"),
    ("directory", "dispatcher", "/org/"),
]


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(20_000)
            who = None
            for name, username, target in SHOTS:
                if username != who:
                    login(page, base, username)
                    who = username
                if callable(target):
                    target(page, base)
                else:
                    page.goto(f"{base}{target}")
                page.wait_for_load_state("networkidle")
                path = OUT / f"{name}-{size}.png"
                page.screenshot(path=str(path))
                if shutil.which("pngquant"):
                    subprocess.run(
                        [
                            "pngquant",
                            "--force",
                            "--skip-if-larger",
                            "--quality=70-90",
                            "--ext",
                            ".png",
                            str(path),
                        ],
                        check=False,
                    )
                print(path.relative_to(OUT.parent.parent), path.stat().st_size // 1024, "KB")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
