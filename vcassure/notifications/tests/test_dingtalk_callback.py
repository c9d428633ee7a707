"""Answering in the DingTalk group counts (SPEC §6.2 `POST /api/im/dingtalk/callback`): the fake
DingTalk plays its outgoing robot — a signed callback to the platform — and receives the
platform's answer through the conversation's sessionWebhook."""

import pytest
import time_machine
from django.test import Client

from tests.factories.notifications import T0, queue_for
from tests.factories.orgs import StaffFactory
from vcassure.core.models import AuditEvent
from vcassure.notifications.models import Delivery, ImGroup, Notification
from vcassure.notifications.services import acknowledgements_apply_all

URL = "/api/im/dingtalk/callback"
SECRET = "app-secret-for-the-robot"
CONVERSATION = "cid6KeBBLoveMJOGXoYKF5x7EeiodoA=="


@pytest.fixture
def group_setup(tree, fake_dingtalk, settings):
    """A township person (DingTalk id "ding-01") with an open notice the group's digest announced,
    and one notice on a topic the group never announced."""
    settings.DINGTALK_APP_SECRET = SECRET
    settings.DINGTALK_API_URL = fake_dingtalk.url
    person = StaffFactory(org_unit=tree.townships[0], name="王五", dingtalk_user_id="ding-01")
    group = ImGroup.objects.create(
        platform=ImGroup.Platform.DINGTALK,
        name="保障群",
        webhook_url=fake_dingtalk.robot_url("t"),
        org_unit=tree.province,
        dingtalk_conversation_id=CONVERSATION,
    )
    with time_machine.travel(T0, tick=False):
        (announced,) = queue_for([person], subject_prefix="task")
        (elsewhere,) = queue_for([person], subject_prefix="other")
    Notification.objects.filter(pk=elsewhere.pk).update(topic="meeting:2")
    Delivery.objects.create(
        group=group, topic=announced.topic, channel="dingtalk_robot", status="sent", payload={}
    )
    return fake_dingtalk, person, announced, elsewhere


def _post(fake, *, text="收到", sender="ding-01", **kwargs):
    headers, body = fake.callback_request(
        app_secret=kwargs.pop("secret", SECRET),
        conversation_id=CONVERSATION,
        sender_staff_id=sender,
        text=text,
        **kwargs,
    )
    with time_machine.travel(T0, tick=False):
        response = Client().post(
            URL,
            body,
            content_type="application/json",
            headers={"timestamp": headers["timestamp"], "sign": headers["sign"]},
        )
    session = body["sessionWebhook"].rsplit("=", 1)[1]
    return response, fake.session_messages(session)


def test_a_reply_in_the_group_acknowledges_like_the_link(group_setup):
    fake, person, announced, elsewhere = group_setup
    response, replies = _post(fake, text="收到！")
    assert response.status_code == 200 and response.json()["acknowledged"] == [announced.pk]
    announced.refresh_from_db()
    elsewhere.refresh_from_db()
    assert announced.acknowledged_via == "im_group" and announced.acknowledged_at is not None
    assert announced.next_escalation_at is None and announced.ack_effects_pending
    assert elsewhere.acknowledged_at is None  # not announced in this group
    (reply,) = replies
    assert "王五 已确认" in reply["text"]["content"] and announced.title in reply["text"]["content"]
    assert reply["at"]["atUserIds"] == ["ding-01"]
    # The worker applies it as it applies a link's answer: one audit row, via the group.
    assert acknowledgements_apply_all() == 1
    assert AuditEvent.objects.get(action="notification.acknowledge").changes["via"] == "im_group"
    again, replies = _post(fake, text="ok")
    assert again.json()["acknowledged"] == [] and "没有待确认" in replies[0]["text"]["content"]


@pytest.mark.parametrize("word", ["1", "OK", " 确认 ", "收到了"])
def test_every_answer_word_counts(group_setup, word):
    fake, _person, announced, _elsewhere = group_setup
    assert _post(fake, text=word)[0].json()["acknowledged"] == [announced.pk]


def test_a_bad_signature_is_refused(group_setup):
    fake, _person, announced, _elsewhere = group_setup
    response, replies = _post(fake, secret="not-the-secret")
    assert response.status_code == 401 and response.json()["detail"] and replies == []
    forged, _ = _post(fake, sign="AAAA")
    assert forged.status_code == 401
    announced.refresh_from_db()
    assert announced.acknowledged_at is None


def test_a_stale_timestamp_is_refused(group_setup, fake_clock):
    fake, _person, announced, _elsewhere = group_setup
    stale = int(fake_clock() * 1000) - 3601 * 1000
    response, replies = _post(fake, timestamp_ms=stale)
    assert response.status_code == 401 and replies == []
    fresh = int(fake_clock() * 1000) - 3500 * 1000
    assert _post(fake, timestamp_ms=fresh)[0].status_code == 200
    announced.refresh_from_db()
    assert announced.acknowledged_at is not None


def test_an_unknown_sender_is_politely_refused(group_setup):
    fake, _person, announced, _elsewhere = group_setup
    response, replies = _post(fake, sender="ding-stranger")
    assert response.status_code == 200 and response.json()["acknowledged"] == []
    assert "未能识别您的身份" in replies[0]["text"]["content"]
    announced.refresh_from_db()
    assert announced.acknowledged_at is None


def test_a_message_that_is_not_an_answer_gets_help(group_setup):
    fake, _person, announced, _elsewhere = group_setup
    response, replies = _post(fake, text="机房停电了怎么办")
    assert response.status_code == 200 and response.json()["acknowledged"] == []
    assert "收到" in replies[0]["text"]["content"] and "确认" in replies[0]["text"]["content"]
    announced.refresh_from_db()
    assert announced.acknowledged_at is None


def test_a_session_webhook_elsewhere_is_not_called(group_setup):
    fake, _person, announced, _elsewhere = group_setup
    headers, body = fake.callback_request(
        app_secret=SECRET, conversation_id=CONVERSATION, sender_staff_id="ding-01", text="1"
    )
    body["sessionWebhook"] = "http://127.0.0.1:9/robot/sendBySession?session=x"
    with time_machine.travel(T0, tick=False):
        response = Client().post(URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.json()["replied"] is False


@pytest.mark.django_db(transaction=True)
def test_the_fake_plays_the_callback_over_http(group_setup, live_server):
    fake, _person, announced, _elsewhere = group_setup
    with time_machine.travel(T0, tick=False):
        status, answer, replies = fake.play_callback(
            live_server.url + URL,
            app_secret=SECRET,
            conversation_id=CONVERSATION,
            sender_staff_id="ding-01",
            text="收到",
        )
    assert status == 200 and answer["acknowledged"] == [announced.pk]
    assert "已确认" in replies[0]["text"]["content"]
    with time_machine.travel(T0, tick=False):
        status, answer, replies = fake.play_callback(
            live_server.url + URL,
            app_secret="wrong",
            conversation_id=CONVERSATION,
            sender_staff_id="ding-01",
            text="收到",
        )
    assert status == 401 and replies == []


@pytest.mark.django_db(transaction=True)
def test_the_demo_inbox_plays_a_group_reply(tree, settings, live_server, channels_offline):
    """Demo mode: the inbox's form has the running fake DingTalk post a signed reply to this
    platform; the robot's answer is shown."""
    from vcassure.accounts.models import Role
    from vcassure.notifications import demo

    settings.DEMO_FAKES_ENABLED = True
    values = demo.start_demo_fakes()
    try:
        settings.DINGTALK_API_URL = values["DINGTALK_API_URL"]
        settings.DINGTALK_APP_SECRET = values["DINGTALK_APP_SECRET"]
        person = StaffFactory(org_unit=tree.townships[0], name="赵六", dingtalk_user_id="ding-06")
        group = ImGroup.objects.create(
            platform=ImGroup.Platform.DINGTALK,
            name="演示群",
            webhook_url=values["DINGTALK_ROBOT_1_URL"],
            org_unit=tree.province,
            dingtalk_conversation_id="cid-demo-province",
        )
        (notice,) = queue_for([person])
        Delivery.objects.create(
            group=group, topic=notice.topic, channel="dingtalk_robot", status="sent", payload={}
        )
        client = Client()
        client.force_login(tree.user("province", Role.ADMIN))
        host = live_server.url.split("://", 1)[1]
        page = client.post(
            "/notifications/demo-inbox/group-reply/",
            {"conversation_id": "cid-demo-province", "sender": "ding-06", "text": "收到"},
            HTTP_HOST=host,
            follow=True,
        )
        assert "赵六 已确认" in page.content.decode()
        notice.refresh_from_db()
        assert notice.acknowledged_via == "im_group"
    finally:
        demo.stop_demo_fakes()
