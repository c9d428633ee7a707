"""Text that people typed (meeting titles, cancel reasons, names of venues, groups and people)
reaches DingTalk, WeCom, SMS, OA and email as inert text: no live links, no HTML, no @mentions,
no headings. The only links are the platform's own (acknowledgement links), and the only
mentions are the platform's recipients."""

import re
from urllib.parse import urlsplit

import pytest

from tests.factories.meetings import make_meeting
from tests.fakes import FakeDingTalk, FakeOa, FakeSmsGateway, FakeWeCom
from vcassure.meetings import services
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Message, Recipient, Target
from vcassure.notifications.channels.oa import OaWebhookChannel
from vcassure.notifications.channels.sms import HttpSmsChannel
from vcassure.notifications.models import Delivery, ImGroup
from vcassure.notifications.outbox import outbox_drain
from vcassure.notifications.services.groups import im_group_test_queue
from vcassure.orgs.models import Staff

EVIL = "http://evil.example"
STRANGER = "13912345678"
TITLE = (
    f"[点此]({EVIL}) @所有人 @all @{STRANGER} "
    '<font color="red">紧急</font> <a href="http://evil.example/a">详情</a>\n# 假标题'
)
REASON = f"改到 [新会议]({EVIL}/new)\n\n> 引用 <b>粗体</b> @all"


def assert_inert(text: str, *, rendered: bool = True) -> None:
    """Nothing in `text` is a link, an HTML tag, a mention or (where markdown is rendered, or
    lines are composed) a heading or quote that a user typed."""
    assert "](http" not in text and "[点此]" not in text, text
    assert EVIL not in text and "://evil" not in text, text
    assert "<font" not in text and "<a " not in text and "<b>" not in text, text
    assert "@所有人" not in text and "@all" not in text and f"@{STRANGER}" not in text, text
    if rendered:
        assert not re.search(r"(^|\n)\s*#+\s*假标题", text), text
        assert not re.search(r"(^|\n)\s*>", text), text


@pytest.fixture
def im_fakes(province, settings):
    """The province's two groups on a fake DingTalk and a fake WeCom robot, and every person
    reachable by DingTalk work notice (personal notices carry the acknowledgement link)."""
    with FakeDingTalk() as dingtalk, FakeWeCom() as wecom:
        dt_robot, wx_robot = dingtalk.add_robot(), wecom.add_robot()
        ImGroup.objects.filter(platform="dingtalk").update(webhook_url=dt_robot.webhook_url)
        ImGroup.objects.filter(platform="wecom").update(webhook_url=wx_robot.webhook_url)
        dingtalk.add_app("app", "app-secret", "1001")
        settings.DINGTALK_API_URL = dingtalk.url
        settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET = "app", "app-secret"
        settings.DINGTALK_AGENT_ID = "1001"
        settings.SMS_GATEWAY_URL = settings.OA_WEBHOOK_URL = settings.EMAIL_URL = ""
        settings.PERSONAL_CHANNEL_ORDER = ["dingtalk_work_notice"]
        for staff in Staff.objects.all():
            Staff.objects.filter(pk=staff.pk).update(dingtalk_user_id=f"dt-{staff.pk}")
        base.reset_channels()
        yield dingtalk, dt_robot, wecom, wx_robot
    base.reset_channels()


def test_a_published_meetings_title_is_inert_in_every_digest(province, tomorrow, im_fakes, client):
    dingtalk, dt_robot, wecom, wx_robot = im_fakes
    meeting = make_meeting(province, tomorrow, province.venues[:2], title=TITLE)
    services.meeting_publish(meeting, by=province.user("province"), confirm_shortfalls=True)
    outbox_drain()
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
    mentioned = set(Delivery.objects.get(group__platform="dingtalk").payload["mention_mobiles"])
    assert mentioned and STRANGER not in mentioned

    [dt] = dingtalk.robot_messages(dt_robot.token)
    part = dt[dt["msgtype"]]
    assert part["text"].startswith("### ")  # the platform's own heading still works
    assert "点此" in part["text"] and "假标题" in part["text"]  # the words are kept, inert
    assert_inert(part["text"])
    assert_inert(part["title"])
    assert set(dt["at"]["atMobiles"]) == mentioned and dt["at"]["isAtAll"] is False
    assert dt["at"]["atUserIds"] == []

    [wx] = wecom.robot_messages(wx_robot.key)
    text = wx[wx["msgtype"]]
    assert_inert(text["content"])
    assert "点此" in text["content"]
    assert set(text.get("mentioned_mobile_list", [])) <= mentioned
    assert "@all" not in text.get("mentioned_list", []) and "@all" not in text.get(
        "mentioned_mobile_list", []
    )

    # Personal notices: the body is inert, and the acknowledgement link is the platform's own.
    notices = dingtalk.work_notices
    assert notices
    for body in notices:
        card = body["msg"]["action_card"]
        assert_inert(card["markdown"])
        assert_inert(card["title"])
        assert card["single_url"].startswith("http://127.0.0.1:8000/ack/")
    path = urlsplit(notices[0]["msg"]["action_card"]["single_url"]).path
    assert client.get(path).status_code == 200


def test_a_cancel_reason_is_inert_in_the_digest(province, tomorrow, im_fakes):
    dingtalk, dt_robot, wecom, wx_robot = im_fakes
    meeting = make_meeting(province, tomorrow, province.venues[:2], title="防汛会商")
    services.meeting_publish(meeting, by=province.user("province"), confirm_shortfalls=True)
    outbox_drain()
    services.meeting_cancel(meeting, by=province.user("province"), reason=REASON)
    outbox_drain()
    *_, cancelled = dingtalk.robot_messages(dt_robot.token)
    text = cancelled[cancelled["msgtype"]]["text"]
    assert "新会议" in text and "引用" in text
    assert_inert(text)
    *_, cancelled = wecom.robot_messages(wx_robot.key)
    assert_inert(cancelled[cancelled["msgtype"]]["content"])


def test_a_group_name_is_inert_in_the_wecom_markdown_test_message(province, im_fakes):
    _dingtalk, _dt_robot, wecom, wx_robot = im_fakes
    group = ImGroup.objects.get(platform="wecom")
    name = TITLE.replace("\n", " ").replace(' <a href="http://evil.example/a">详情</a>', "")
    assert len(name) <= ImGroup._meta.get_field("name").max_length  # PostgreSQL enforces it
    ImGroup.objects.filter(pk=group.pk).update(name=name)
    group.refresh_from_db()
    im_group_test_queue(group, by=province.user("province"))
    outbox_drain()
    [message] = wecom.robot_messages(wx_robot.key)
    assert message["msgtype"] == "markdown"
    content = message["markdown"]["content"]
    assert content.startswith("### ") and "点此" in content
    assert_inert(content)
    assert "<@" not in content  # no WeCom mention of anyone


PERSON = Recipient(staff_id=1, name="张三 <b>@all</b>", mobile="13800000001", email="z@x.test")
ACK = "http://127.0.0.1:8000/ack/t0ken"


def test_sms_text_has_no_foreign_links_and_keeps_the_ack_link():
    with FakeSmsGateway() as gateway:
        from django.conf import settings

        original = settings.SMS_GATEWAY_URL
        settings.SMS_GATEWAY_URL = gateway.send_url
        try:
            result = HttpSmsChannel().send(
                Message(title="【通知】", text=f"会议：{TITLE}\x07\u202e【假签名】", link_url=ACK),
                Target(recipient=PERSON),
            )
        finally:
            settings.SMS_GATEWAY_URL = original
        assert result.ok, result.error
        [sms] = gateway.received
    content = sms.json["content"]
    assert_inert(content, rendered=False)  # a plain text given to the channel keeps its lines
    assert content.endswith(ACK)  # the platform's link, untouched, last
    assert "\x07" not in content and "\u202e" not in content and "【" not in content


def test_oa_text_is_inert(settings):
    with FakeOa() as oa:
        settings.OA_WEBHOOK_URL = oa.webhook_url
        base.reset_channels()
        result = OaWebhookChannel().send(
            Message(title=TITLE, text=f"会议：{TITLE}", link_url=ACK), Target(recipient=PERSON)
        )
        assert result.ok, result.error
        [todo] = oa.received
    assert_inert(todo.json["title"])
    assert_inert(todo.json["content"], rendered=False)
    assert todo.json["url"] == ACK


def test_escaping_functions_per_format():
    from vcassure.notifications.channels import escaping

    md = escaping.markdown(TITLE)
    assert_inert(md)
    assert "\n" not in md and "点此" in md
    assert escaping.markdown("- 1. 列表") != "- 1. 列表"
    assert escaping.markdown("1. 编号").startswith("1") and not re.match(
        r"^\d+[.)]\s", escaping.markdown("1. 编号")
    )
    assert escaping.plain("a\x00b\u202ec\r\nd") == "abc\nd"
    assert "<" not in escaping.plain("<a href='x'>y</a>")
    assert escaping.html('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert len(escaping.sms("很长" * 50, limit=35)) == 35
    assert "【" not in escaping.sms("【签名】内容")
