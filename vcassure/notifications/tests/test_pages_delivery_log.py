"""The delivery log page: target, status, channel and attempts; filters; scope; a constant number of
queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcassure.notifications.models import Delivery
from vcassure.notifications.tests.pages_helpers import (
    DELIVERIES,
    delivery,
    group,
    login,
    notice,
    staff_of,
)

# --- delivery log ----------------------------------------------------------------------------


def test_delivery_log_shows_target_status_channel_and_attempts(tree, client):
    person = notice(staff_of(tree, "township0"))
    personal = delivery(notification=person)
    robot = delivery(
        group=group(tree.counties[0], name="一县钉钉群"),
        channel="dingtalk_robot",
        status="sent",
        attempts=1,
    )
    page = login(client, tree.user("county0")).get(DELIVERIES).content.decode()
    assert person.recipient.name in page and "一县钉钉群" in page
    assert "短信" in page and "钉钉群机器人" in page and "失败" in page and "已送达" in page
    assert "SMS gateway: HTTP 500 #1" in page and "121 毫秒" in page
    assert f'data-delivery="{personal.pk}"' in page and f'data-delivery="{robot.pk}"' in page

    filtered = client.get(
        DELIVERIES + f"?staff={person.recipient_id}&status=failed&channel=sms&meeting=7"
    ).content.decode()
    assert (
        f'data-delivery="{personal.pk}"' in filtered
        and f'data-delivery="{robot.pk}"' not in filtered
    )
    assert (
        f'data-delivery="{personal.pk}"'
        not in client.get(DELIVERIES + "?meeting=8").content.decode()
    )


def test_delivery_log_is_scoped_and_detail_of_another_scope_is_404(tree, client):
    mine = delivery(notification=notice(staff_of(tree, "township0")))
    theirs = delivery(notification=notice(staff_of(tree, "township4")))
    theirs_group = delivery(group=group(tree.counties[2], name="三县群"), channel="dingtalk_robot")
    login(client, tree.user("county0"))
    page = client.get(DELIVERIES).content.decode()
    assert f'data-delivery="{mine.pk}"' in page and f'data-delivery="{theirs.pk}"' not in page
    assert client.get(f"{DELIVERIES}{mine.pk}/").status_code == 200
    assert client.get(f"{DELIVERIES}{theirs.pk}/").status_code == 404
    assert client.get(f"{DELIVERIES}{theirs_group.pk}/").status_code == 404


def test_delivery_log_query_count_is_constant(tree, client):
    login(client, tree.user("province"))
    unit_group = group(tree.counties[0])

    def make(n):
        for i in range(n):
            if i % 3 == 0:
                delivery(group=unit_group, channel="dingtalk_robot")
            else:
                delivery(
                    notification=notice(staff_of(tree, f"township{i % 8}"), subject=f"task:{i}")
                )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(DELIVERIES).status_code == 200
        return len(ctx.captured_queries)

    make(3)
    few = count()
    make(9)
    assert Delivery.objects.count() == 12
    assert count() == few
