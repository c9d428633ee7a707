"""The meeting pages through Django's test client: every form is POSTed as a browser would."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.files import pdf_bytes
from tests.factories.meetings import form_data, local, make_meeting, published_meeting, venue_task
from tests.factories.venues import VenueFactory, system
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.meetings import services
from vcassure.meetings.models import Meeting, MeetingEvent, MeetingVenue, SupportTask
from vcassure.orgs.models import Staff
from vcassure.venues.models import Venue

PDF = pdf_bytes()


def field_has_error(page: str, name: str, message: str) -> bool:
    """The message sits inside the field's own block, not only somewhere on the page."""
    match = re.search(
        rf'<div class="field has-error" id="field-{name}">(.*?)(?=<div class="field|</form>|</fieldset>)',
        page,
        re.S,
    )
    return bool(match and message in match.group(1))


def nothing_written():
    return (
        not Meeting.objects.exists()
        and not MeetingEvent.objects.exists()
        and not MeetingVenue.objects.exists()
    )


# --- access ---------------------------------------------------------------------------------------


def test_pages_require_login(db, client):
    for url in ["/meetings/", "/meetings/new/", "/meetings/tasks/mine/", "/meetings/venue-picker/"]:
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


def test_create_through_the_form_with_filter_and_one_by_one_changes(province, tomorrow, client):
    tree = province
    client.force_login(tree.user("province"))
    page = client.get("/meetings/new/").content.decode()
    assert 'type="datetime-local"' in page and tree.main_venue.name in page and "测试1市1县" in page
    # city 0 holds townships 0-3; add township 4's venue, remove township 0's.
    data = form_data(
        tree,
        tomorrow,
        add_codes=f"{tree.venues[4].code}\n",
        remove_codes=tree.venues[0].code,
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
        "unknown_venue_code",
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
            "add_codes",
            f"以下会场不属于所选系统：{finance.code}。",
            {"add_codes": finance.code},
        ),
        "main_venue_of_another_system": (
            "main_venue",
            "主会场不属于所选系统。",
            {"main_venue": finance_main.pk},
        ),
        "unknown_venue_code": (
            "add_codes",
            "以下会场编码不存在或不在您的管辖范围内：NO-SUCH。",
            {"add_codes": "NO-SUCH"},
        ),
        "no_venues": (None, "请至少选择一个分会场。", {"levels": [], "org_units": []}),
        "missing_title": ("title", "这个字段是必填项。", {"title": ""}),
        "unit_out_of_scope": ("org_units", "不在可用的选项中", {"org_units": [tree.cities[1].pk]}),
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


def test_picker_shows_count_and_list_before_saving(province, client):
    tree = province
    client.force_login(tree.user("province"))
    url = "/meetings/venue-picker/"

    def count(params) -> int:
        response = client.get(url, params, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        body = response.content.decode()
        assert "<html" not in body
        return int(re.search(r'data-count="(\d+)"', body).group(1))

    assert count({"system": "water", "levels": "township", "org_units": tree.cities[0].pk}) == 4
    assert (
        count(
            {
                "system": "water",
                "levels": ["township"],
                "org_units": [tree.counties[0].pk, tree.counties[3].pk],
            }
        )
        == 4
    )
    assert count({"system": "water", "levels": "township"}) == 8
    assert count({"system": "water", "levels": "county"}) == 0
    assert (
        count(
            {
                "system": "water",
                "org_units": tree.counties[0].pk,
                "add_codes": tree.venues[7].code,
                "remove_codes": tree.venues[0].code,
            }
        )
        == 2
    )
    body = client.get(
        url, {"system": "water", "levels": "township", "add_codes": "NO-SUCH"}
    ).content.decode()
    assert "NO-SUCH" in body and "不存在或不在您的管辖范围内" in body
    assert "请先选择视频会商系统" in client.get(url, {"levels": "township"}).content.decode()
    assert (
        tree.venues[0].name
        in client.get(url, {"system": "water", "levels": "township"}).content.decode()
    )
    # A county dispatcher's picker only reaches its own county.
    client.force_login(tree.user("county0"))
    assert count({"system": "water", "levels": "township"}) == 2
    assert str(tree.cities[1].pk) not in re.findall(
        r'<option value="(\d+)"',
        client.get("/meetings/new/").content.decode().split('name="org_units"')[1],
    )


def test_picker_lists_the_first_200_and_counts_the_rest(province, client):
    tree = province
    Venue.objects.bulk_create(
        [
            Venue(
                code=f"W-X{i:04d}",
                name=f"批量分会场{i}",
                system=system("water"),
                org_unit=tree.townships[i % 8],
            )
            for i in range(203)
        ]
    )
    client.force_login(tree.user("province"))
    body = client.get(
        "/meetings/venue-picker/", {"system": "water", "levels": "township"}
    ).content.decode()
    assert 'data-count="211"' in body
    assert body.count("<tr><td>") == 200
    assert "只列出前 200 个，……另有 11 个" in body


# --- edit -----------------------------------------------------------------------------------------


def test_edit_a_draft_keeps_venues_unless_changed(province, tomorrow, client):
    tree = province
    meeting = make_meeting(tree, tomorrow, tree.venues[:3])
    client.force_login(tree.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()
    assert "防汛会商" in page and local(tomorrow[0]) in page and 'data-count="3"' in page
    data = form_data(
        tree,
        tomorrow,
        title="防汛会商(调整)",
        levels=[],
        org_units=[],
        remove_codes=tree.venues[1].code,
        add_codes=tree.venues[6].code,
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
    # A filter replaces the current venues.
    data = form_data(tree, tomorrow, levels=["township"], org_units=[tree.counties[3].pk])
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
        levels=[],
        org_units=[],
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


# --- detail, publish ------------------------------------------------------------------------------


def test_draft_detail_shows_facts_staffing_preview_and_conflicts(province, tomorrow, client):
    tree = province
    meeting = make_meeting(tree, tomorrow, tree.venues[:3], importance="important")
    other = make_meeting(
        tree, (tomorrow[0] + timedelta(minutes=30), tomorrow[1]), tree.venues[2:4], title="抗旱会商"
    )
    client.force_login(tree.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "水利〔2026〕12号" in page and "重要" in page and tree.main_venue.name in page
    assert "人员安排预览" in page and "主保障人员" in page and "分会场保障" in page
    assert re.search(r'id="plan-total">\s*(\d+)', page)
    assert "会场冲突" in page and "抗旱会商" in page and f"/meetings/{other.pk}/" in page
    assert "创建" in page and "分会场 3 个" in page  # timeline
    assert "发布会议" in page


def test_publish_with_shortfalls_needs_the_box(province, tomorrow, client):
    tree = province
    county = tree.counties[0]
    Staff.objects.filter(org_unit=county, is_emergency_mobile=True).first().delete()  # R5: 3 → 2
    meeting = make_meeting(tree, tomorrow, tree.venues[:2])
    client.force_login(tree.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "我已知晓以上人员缺口，确认发布" in page and 'name="confirm_shortfalls"' in page
    response = client.post(f"/meetings/{meeting.pk}/publish/", {})
    assert response.status_code == 409
    page = response.content.decode()
    assert "请确认后再发布" in page and "应急机动人员应有 3 人，实有 2 人" in page
    meeting.refresh_from_db()
    assert meeting.state == "draft" and not SupportTask.objects.filter(meeting=meeting).exists()

    response = client.post(
        f"/meetings/{meeting.pk}/publish/", {"confirm_shortfalls": "on"}, follow=True
    )
    meeting.refresh_from_db()
    n = SupportTask.objects.filter(meeting=meeting).count()
    assert meeting.state == "published" and n > 0
    page = response.content.decode()
    assert f"会议已发布，共生成 {n} 项任务" in page
    assert "发布时已确认的人员缺口" in page and "应急机动人员应有 3 人，实有 2 人" in page
    assert 'id="task-tree"' in page and "发布与跟踪" in page and "落实乡镇保障" in page
    assert "发布会议" not in page


def test_publish_without_shortfalls_needs_no_box_and_builds_the_tree(province, tomorrow, client):
    tree = province
    meeting = make_meeting(tree, tomorrow, tree.venues[:1])
    assert not services.meeting_plan(meeting).shortfalls
    client.force_login(tree.user("province"))
    assert (
        'name="confirm_shortfalls"' not in client.get(f"/meetings/{meeting.pk}/").content.decode()
    )
    response = client.post(f"/meetings/{meeting.pk}/publish/", {})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    roles = re.findall(r'data-role="(\w+)"', page)
    assert roles[:1] == ["publish"] and {
        "ops",
        "broadcast",
        "customer",
        "network_ops",
        "tech_maintenance",
    } <= set(roles)
    assert tree.venues[0].name in page  # the venue-task table


def test_publish_without_notice_is_refused(province, tomorrow, client):
    tree = province
    meeting = make_meeting(tree, tomorrow, tree.venues[:1], notice_ref="")
    client.force_login(tree.user("province"))
    response = client.post(f"/meetings/{meeting.pk}/publish/", {"confirm_shortfalls": "on"})
    assert response.status_code == 422
    assert "发布前必须提供客户或集客部的正式会议通知" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == "draft" and not SupportTask.objects.filter(meeting=meeting).exists()


def test_venue_task_table_filters_and_htmx_partial(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:6])
    task = venue_task(meeting, tree.venues[0])
    services.support_task_transition(task, by=tree.user("province"), to_state="acknowledged")
    client.force_login(tree.user("province"))
    url = f"/meetings/{meeting.pk}/"
    page = client.get(url, {"state": "acknowledged"}).content.decode()
    assert (
        tree.venues[0].name in page and tree.venues[1].name not in page.split('id="venue-tasks"')[1]
    )
    partial = client.get(
        url, {"org_unit": tree.counties[2].pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="venue-tasks"
    ).content.decode()
    assert (
        "<html" not in partial
        and tree.venues[4].name in partial
        and tree.venues[0].name not in partial
    )


# --- reschedule, cancel ---------------------------------------------------------------------------


def test_reschedule_through_the_form(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:2])
    client.force_login(tree.user("province"))
    start, end = tomorrow[0] + timedelta(hours=3), tomorrow[1] + timedelta(hours=3)
    bad = client.post(
        f"/meetings/{meeting.pk}/reschedule/", {"starts_at": local(start), "ends_at": local(start)}
    )
    assert bad.status_code == 422 and field_has_error(
        bad.content.decode(), "ends_at", "结束时间必须晚于开始时间。"
    )
    missing = client.post(f"/meetings/{meeting.pk}/reschedule/", {"starts_at": local(start)})
    assert missing.status_code == 422 and field_has_error(
        missing.content.decode(), "ends_at", "这个字段是必填项。"
    )
    meeting.refresh_from_db()
    assert (
        meeting.starts_at == tomorrow[0]
        and not MeetingEvent.objects.filter(kind="rescheduled").exists()
    )
    response = client.post(
        f"/meetings/{meeting.pk}/reschedule/",
        {"starts_at": local(start), "ends_at": local(end)},
        follow=True,
    )
    meeting.refresh_from_db()
    assert meeting.starts_at == start and meeting.ends_at == end
    page = response.content.decode()
    assert (
        "会议已改期" in page
        and "改期" in page
        and timezone.localtime(start).strftime("%Y-%m-%d %H:%M") in page
    )


def test_cancel_needs_reason_and_confirmation(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:2])
    client.force_login(tree.user("province"))
    response = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "", "confirm": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert field_has_error(page, "reason", "请填写取消原因。") and field_has_error(
        page, "confirm", "请勾选确认后再取消。"
    )
    response = client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "   ", "confirm": "on"})
    assert response.status_code == 422 and field_has_error(
        response.content.decode(), "reason", "请填写取消原因。"
    )
    meeting.refresh_from_db()
    assert meeting.state == "published"
    response = client.post(
        f"/meetings/{meeting.pk}/cancel/", {"reason": "客户通知延期", "confirm": "on"}, follow=True
    )
    meeting.refresh_from_db()
    assert meeting.state == "cancelled" and meeting.cancelled_reason == "客户通知延期"
    assert not SupportTask.objects.filter(meeting=meeting).exclude(state="cancelled").exists()
    page = response.content.decode()
    assert (
        "会议已取消" in page and "原因：客户通知延期" in page and "取消会议</summary>" not in page
    )


# --- scope ----------------------------------------------------------------------------------------


def test_another_countys_meeting_is_404_everywhere(province, tomorrow, client):
    tree = province
    other = make_meeting(
        tree,
        tomorrow,
        [tree.venues[2]],
        user=tree.user("county1"),
        main_venue=None,
        notice_document=SimpleUploadedFile("n.pdf", PDF),
    )
    client.force_login(tree.user("county0"))
    base = f"/meetings/{other.pk}"
    for url in [
        f"{base}/",
        f"{base}/edit/",
        f"{base}/notice/",
        f"{base}/track/",
        f"/meetings/venue-picker/?meeting={other.pk}",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/edit/", form_data(tree, tomorrow)).status_code == 404
    assert client.post(f"{base}/publish/", {"confirm_shortfalls": "on"}).status_code == 404
    assert (
        client.post(
            f"{base}/reschedule/", {"starts_at": local(tomorrow[0]), "ends_at": local(tomorrow[1])}
        ).status_code
        == 404
    )
    assert client.post(f"{base}/cancel/", {"reason": "x", "confirm": "on"}).status_code == 404
    assert "防汛会商" not in client.get("/meetings/").content.decode()
    other.refresh_from_db()
    assert other.state == "draft" and not SupportTask.objects.filter(meeting=other).exists()


def test_involved_county_sees_but_cannot_change_a_province_meeting(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:2])
    client.force_login(tree.user("county0"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "防汛会商" in page and "改期" not in page and "取消会议" not in page
    assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == 403
    start, end = tomorrow[0] + timedelta(hours=1), tomorrow[1] + timedelta(hours=1)
    assert (
        client.post(
            f"/meetings/{meeting.pk}/reschedule/",
            {"starts_at": local(start), "ends_at": local(end)},
        ).status_code
        == 403
    )
    assert (
        client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "x", "confirm": "on"}).status_code
        == 403
    )
    meeting.refresh_from_db()
    assert meeting.state == "published" and meeting.starts_at == tomorrow[0]
    # Read-only and support roles cannot act even inside their own scope.
    client.force_login(tree.user("province", Role.READONLY))
    assert (
        client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "x", "confirm": "on"}).status_code
        == 403
    )


def test_notice_download_is_scoped_and_not_from_media_url(province, tomorrow, client):
    tree = province
    meeting = make_meeting(
        tree, tomorrow, tree.venues[:1], notice_document=SimpleUploadedFile("通知.pdf", PDF)
    )
    client.force_login(tree.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/meetings/{meeting.pk}/notice/" in page and "/media/" not in page
    response = client.get(f"/meetings/{meeting.pk}/notice/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    no_notice = make_meeting(tree, tomorrow, tree.venues[:1])
    assert client.get(f"/meetings/{no_notice.pk}/notice/").status_code == 404


# --- list, my tasks, tracking -----------------------------------------------------------------------


def test_list_filters_and_empty_state(province, tomorrow, client):
    tree = province
    make_meeting(tree, tomorrow, tree.venues[:1], title="防汛会商")
    later = (tomorrow[0] + timedelta(days=5), tomorrow[1] + timedelta(days=5))
    published_meeting(tree, later, tree.venues[:1], title="财务会商")
    make_meeting(
        tree,
        tomorrow,
        [tree.venues[2]],
        user=tree.user("county1"),
        main_venue=None,
        title="县级会商",
    )
    client.force_login(tree.user("province"))

    def titles(params) -> set[str]:
        page = client.get("/meetings/", params).content.decode()
        return {t for t in ("防汛会商", "财务会商", "县级会商") if f">{t}</a>" in page}

    assert titles({}) == {"防汛会商", "财务会商", "县级会商"}
    assert titles({"state": "published"}) == {"财务会商"}
    assert titles({"q": "防汛"}) == {"防汛会商"}
    day = timezone.localtime(tomorrow[0]).date()
    assert titles({"date_from": str(day), "date_to": str(day)}) == {"防汛会商", "县级会商"}
    assert titles({"date_from": str(day + timedelta(days=1))}) == {"财务会商"}
    assert titles({"org_unit": tree.counties[1].pk}) == {"县级会商"}
    assert titles({"system": "finance"}) == set()
    assert titles({"date_from": "not-a-date"}) == {"防汛会商", "财务会商", "县级会商"}
    assert "没有符合条件的会议" in client.get("/meetings/", {"q": "不存在"}).content.decode()


def test_my_tasks_lists_the_callers_tasks(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:2])
    user = tree.user("township0", Role.SUPPORT)  # the primary staff of venue 0
    assert tree.venues[0].primary_staff.user == user
    client.force_login(user)
    page = client.get("/meetings/tasks/mine/").content.decode()
    assert "防汛会商" in page and tree.venues[0].name in page and tree.venues[1].name not in page
    assert "分会场保障" in page and "到场时限" in page and "共 1 条" in page
    assert (
        client.get(f"/meetings/{meeting.pk}/").status_code == 200
    )  # the meeting is reachable from the card
    client.force_login(tree.user("province", Role.READONLY))
    assert "暂时没有分派给您的任务" in client.get("/meetings/tasks/mine/").content.decode()


def test_track_page_below_a_unit(province, tomorrow, client):
    tree = province
    meeting = published_meeting(tree, tomorrow, tree.venues[:6])
    client.force_login(tree.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/track/").content.decode()
    assert "测试1市" in page and "测试2市" in page and f"?org_unit={tree.cities[0].pk}" in page
    page = client.get(
        f"/meetings/{meeting.pk}/track/", {"org_unit": tree.cities[0].pk}
    ).content.decode()
    assert "测试1市1县" in page and "测试1市2县" in page and "测试2市1县" not in page
    assert 'data-role="customer"' in page and 'data-role="publish"' not in page
    # A county user defaults to its own county, and cannot look at another.
    client.force_login(tree.user("county0"))
    page = client.get(f"/meetings/{meeting.pk}/track/").content.decode()
    assert "测试1市1县1镇" in page and "测试1市1县2镇" in page and "测试1市2县" not in page
    assert (
        client.get(f"/meetings/{meeting.pk}/track/", {"org_unit": tree.counties[1].pk}).status_code
        == 404
    )


# --- query counts -----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_venues(tree, n):
    return [
        VenueFactory(
            org_unit=tree.townships[i % 8],
            code=f"W-EXTRA{i}",
            primary_staff=Staff.objects.filter(org_unit=tree.townships[i % 8]).first(),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("published", [False, True])
def test_detail_page_constant_queries(province, tomorrow, client, published):
    tree = province
    extra = _more_venues(tree, 3)
    small = make_meeting(tree, tomorrow, tree.venues[:5])
    later = (tomorrow[0] + timedelta(days=2), tomorrow[1] + timedelta(days=2))
    large = make_meeting(tree, later, [*tree.venues[:5], *extra])
    if published:
        for m in (small, large):
            services.meeting_publish(m, by=tree.user("province"), confirm_shortfalls=True)
    client.force_login(tree.user("province"))
    assert _queries(client, f"/meetings/{small.pk}/") == _queries(client, f"/meetings/{large.pk}/")


def test_list_page_constant_queries(province, tomorrow, client):
    tree = province
    extra = _more_venues(tree, 3)
    make_meeting(tree, tomorrow, tree.venues[:5])
    client.force_login(tree.user("province"))
    before = _queries(client, "/meetings/")
    later = (tomorrow[0] + timedelta(days=2), tomorrow[1] + timedelta(days=2))
    services.meeting_publish(
        make_meeting(tree, later, [*tree.venues[:5], *extra]),
        by=tree.user("province"),
        confirm_shortfalls=True,
    )
    assert _queries(client, "/meetings/") == before
