"""The customer's share link to the live dashboard: made and revoked by managers, limited to the
maker's subtree, no personal data, 410 once expired or revoked. (The `meeting` fixture is in
conftest.py.)"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from tests.factories.meetings import make_meeting, publish
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.models import AuditEvent
from vcassure.meetings import services
from vcassure.meetings.models import Meeting, ShareLink
from vcassure.meetings.tests.dashboard_helpers import url
from vcassure.orgs.models import Staff

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


# --- share links -------------------------------------------------------------------------------------


def test_manager_creates_a_share_link_without_personal_data(province, meeting, client):
    tree = province
    client.force_login(tree.user("province"))
    response = client.post(f"/meetings/{meeting.pk}/share/", {"hours": 24}, follow=True)
    link = ShareLink.objects.get()
    assert link.org_unit == tree.province and link.created_by == tree.user("province")
    page = response.content.decode()
    assert "分享链接已生成" in page and f"/meetings/share/{link.token}/" in page
    assert AuditEvent.objects.filter(action="share_link.create", object_id=str(link.pk)).exists()
    assert link.token not in AuditEvent.objects.get(action="share_link.create").object_repr

    client.logout()
    response = client.get(f"/meetings/share/{link.token}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    page = response.content.decode()
    assert meeting.title in page and "测试1市" in page and "测试2市" in page
    for venue in tree.venues:  # per venue: names and states
        assert venue.name in page
    assert "已就绪" in page and "故障" in page
    staff = Staff.objects.all()
    assert staff.exists()
    for person in staff:
        assert person.name not in page
        assert person.mobile not in page or not person.mobile
        assert not person.email or person.email not in page
    assert not PHONE.search(page) and "@example.com" not in page
    # Drill down and poll.
    page = client.get(
        f"/meetings/share/{link.token}/", {"unit": tree.cities[1].pk}
    ).content.decode()
    assert tree.venues[4].name in page and tree.venues[0].name not in page
    page = client.get(f"/meetings/share/{link.token}/", HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<div id="live"')
    assert client.get(f"/meetings/share/{link.token}/", {"unit": 999999}).status_code == 404
    assert client.get("/meetings/share/not-a-token/").status_code == 404


def test_share_link_is_limited_to_the_makers_subtree(province, meeting, client):
    tree = province
    link = services.share_link_create(
        meeting, by=tree.user("city0", Role.MANAGER), expires_at=clock.now() + timedelta(hours=2)
    )
    assert link.org_unit == tree.cities[0]
    page = client.get(f"/meetings/share/{link.token}/").content.decode()
    assert tree.venues[0].name in page and tree.venues[4].name not in page and "测试2市" not in page
    assert (
        client.get(f"/meetings/share/{link.token}/", {"unit": tree.cities[1].pk}).status_code == 404
    )


def test_share_link_410_after_expiry_and_after_revoke(province, meeting, client):
    tree = province
    link = services.share_link_create(
        meeting, by=tree.user("province"), expires_at=clock.now() + timedelta(hours=2)
    )
    assert client.get(f"/meetings/share/{link.token}/").status_code == 200
    with time_machine.travel(clock.now() + timedelta(hours=2, seconds=1)):
        response = client.get(f"/meetings/share/{link.token}/")
    assert response.status_code == 410
    page = response.content.decode()
    assert "链接已失效" in page and "过期" in page and meeting.title not in page

    other = services.share_link_create(
        meeting, by=tree.user("province"), expires_at=clock.now() + timedelta(days=1)
    )
    client.force_login(tree.user("province"))
    page = client.get(url(meeting)).content.decode()
    assert other.token in page and link.token in page  # both still active now
    response = client.post(f"/meetings/{meeting.pk}/share/{other.pk}/revoke/", follow=True)
    assert (
        "分享链接已撤销" in response.content.decode()
        and other.token not in response.content.decode()
    )
    client.logout()
    response = client.get(f"/meetings/share/{other.token}/")
    assert response.status_code == 410 and "已被撤销" in response.content.decode()
    assert (
        AuditEvent.objects.filter(action="share_link.revoke", object_id=str(other.pk)).count() == 1
    )
    services.share_link_revoke(other, by=tree.user("province"))  # idempotent
    assert (
        AuditEvent.objects.filter(action="share_link.revoke", object_id=str(other.pk)).count() == 1
    )


def test_only_managers_may_create_or_revoke_links(province, meeting, client):
    tree = province
    link = services.share_link_create(
        meeting, by=tree.user("province"), expires_at=clock.now() + timedelta(hours=8)
    )
    for user in (tree.user("province", Role.READONLY), tree.user("city0", Role.SUPPORT)):
        client.force_login(user)
        assert client.post(f"/meetings/{meeting.pk}/share/", {"hours": 24}).status_code == 403
        assert client.post(f"/meetings/{meeting.pk}/share/{link.pk}/revoke/").status_code == 403
        page = client.get(url(meeting)).content.decode()
        assert 'id="share-links"' not in page and link.token not in page
    assert ShareLink.objects.count() == 1 and ShareLink.objects.get().revoked_at is None
    # Another scope: the meeting is missing.
    meeting_city0 = publish(
        tree,
        make_meeting(
            tree,
            (meeting.starts_at + timedelta(days=1), meeting.ends_at + timedelta(days=1)),
            tree.venues[:2],
            title="一市会商",
        ),
    )
    client.force_login(tree.user("city1", Role.MANAGER))
    assert client.post(f"/meetings/{meeting_city0.pk}/share/", {"hours": 24}).status_code == 404
    # A city manager neither sees nor revokes the province's link.
    client.force_login(tree.user("city0", Role.MANAGER))
    page = client.get(url(meeting)).content.decode()
    assert 'id="share-links"' in page and link.token not in page
    assert client.post(f"/meetings/{meeting.pk}/share/{link.pk}/revoke/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.share_link_create(
            meeting,
            by=tree.user("province", Role.READONLY),
            expires_at=clock.now() + timedelta(hours=1),
        )


def test_share_link_input_is_checked(province, meeting, tomorrow, client):
    tree = province
    by = tree.user("province")
    with pytest.raises(InvalidInputError):
        services.share_link_create(meeting, by=by, expires_at=clock.now() - timedelta(minutes=1))
    with pytest.raises(InvalidInputError):
        services.share_link_create(meeting, by=by, expires_at=clock.now() + timedelta(days=31))
    draft = make_meeting(
        tree,
        (tomorrow[0] + timedelta(days=5), tomorrow[1] + timedelta(days=5)),
        tree.venues[:1],
        title="草稿",
    )
    with pytest.raises(ConflictError):
        services.share_link_create(draft, by=by, expires_at=clock.now() + timedelta(hours=1))
    client.force_login(by)
    response = client.post(f"/meetings/{meeting.pk}/share/", {"hours": 99999}, follow=True)
    assert "请选择有效期" in response.content.decode() and not ShareLink.objects.exists()
    response = client.post(f"/meetings/{draft.pk}/share/", {"hours": 24}, follow=True)
    assert (
        "只有已发布的会议可以分享" in response.content.decode() and not ShareLink.objects.exists()
    )
    assert Meeting.objects.get(pk=draft.pk).state == "draft"
