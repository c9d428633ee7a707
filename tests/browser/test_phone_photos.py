"""Photos that survive a dropped signal (360 × 740, DingTalk's browser): the phone scales a big
camera photo down (≤ 1600 px, ≤ 400 KB JPEG, upright), saves the step's answer and note first,
then sends the photo as its own request. On a venue task's card (the link's pass) the test cuts
that request once mid-upload, the automatic retry succeeds and the answer is kept. On an
inspection card (logged in) it cuts every automatic try: the answer is kept, the step does not
count yet, and "重试上传" delivers the photo over slow 3G; a reading travels with its answer.
With SCREENSHOT_DIR set, the inspection's upload states are saved there."""

import io

import pytest
from PIL import Image

from tests.browser.helpers import screenshot
from tests.browser.phone import SLOW_3G, fresh_phone_logged_in, phone_inspection
from vcassure.checklists.models import StepPhoto, StepResult
from vcassure.core.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def camera_photo(tmp_path) -> str:
    """A 4000 × 3000 JPEG the camera stored sideways with EXIF orientation 6 (rotate 90°): seen
    upright it is 3000 wide and 4000 tall. Noise keeps it large (several MB)."""
    import random

    random.seed(7)
    image = Image.frombytes("RGB", (4000, 3000), random.randbytes(4000 * 3000 * 3))
    exif = Image.Exif()
    exif[0x0112] = 6
    target = tmp_path / "IMG_0001.jpg"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92, exif=exif.tobytes())
    target.write_bytes(buffer.getvalue())
    return str(target)


def test_a_cut_upload_is_retried_and_the_answer_kept(dingtalk, live_server, linked_task, tmp_path):  # noqa: F811
    task, token = linked_task
    page = dingtalk()
    page.goto(f"{live_server.url}/ack/{token}")
    page.click("button:has-text('确认收到')")
    page.click("button:has-text('我已到场，签到')")
    page.wait_for_selector("#step-venue-r7-1 button.pass")

    cuts = {"n": 0}
    uploads: list[int] = []

    def cut_once(route):
        body = route.request.post_data_buffer or b""
        uploads.append(len(body))
        if cuts["n"] == 0:
            cuts["n"] += 1
            route.abort("connectionreset")  # the signal drops while the photo goes up
        else:
            route.continue_()

    page.route("**/photos/", cut_once)
    step = page.locator("#step-venue-r7-1")
    step.locator("textarea[name=note]").fill("机柜供电正常，UPS 满电")
    step.locator("input[name=photos]").first.set_input_files(camera_photo(tmp_path))
    step.locator("button:text-is('通过')").click()
    page.wait_for_selector("#step-venue-r7-1.step-pass .thumbs img", timeout=60_000)

    assert cuts["n"] == 1 and len(uploads) == 2  # cut once, then the retry went through
    record = StepResult.objects.get(run__subject=f"task:{task.pk}", step__number=1)
    assert record.result == "pass" and record.note == "机柜供电正常，UPS 满电"
    assert record.photos_pending == 0
    photo = StepPhoto.objects.get(result=record)
    assert photo.content_type == "image/jpeg" and photo.size <= 400 * 1024
    assert max(photo.width, photo.height) <= 1600
    assert photo.height > photo.width  # upright: the EXIF orientation was applied
    # The answer was saved before the photo arrived.
    actions = list(
        AuditEvent.objects.filter(action__startswith="checklist.step")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["checklist.step", "checklist.step_photo"]
    assert "机柜供电正常" in page.inner_text("#step-venue-r7-1")


def test_an_inspection_photo_cut_then_sent_again_by_the_button(
    dingtalk, live_server, province, tmp_path
):
    inspection = phone_inspection(province, code="photo-inspection", photo_first=True)
    page = fresh_phone_logged_in(dingtalk, live_server, inspection.assignee.user.username)
    page.goto(f"{live_server.url}/routine/inspections/{inspection.pk}/")
    signal = {"up": False}
    uploads: list[int] = []

    def drop_while_down(route):
        uploads.append(len(route.request.post_data_buffer or b""))
        if signal["up"]:
            route.continue_()
        else:
            route.abort("connectionreset")  # the signal drops while the photo goes up

    page.route("**/photos/", drop_while_down)
    step = page.locator("#step-photo-inspection-1")
    step.locator("textarea[name=note]").fill("市电正常，UPS 满电")
    step.locator("input[name=photos]").first.set_input_files(camera_photo(tmp_path))
    step.locator("button:text-is('通过')").click()
    retry = step.locator("button.retry-upload")
    retry.wait_for(state="visible", timeout=60_000)  # every automatic try was cut

    assert len(uploads) == 3 and "检查结果和说明已保存" in step.inner_text()
    record = StepResult.objects.get(run__subject=f"inspection:{inspection.pk}", step__number=1)
    assert (record.result, record.note, record.photos_pending) == ("pass", "市电正常，UPS 满电", 1)
    inspection.refresh_from_db()
    assert inspection.state == "in_progress"  # the pass awaits its photo
    step.scroll_into_view_if_needed()
    screenshot(page, "phone-inspection-photo-retry-360", full_page=False)

    # The signal is back, one bar of it: the button sends the photo again, with its progress.
    signal["up"] = True
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    retry.click()
    page.wait_for_function(
        "() => { const bar = document.querySelector('.upload-progress');"
        " return bar && bar.value > 0 && bar.value < 100; }",
        timeout=30_000,
    )
    screenshot(page, "phone-inspection-photo-uploading-360", full_page=False)
    page.wait_for_selector("#step-photo-inspection-1.step-pass .thumbs img", timeout=60_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    assert len(uploads) == 4
    record.refresh_from_db()
    assert record.photos_pending == 0 and record.note == "市电正常，UPS 满电"
    photo = StepPhoto.objects.get(result=record)
    assert photo.size <= 400 * 1024 and max(photo.width, photo.height) <= 1600
    assert "市电正常，UPS 满电" in page.inner_text("#step-photo-inspection-1")
    page.wait_for_function(
        "() => { const img = document.querySelector('#step-photo-inspection-1 .thumbs img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    screenshot(page, "phone-inspection-photo-done-360", full_page=False)

    # Step 2 through the script: its reading goes with the answer, its photo after.
    page.fill("#reading-photo-inspection-2", "-20")
    step = page.locator("#step-photo-inspection-2")
    step.locator("input[name=photos]").first.set_input_files(camera_photo(tmp_path))
    step.locator("button:text-is('通过')").click()
    page.wait_for_selector("#step-photo-inspection-2.step-pass .thumbs img", timeout=60_000)
    assert len(uploads) == 5
    inspection.refresh_from_db()
    assert inspection.state == "done"
    assert StepResult.objects.get(run=record.run, step__number=2).reading == -20
