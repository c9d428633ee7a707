"""Uploaded files are judged by parsing them, never by their first bytes, name or claimed type: a
notice must open as a PDF with a page, a Word document or an image; a photo must decode. Each is
stored under a name the platform chooses from the detected type and served back as that type, as
an attachment (notices), with nosniff."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories.files import pdf_bytes
from tests.factories.meetings import before_meeting, form_data, published_meeting
from tests.factories.meetings import township_staff_user as staff_user
from vcassure.accounts.models import Role
from vcassure.checklists.models import StepPhoto
from vcassure.core.errors import InvalidInputError
from vcassure.meetings import services
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.services import check_in
from vcassure.meetings.services import field_work as field


@pytest.fixture
def task(province, tomorrow):
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    return SupportTask.objects.select_related("meeting").get(
        meeting=meeting, venue=province.venues[0]
    )


REFUSED = "文件内容不是有效的 PDF、Word 文档或图片。"
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def png_bytes(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A JPEG's headers and the start of its scan, then HTML: it opens, but does not decode."""
    data = jpeg_bytes()
    return data[: data.index(b"\xff\xda") + 40] + b"<html><script>alert(1)</script></html>"


def docx_bytes(*, content_types: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if content_types:
            archive.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                'content-types"><Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
            )
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def create(province, tomorrow, upload) -> Meeting:
    start, end = tomorrow
    return services.meeting_create(
        by=province.user("province"),
        system="water",
        title="防汛会商",
        starts_at=start,
        ends_at=end,
        notice_ref="",
        main_venue=province.main_venue.pk,
        venues=[province.venues[0].pk],
        notice_document=upload,
    )


@pytest.mark.parametrize(
    "name,data",
    [
        ("../../../x.html", POLYGLOT),
        ("x.pdf", b"%PDF-1.7\n" + b"0" * 200),
        ("x.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),  # no page at all
        ("n.png", b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>"),
        ("n.jpg", truncated_jpeg()),
        ("w.docx", docx_bytes(content_types=False)),
        ("w.docx", b"PK\x03\x04<html>"),
    ],
)
def test_a_file_that_does_not_parse_is_refused(province, tomorrow, name, data):
    with pytest.raises(InvalidInputError) as refused:
        create(province, tomorrow, SimpleUploadedFile(name, data, content_type="application/pdf"))
    assert {"field": "notice_document", "message": REFUSED} in refused.value.errors
    assert not Meeting.objects.exists()


def test_the_polyglot_is_refused_on_the_page_too(province, tomorrow, client):

    client.force_login(province.user("province"))
    polyglot = SimpleUploadedFile("../../../x.html", POLYGLOT, content_type="text/html")
    response = client.post(
        "/meetings/new/", form_data(province, tomorrow, notice_document=polyglot)
    )
    assert response.status_code in (400, 422)
    assert REFUSED in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "name,data,extension,content_type",
    [
        ("../../../x.html", pdf_bytes(), ".pdf", "application/pdf"),
        ("n.svg", png_bytes(), ".png", "image/png"),
        ("photo.gif", jpeg_bytes(), ".jpg", "image/jpeg"),
        (
            "通知.doc",
            docx_bytes(),
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_a_notice_is_stored_and_served_as_its_detected_type(
    province, tomorrow, client, name, data, extension, content_type
):
    meeting = create(province, tomorrow, SimpleUploadedFile(name, data, "text/html"))
    stored = meeting.notice_document.name
    assert stored.startswith(f"notices/{meeting.starts_at:%Y/%m}/") and stored.endswith(extension)
    assert ".." not in stored and "x.html" not in stored and name not in stored
    assert len(stored.rsplit("/", 1)[1]) == 32 + len(extension)  # a uuid, then the extension

    client.force_login(province.user("province"))
    response = client.get(f"/meetings/{meeting.pk}/notice/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert ".html" not in disposition and ".svg" not in disposition and "/" not in disposition
    assert extension in disposition


def test_the_original_name_is_kept_only_as_a_clean_display_name(province, tomorrow, client):
    meeting = create(
        province, tomorrow, SimpleUploadedFile("../../关于\x00召开\n会议的通知.html", pdf_bytes())
    )
    assert meeting.notice_filename == "关于召开会议的通知.pdf"
    client.force_login(province.user("province"))
    assert "关于召开会议的通知.pdf" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    response = client.get(f"/meetings/{meeting.pk}/notice/")
    assert "filename*=utf-8''" in response["Content-Disposition"]


# --- checklist photos -------------------------------------------------------------------------


def test_a_photo_that_does_not_decode_is_refused(province, task):
    user = staff_user(province)
    truncated = truncated_jpeg()
    with before_meeting(task):
        check_in.support_task_check_in(task, by=user)
        with pytest.raises(InvalidInputError) as refused:
            field.support_task_record_step(
                task,
                by=user,
                number=1,
                result="pass",
                photos=[SimpleUploadedFile("p.jpg", truncated, "image/jpeg")],
            )
    assert refused.value.errors == [{"field": "photos", "message": "文件不是有效的图片。"}]
    assert not StepPhoto.objects.exists()


def test_a_photo_is_stored_and_served_as_its_detected_type(province, task, client):
    user = staff_user(province)
    with before_meeting(task):
        check_in.support_task_check_in(task, by=user)
        field.support_task_record_step(
            task,
            by=user,
            number=1,
            result="pass",
            photos=[SimpleUploadedFile("../../n.svg", png_bytes(), "image/svg+xml")],
        )
    photo = StepPhoto.objects.get()
    assert photo.image.name.endswith(".png") and ".." not in photo.image.name
    assert "n.svg" not in photo.image.name
    client.force_login(province.user("province", Role.ADMIN))
    response = client.get(f"/checklists/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_truncated_photo_is_refused_after_a_pdf_report_was_made(province, tomorrow, monkeypatch):
    """WeasyPrint turns Pillow's global "load truncated images" on when it is imported; a
    process that has rendered a PDF report must still refuse a truncated upload."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what importing WeasyPrint does
    with pytest.raises(InvalidInputError):
        create(province, tomorrow, SimpleUploadedFile("n.jpg", truncated_jpeg()))
    assert not Meeting.objects.exists()
