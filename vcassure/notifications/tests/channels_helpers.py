"""Shared by the channel adapter tests (test_channels_*.py): the people, the messages, and the
channel by its code."""

from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Message, Recipient

ACK = "http://vcassure.test/ack/t0ken"
ZHANG = Recipient(
    staff_id=7,
    name="张三",
    mobile="13800000001",
    email="zhang@example.test",
    dingtalk_user_id="dt-zhang",
    wecom_user_id="wx-zhang",
)
NOBODY = Recipient(staff_id=8, name="李四")


def digest(**overrides) -> Message:
    fields = {
        "title": "水利视频会商 09:00 保障任务",
        "text": "3 个分会场 08:00 前到场。",
        "markdown": "### 水利视频会商\n- 3 个分会场 08:00 前到场",
        "mention_mobiles": ("13800000001", "13800000002"),
    }
    return Message(**{**fields, **overrides})


def personal(**overrides) -> Message:
    fields = {
        "title": "请确认保障任务",
        "text": "明天 09:00 水利视频会商，请于 08:00 前到达某某乡会场。",
        "markdown": "**明天 09:00 水利视频会商**\n请于 08:00 前到达某某乡会场。",
        "html": "",
        "link_url": ACK,
    }
    return Message(**{**fields, **overrides})


def channel(code: str):
    return base.get_channel(code)
