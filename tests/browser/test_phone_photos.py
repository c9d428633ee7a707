"""Photos that survive a dropped signal (360 × 740, DingTalk's browser, the link's pass): the phone
scales a big camera photo down (≤ 1600 px, ≤ 400 KB JPEG, upright), saves the step's answer and
note first, then sends the photo as its own request; the test cuts that request once mid-upload,
the retry succeeds and the answer is kept."""

import io

import pytest
from PIL import Image

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
