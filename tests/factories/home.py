"""One of every kind of thing the home page (工作台) lists, on a `province` tree: a meeting
tomorrow with its notices past their deadline, an open fault past its acknowledgement clock in
county 0, a phone call the desk must make, and a robot that needs an administrator."""

from dataclasses import dataclass
from datetime import timedelta

from vcassure.core import clock
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting
from vcassure.notifications.models import ImGroup, Notification, PhoneCallTask

from .meetings import published_meeting


@dataclass
class Scenario:
    meeting: Meeting
    fault: Fault
    call: PhoneCallTask
    group: ImGroup


def open_fault(tree, *, township=0, title="终端无法入会", minutes_late=5, **extra) -> Fault:
    now = clock.now()
    venue = tree.venues[township]
    return Fault.objects.create(
        title=title,
        source=Fault.Source.MANUAL,
        severity=extra.pop("severity", Fault.Severity.CRITICAL),
        state=extra.pop("state", Fault.State.OPEN),
        org_unit=venue.org_unit,
        venue=venue,
        opened_at=now - timedelta(minutes=20),
        ack_due_at=now - timedelta(minutes=minutes_late),
        restore_due_at=now + timedelta(hours=2),
        **extra,
    )


def attention_scenario(tree, when) -> Scenario:
    meeting = published_meeting(tree, when, tree.venues[:4], title="防汛抗旱视频会商")
    now = clock.now()
    # Nobody has answered: every notice is past its deadline.
    Notification.objects.filter(topic=f"meeting:{meeting.pk}").update(
        ack_due_at=now - timedelta(minutes=15)
    )
    fault = open_fault(tree)
    first = Notification.objects.filter(
        topic=f"meeting:{meeting.pk}", recipient__org_unit=tree.townships[1]
    ).first()
    call = PhoneCallTask.objects.create(
        notification=first, number="13912345678", script="您好，这里是 96311 调度台。"
    )
    group = ImGroup.objects.create(
        platform="dingtalk",
        name="测试1市钉钉保障群",
        webhook_url="http://127.0.0.1:9/robot/send?access_token=bad",
        org_unit=tree.cities[0],
        needs_attention=True,
        last_error="errcode 310000: keywords not in content",
    )
    return Scenario(meeting=meeting, fault=fault, call=call, group=group)
