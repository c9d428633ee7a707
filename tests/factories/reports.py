"""A meeting whose report we know by hand: five venue tasks (four township venues and the main
venue) with answers on time, late and never, one venue ready only after the start, and one fault
with an MTTA of 8 minutes and an MTTR of 30. Built through the services and the task door, with
the times set where a person would have set them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import time_machine
from django.db import transaction

from tests.factories.meetings import make_meeting, publish
from vcassure.core.subjects import meeting_ref, task_ref
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.services.clock import meetings_start_and_end
from vcassure.meetings.services.tasks import TaskMove, support_tasks_move, tasks_for_move
from vcassure.notifications.models import Notification

EXPECTED = {
    "venues": 5,
    "acknowledged_on_time": 3,
    "acknowledged_late": 1,
    "unanswered": 1,
    "ready_before_start": 3,
    "ready_late": 1,
    "not_ready": 1,
    "faults": 1,
    "mtta_minutes": 8.0,
    "mttr_minutes": 30.0,
}


@dataclass
class Built:
    meeting: Meeting
    start: datetime
    end: datetime
    published: datetime
    tasks: dict[str, SupportTask]
    fault: Fault


def _move(task: SupportTask, *steps: tuple[str, datetime]) -> None:
    with transaction.atomic():
        locked = tasks_for_move(SupportTask.objects.filter(pk=task.pk))[0]
        support_tasks_move([TaskMove(task=locked, to=to, at=at) for to, at in steps])


def hand_built_meeting(tree, start: datetime, *, title: str = "防汛会商(报告)") -> Built:
    """`start` is a whole hour at least two days ahead; the meeting lasts two hours and has
    ended when this returns (the clock is left at the end + 1 h)."""
    end = start + timedelta(hours=2)
    published = start - timedelta(days=1)
    venues = tree.venues[:4]
    with time_machine.travel(published, tick=False):
        meeting = publish(tree, make_meeting(tree, (start, end), venues, title=title))
    tasks = {
        key: SupportTask.objects.get(meeting=meeting, venue=v)
        for key, v in zip(("v0", "v1", "v2", "v3"), venues, strict=True)
    }
    tasks["main"] = SupportTask.objects.get(meeting=meeting, venue=tree.main_venue)
    # Every personal notice of the meeting: an IM notice due 10 minutes after publishing.
    Notification.objects.filter(topic=meeting_ref(meeting.pk)).update(
        ack_class="im", ack_due_at=published + timedelta(minutes=10)
    )
    m = timedelta(minutes=1)
    plan = {
        # key: (acknowledged, checked in, ready, shut down)
        "v0": (published + 5 * m, start - 70 * m, start - 40 * m, end + 10 * m),
        "v1": (published + 30 * m, start - 50 * m, start - 10 * m, end + 20 * m),
        "v2": (None, None, None, None),
        "v3": (published + 2 * m, start - 65 * m, start + 15 * m, None),
        "main": (published + 1 * m, start - 130 * m, start - 100 * m, end + 5 * m),
    }
    for key, (acked, on_site, ready, _done) in plan.items():
        task = tasks[key]
        if acked is None:
            continue
        steps = [("acknowledged", acked), ("on_site", on_site)]
        if key == "v3":
            steps += [("faulty", start - 20 * m), ("restored", start + 10 * m)]
        steps.append(("ready", ready))
        _move(task, *steps)
        SupportTask.objects.filter(pk=task.pk).update(checked_in_at=on_site)
        Notification.objects.filter(
            topic=meeting_ref(meeting.pk), subject=task_ref(task.pk), kind="published"
        ).update(acknowledged_at=acked)
    fault = Fault.objects.create(
        title="乡镇会场视频终端无法入会",
        source=Fault.Source.CHECKLIST,
        state=Fault.State.RESTORED,
        org_unit=tasks["v3"].org_unit,
        venue=tasks["v3"].venue,
        subject=task_ref(tasks["v3"].pk),
        opened_at=start - 20 * m,
        acknowledged_at=start - 12 * m,
        restored_at=start + 10 * m,
    )
    meetings_start_and_end(start)
    for key in ("v0", "v1", "main"):
        _move(tasks[key], ("done", plan[key][3]))
    meetings_start_and_end(end)
    for task in tasks.values():
        task.refresh_from_db()
    meeting.refresh_from_db()
    return Built(meeting, start, end, published, tasks, fault)
