"""The meeting pages through Django's test client, every form POSTed as a browser would: the detail
page and publishing, rescheduling and cancelling, scope (another county's meeting, an involved
county, the notice download)."""

import re
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories.files import pdf_bytes
from tests.factories.meetings import form_data, local, make_meeting, published_meeting, venue_task
from vcassure.accounts.models import Role
from vcassure.meetings import services
from vcassure.meetings.models import MeetingEvent, SupportTask
from vcassure.meetings.tests.views_helpers import field_has_error
from vcassure.orgs.models import Staff

PDF = pdf_bytes()


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
