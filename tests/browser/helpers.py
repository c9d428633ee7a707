"""What the browser tests share besides fixtures: the screen sizes, and logging in."""

from tests.factories.orgs import PASSWORD

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def login(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def open_menu(page) -> None:
    """On a phone the top menu folds behind "菜单": open it (at desk width it is always shown)."""
    toggle = page.locator(".nav-menu summary")
    if toggle.is_visible() and page.locator(".nav-menu[open]").count() == 0:
        toggle.click()


# --- phone pages (tests/browser/test_field.py, test_fault_phone.py) ----------------------------------


def png_path(tmp_path) -> str:
    """A real PNG on disk, for a file input."""
    import io

    from PIL import Image

    target = tmp_path / "photo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (20, 110, 190)).save(buffer, format="PNG")
    target.write_bytes(buffer.getvalue())
    return str(target)


def fits_the_phone(page, where: str) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{where}: page scrolls sideways by {overflow}px"


def touch_targets_fit(page, selector: str) -> None:
    small = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
             .filter((el) => el.offsetParent !== null)
             .map((el) => [el.textContent.trim(), el.getBoundingClientRect().height])
             .filter(([, h]) => h < 44)""",
        selector,
    )
    assert not small, f"touch targets under 44 px: {small}"


def record_venue_step(page, number: int, result: str = "通过", note: str = "", photo=None) -> None:
    """Record step `number` of the venue checklist on the task card."""
    import re

    step = page.locator(f"#step-venue-r7-{number}")
    if step.locator("details.redo").count():
        step.locator("details.redo > summary").click()
    if note:
        step.locator("textarea[name=note]").fill(note)
    if photo:
        step.locator("input[name=photos]").first.set_input_files(photo)
    step.locator(f"button:text-is('{result}')").click()
    if photo:
        # With a photo the page's script saves the answer, sends the photo, then moves to the
        # step's anchor and reloads: the URL changes before the new page arrives. Wait for the
        # reloaded page (its step has no progress bar) rather than for the URL.
        page.wait_for_selector(
            f"#step-venue-r7-{number} .upload-progress", state="detached", timeout=60_000
        )
        page.wait_for_load_state("load")
    page.wait_for_url(re.compile(rf"#step-venue-r7-{number}$"))


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Save the page as `<name>.png` in SCREENSHOT_DIR when it is set (to look at it)."""
    import os
    from pathlib import Path

    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)
