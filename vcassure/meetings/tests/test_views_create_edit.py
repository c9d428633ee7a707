"""The meeting pages through Django's test client, every form POSTed as a browser would: access,
creating a meeting (the form, bad input beside its field, the venue picker) and editing a draft."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories.files import pdf_bytes
from tests.factories.meetings import form_data, local, make_meeting, published_meeting, venue_ids
from tests.factories.venues import VenueFactory, system
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.meetings.models import Meeting, MeetingEvent, MeetingVenue
from vcassure.meetings.tests.views_helpers import field_has_error
from vcassure.venues.models import Venue

PDF = pdf_bytes()


def nothing_written():
    return (
        not Meeting.objects.exists()
        and not MeetingEvent.objects.exists()
        and not MeetingVenue.objects.exists()
    )


# --- access ---------------------------------------------------------------------------------------


def test_pages_require_login(db, client):
    for url in ["/meetings/", "/meetings/new/", "/meetings/tasks/mine/", "/venues/picker-data/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_new_meeting_button_and_page_only_for_editing_roles(province, client):
    client.force_login(province.user("province", Role.READONLY))
    assert "新建会议" not in client.get("/meetings/").content.decode()
    assert client.get("/meetings/new/").status_code == 403
    client.force_login(province.user("city0", Role.MANAGER))
    assert "新建会议" in client.get("/meetings/").content.decode()
    assert client.get("/meetings/new/").status_code == 200


# --- create ---------------------------------------------------------------------------------------


def test_create_through_the_form_with_the_venues_the_picker_chose(province, tomorrow, client):
    tree = province
    client.force_login(tree.user("province"))
    page = client.get("/meetings/new/").content.decode()
    assert 'type="datetime-local"' in page and tree.main_venue.name in page
    assert "data-venue-picker" in page and "/static/js/venue_picker.js" in page
    data = form_data(
        tree,
        tomorrow,
        venues=venue_ids(tree.venues[1:5]),
        notice_document=SimpleUploadedFile("通知.pdf", PDF, content_type="application/pdf"),
    )
    response = client.post("/meetings/new/", data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert set(meeting.venues.values_list("pk", flat=True)) == {v.pk for v in tree.venues[1:5]}
    assert (
        meeting.starts_at == tomorrow[0] and meeting.ends_at == tomorrow[1]
    )  # read as Asia/Shanghai
    assert (
        meeting.main_venue == tree.main_venue
        and meeting.state == "draft"
        and meeting.notice_document
    )
    assert meeting.entered_by == tree.user("province") and meeting.org_unit == tree.province
    page = client.get(response["Location"]).content.decode()
    assert "会议已保存为草稿，共 4 个分会场" in page


def test_datetime_is_read_in_shanghai_time(province, client):
    client.force_login(province.user("province"))
    day = (clock.localnow() + timedelta(days=3)).date()
    data = form_data(
        province, (clock.now(), clock.now()), starts_at=f"{day}T09:30", ends_at=f"{day}T11:00"
    )
    assert client.post("/meetings/new/", data).status_code == 302
    starts_at = Meeting.objects.get().starts_at
    assert (
        starts_at.astimezone(timezone.get_fixed_timezone(480)).strftime("%Y-%m-%d %H:%M")
        == f"{day} 09:30"
    )


@pytest.mark.parametrize(
    "case",
    [
        "end_before_start",
        "start_in_past",
        "wrong_file_type",
        "oversized_file",
        "venue_of_another_system",
        "main_venue_of_another_system",
        "unknown_venue",
        "not_an_id",
        "no_venues",
        "missing_title",
        "unit_out_of_scope",
    ],
)
def test_create_bad_input_shows_errors_beside_fields_and_writes_nothing(
    province, tomorrow, client, case
):
    tree = province
    client.force_login(tree.user("city0" if case == "unit_out_of_scope" else "province"))
    start, end = tomorrow
    finance = VenueFactory(
        org_unit=tree.townships[0], system=system("finance"), code="F-001", name="财政分会场"
    )
    finance_main = VenueFactory(
        org_unit=tree.province,
        system=system("finance"),
        code="F-MAIN",
        role="main",
        name="财政厅主会场",
    )
    field, message, overrides = {
        "end_before_start": (
            "ends_at",
            "结束时间必须晚于开始时间。",
            {"ends_at": local(start - timedelta(hours=1))},
        ),
        "start_in_past": (
            "starts_at",
            "开始时间不能早于当前时间。",
            {
                "starts_at": local(clock.now() - timedelta(days=1)),
                "ends_at": local(clock.now() - timedelta(hours=20)),
            },
        ),
        "wrong_file_type": (
            "notice_document",
            "文件内容不是有效的 PDF、Word 文档或图片。",
            {
                "notice_document": SimpleUploadedFile(
                    "通知.pdf", b"MZ not a pdf at all", content_type="application/pdf"
                )
            },
        ),
        "oversized_file": (
            "notice_document",
            "通知文件不能超过 10 MB。",
            {
                "notice_document": SimpleUploadedFile(
                    "big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
                )
            },
        ),
        "venue_of_another_system": (
            "venues",
            f"会场不属于所选系统：{finance.pk}。",
            {"venues": venue_ids([tree.venues[0], finance])},
        ),
        "main_venue_of_another_system": (
            "main_venue",
            "主会场不属于所选系统。",
            {"main_venue": finance_main.pk},
        ),
        "unknown_venue": (
            "venues",
            "会场不存在或不在您的管辖范围内：99999。",
            {"venues": "99999"},
        ),
        "not_an_id": ("venues", "所选会场无效，请重新选择。", {"venues": "12,abc"}),
        "no_venues": ("venues", "请至少选择一个分会场。", {"venues": ""}),
        "missing_title": ("title", "这个字段是必填项。", {"title": ""}),
        "unit_out_of_scope": (
            "venues",
            f"会场不存在或不在您的管辖范围内：{tree.venues[4].pk}。",
            {"venues": venue_ids(tree.venues[3:5]), "main_venue": ""},
        ),
    }[case]
    response = client.post("/meetings/new/", form_data(tree, tomorrow, **overrides))
    assert response.status_code == 422
    page = response.content.decode()
    if field:
        assert field_has_error(page, field, message), page
    else:
        assert message in page
    assert nothing_written()
    assert Venue.objects.filter(pk=finance.pk).exists()


# --- edit -----------------------------------------------------------------------------------------


def test_edit_a_draft_keeps_venues_unless_changed(province, tomorrow, client):
    tree = province
    meeting = make_meeting(tree, tomorrow, tree.venues[:3])
    client.force_login(tree.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()
    assert "防汛会商" in page and local(tomorrow[0]) in page
    assert f'value="{venue_ids(tree.venues[:3])}" data-vp-value' in page
    data = form_data(
        tree,
        tomorrow,
        title="防汛会商(调整)",
        venues=venue_ids([tree.venues[0], tree.venues[2], tree.venues[6]]),
        notice_document=SimpleUploadedFile("通知.pdf", PDF),
    )
    response = client.post(f"/meetings/{meeting.pk}/edit/", data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "防汛会商(调整)" and meeting.notice_document
    assert b"".join(client.get(f"/meetings/{meeting.pk}/notice/").streaming_content) == PDF
    assert set(meeting.venues.values_list("pk", flat=True)) == {
        tree.venues[0].pk,
        tree.venues[2].pk,
        tree.venues[6].pk,
    }
    assert MeetingEvent.objects.filter(meeting=meeting, kind="updated").exists()
    # The picker's new choice replaces the current venues.
    data = form_data(tree, tomorrow, venues=venue_ids(tree.venues[6:8]))
    assert client.post(f"/meetings/{meeting.pk}/edit/", data).status_code == 302
    assert set(meeting.venues.values_list("pk", flat=True)) == {
        tree.venues[6].pk,
        tree.venues[7].pk,
    }


def test_edit_bad_input_changes_nothing(province, tomorrow, client):
    tree = province
    meeting = make_meeting(tree, tomorrow, tree.venues[:3])
    client.force_login(tree.user("province"))
    data = form_data(
        tree,
        tomorrow,
        title="改了",
        ends_at=local(tomorrow[0] - timedelta(hours=1)),
        venues=venue_ids(tree.venues[:3]),
    )
    response = client.post(f"/meetings/{meeting.pk}/edit/", data)
    assert response.status_code == 422
    assert field_has_error(response.content.decode(), "ends_at", "结束时间必须晚于开始时间。")
    meeting.refresh_from_db()
    assert meeting.title == "防汛会商" and meeting.venues.count() == 3
    assert not MeetingEvent.objects.filter(meeting=meeting, kind="updated").exists()


def test_edit_after_publish_is_refused(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:1])
    client.force_login(tree.user("province"))
    response = client.get(f"/meetings/{meeting.pk}/edit/", follow=True)
    assert "只有草稿状态的会议可以编辑" in response.content.decode()
