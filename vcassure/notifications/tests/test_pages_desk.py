"""The notification pages' access (every page: dispatchers yes, support no, anonymous to login) and
the dispatch desk: unanswered notices by deadline, the partial refresh, scope, phone calls with a
masked number and their recorded outcome, a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.models import AuditEvent
from vcassure.notifications.models import Notification
from vcassure.notifications.tests.pages_helpers import (
    DELIVERIES,
    DESK,
    GROUP_NEW,
    GROUPS,
    HTMX,
    login,
    notice,
    phone_call,
    staff_of,
)

# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [DESK, DELIVERIES, GROUPS, GROUP_NEW])
def test_pages_render_for_a_dispatcher_and_are_403_for_support(tree, client, url):
    assert login(client, tree.user("province")).get(url).status_code == 200
    assert login(client, tree.user("county0", Role.SUPPORT)).get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(DESK)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


# --- dispatch desk -------------------------------------------------------------------------


def test_desk_lists_unanswered_by_deadline_with_overdue_and_escalation_level(tree, client):
    late = notice(staff_of(tree, "township0"), minutes=-12, level=2, title="逾期的通知")
    soon = notice(staff_of(tree, "township1"), minutes=5, title="即将到期的通知")
    other_meeting = notice(
        staff_of(tree, "township2"), minutes=8, topic="meeting:8", title="另一个会议"
    )
    answered = notice(staff_of(tree, "township3"), minutes=1, title="已确认的通知")
    Notification.objects.filter(pk=answered.pk).update(acknowledged_at=clock.now())
    page = login(client, tree.user("province")).get(DESK).content.decode()
    assert page.index(f'data-notification="{late.pk}"') < page.index(
        f'data-notification="{soon.pk}"'
    )
    assert f'data-notification="{other_meeting.pk}"' in page and "已确认的通知" not in page
    row = page[
        page.index(f'data-notification="{late.pk}"') - 40 : page.index(
            f'data-notification="{soon.pk}"'
        )
    ]
    assert "row-overdue" in row and "第 2 级：通知主管" in row
    assert 'data-overdue="1"' in page and 'hx-trigger="every 10s"' in page

    filtered = client.get(DESK + "?meeting=7").content.decode()
    assert "另一个会议" not in filtered and "即将到期的通知" in filtered


def test_desk_refresh_is_a_partial(tree, client):
    notice(staff_of(tree, "township0"))
    response = login(client, tree.user("province")).get(DESK + "?meeting=7", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="unanswered"' in body
    assert "防汛会商保障通知" in body and "待拨打电话" not in body


def test_desk_shows_only_the_users_scope(tree, client):
    notice(staff_of(tree, "township0"), title="一县的通知")
    notice(staff_of(tree, "township4"), title="三县的通知")
    page = login(client, tree.user("county0")).get(DESK).content.decode()
    assert "一县的通知" in page and "三县的通知" not in page


def test_phone_number_is_masked_and_revealing_it_is_audited(tree, client):
    call = phone_call(notice(staff_of(tree, "township0"), minutes=-30, level=4))
    login(client, tree.user("province"))
    page = client.get(DESK).content.decode()
    assert "139****5678" in page and "13912345678" not in page and "显示号码" in page
    assert "96311" in page
    response = client.post(f"/notifications/desk/calls/{call.pk}/number/", **HTMX)
    assert response.status_code == 200 and 'href="tel:13912345678"' in response.content.decode()
    event = AuditEvent.objects.get(action="phone_call.number_reveal")
    assert event.object_id == str(call.pk) and event.actor_id == tree.user("province").pk


def test_recording_reached_acknowledges_the_notice_and_audits(tree, client):
    n = notice(staff_of(tree, "township0"), minutes=-30, level=4)
    call = phone_call(n)
    login(client, tree.user("county0"))
    response = client.post(
        f"/notifications/desk/calls/{call.pk}/outcome/",
        {"outcome": "reached", "note": "已答应到场"},
    )
    assert response.status_code == 302
    call.refresh_from_db()
    n.refresh_from_db()
    assert (
        call.outcome == "reached"
        and call.note == "已答应到场"
        and call.done_by == tree.user("county0")
    )
    assert (
        n.acknowledged_at is not None
        and n.acknowledged_via == "phone"
        and n.next_escalation_at is None
    )
    assert AuditEvent.objects.filter(action="phone_call.record", object_id=str(call.pk)).exists()
    assert AuditEvent.objects.filter(action="notification.acknowledge").exists()
    page = client.get(DESK).content.decode()
    assert "已记录给" in page and f'id="call-{call.pk}"' not in page  # no longer pending


def test_recording_no_answer_leaves_the_notice_open(tree, client):
    n = notice(staff_of(tree, "township0"), minutes=-30, level=4)
    call = phone_call(n)
    login(client, tree.user("province"))
    client.post(f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "no_answer"})
    call.refresh_from_db()
    n.refresh_from_db()
    assert call.outcome == "no_answer" and n.acknowledged_at is None
    # A second record of the same call is refused, nothing changes.
    client.post(f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "reached"})
    call.refresh_from_db()
    assert (
        call.outcome == "no_answer"
        and AuditEvent.objects.filter(action="phone_call.record").count() == 1
    )


def test_missing_outcome_writes_nothing(tree, client):
    call = phone_call(notice(staff_of(tree, "township0"), minutes=-30, level=4))
    login(client, tree.user("province"))
    response = client.post(
        f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "pending"}, follow=True
    )
    call.refresh_from_db()
    assert call.outcome == "pending" and "没有记录" in response.content.decode()
    assert not AuditEvent.objects.filter(action="phone_call.record").exists()


def test_another_scopes_phone_call_is_404_and_unchanged(tree, client):
    n = notice(staff_of(tree, "township0"), minutes=-30, level=4)
    call = phone_call(n)
    login(client, tree.user("county2"))
    assert (
        client.post(
            f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "reached"}
        ).status_code
        == 404
    )
    assert client.post(f"/notifications/desk/calls/{call.pk}/number/").status_code == 404
    call.refresh_from_db()
    n.refresh_from_db()
    assert call.outcome == "pending" and n.acknowledged_at is None
    assert not AuditEvent.objects.exists()
    support = login(client, tree.user("county0", Role.SUPPORT))
    assert (
        support.post(
            f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "reached"}
        ).status_code
        == 403
    )


def test_desk_query_count_is_constant(tree, client):
    login(client, tree.user("province"))

    def make(n, start):
        for i in range(start, start + n):
            phone_call(
                notice(
                    staff_of(tree, f"township{i % 8}"),
                    minutes=i - 6,
                    level=i % 5,
                    subject=f"task:{i}",
                )
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(DESK).status_code == 200
        return len(ctx.captured_queries)

    make(3, 0)
    few = count()
    make(9, 3)
    assert count() == few
