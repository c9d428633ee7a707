"""The end of a meeting (C12): its open items (venues without shutdown, open faults, incomplete
coordination), the meeting closed with a note (forced when items are open), and a reminder to the
dispatch desk for a meeting left open. The meeting's state moves only through meeting_move."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.subjects import meeting_ref
from vcassure.core.timefmt import hhmm
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.services._common import check_owner
from vcassure.meetings.services.meetings import meeting_move
from vcassure.notifications.calendar import WorkingCalendar
from vcassure.notifications.models import Notification
from vcassure.notifications.services import PersonalMessage, notifications_queue
from vcassure.orgs.selectors import dispatch_desk_staff

OPEN_FAULT_STATES = (
    Fault.State.OPEN,
    Fault.State.ACKNOWLEDGED,
    Fault.State.ASSIGNED,
    Fault.State.ON_SITE,
)


# The dispatch desk hears of a meeting left open at this hour of the next working day.
REMIND_AT = time(9, 0)


def task_refs(meeting_ids: Iterable[int]) -> QuerySet:
    """The subject references ("task:12") of the meetings' tasks, as a subquery: lower apps
    (faults, checklists) keep only that string."""
    return SupportTask.objects.filter(meeting_id__in=list(meeting_ids)).values_list(
        Concat(Value("task:"), Cast("id", CharField())), flat=True
    )


@dataclass
class OpenItems:
    """What is still open at a meeting's close: venues without shutdown (R10 step 4), open faults
    and incomplete coordination tasks."""

    venues: list[SupportTask] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    coordination: list[SupportTask] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.venues) + len(self.faults) + len(self.coordination)

    def as_errors(self) -> list[dict]:
        rows: list[dict] = [
            {
                "kind": "venue_not_shut_down",
                "task": t.pk,
                "message": _("%(venue)s 未记录关机(%(state)s)")
                % {"venue": t.venue.name if t.venue else "", "state": t.get_state_display()},
            }
            for t in self.venues
        ]
        rows += [
            {
                "kind": "open_fault",
                "fault": f.pk,
                "message": _("故障未恢复：%(title)s") % {"title": f.title},
            }
            for f in self.faults
        ]
        rows += [
            {
                "kind": "coordination_incomplete",
                "task": t.pk,
                "message": _("%(unit)s %(role)s 未完成")
                % {"unit": t.org_unit.name, "role": t.get_role_display()},
            }
            for t in self.coordination
        ]
        return rows


def meeting_open_items(meeting: Meeting) -> OpenItems:
    """Three queries whatever the meeting's size."""
    tasks = SupportTask.objects.filter(meeting=meeting)
    return OpenItems(
        venues=list(
            tasks.filter(kind=SupportTask.Kind.VENUE, state__in=SupportTask.NOT_SHUT_DOWN_STATES)
            .select_related("venue", "org_unit", "assignee")
            .order_by("org_unit__path", "id")
        ),
        faults=list(
            Fault.objects.filter(subject__in=task_refs([meeting.pk]), state__in=OPEN_FAULT_STATES)
            .select_related("venue")
            .order_by("opened_at", "id")
        ),
        coordination=list(
            tasks.filter(kind=SupportTask.Kind.COORDINATION)
            .open()
            .select_related("org_unit", "department")
            .order_by("org_unit__path", "id")
        ),
    )


@transaction.atomic
def meeting_close(meeting: Meeting, *, by: UserLike, note: str, force: bool = False) -> Meeting:
    """The dispatcher closes an ended meeting with a note. What is still open is refused (409,
    listed) unless `force`; forced or not, the report shows it."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_owner(meeting, by)
    if meeting.state != Meeting.State.ENDED:
        raise ConflictError(
            _("会议状态为“%(state)s”，只有已结束的会议可以关闭。")
            % {"state": meeting.get_state_display()},
            code="invalid_state",
        )
    note = (note or "").strip()
    if not note:
        raise InvalidInputError(
            _("请填写关闭说明。"), errors=[{"field": "note", "message": _("关闭说明不能为空。")}]
        )
    items = meeting_open_items(meeting)
    if items.count and not force:
        raise ConflictError(
            _("还有 %(n)s 项未完成，请处理后再关闭，或确认强制关闭。") % {"n": items.count},
            code="open_items",
            errors=items.as_errors(),
        )
    now = clock.now()
    meeting.closed_at, meeting.closed_by, meeting.close_note = now, actor(by), note[:1000]
    open_counts = {
        "venues": len(items.venues),
        "faults": len(items.faults),
        "coordination": len(items.coordination),
    }
    meeting_move(
        meeting,
        to=Meeting.State.CLOSED,
        at=now,
        by=by,
        fields=("closed_at", "closed_by", "close_note"),
        changes={"note": note[:1000], "forced": bool(force and items.count), "open": open_counts},
    )
    audit_record(
        actor=by,
        action="meeting.close",
        obj=meeting,
        changes={"note": note[:1000], "forced": bool(force), "open": open_counts},
    )
    return meeting


def meetings_remind_open(now: datetime | None = None) -> int:
    """On a working morning (from REMIND_AT), tell the dispatch desk about each meeting that ended
    before today and is still not closed: once per working day per meeting. Returns how many
    meetings were reminded."""
    now = now or clock.now()
    local = timezone.localtime(now)
    if local.time() < REMIND_AT or not WorkingCalendar().is_workday(local.date()):
        return 0
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    desk = dispatch_desk_staff()
    with transaction.atomic():
        meetings = list(
            Meeting.objects.select_for_update(skip_locked=True)
            .filter(state=Meeting.State.ENDED, ends_at__lt=today)
            .exclude(close_reminded_at__gte=today)
            .order_by("ends_at")
        )
        if not meetings or not desk:
            return 0
        messages = [
            PersonalMessage(
                staff=person,
                subject=meeting_ref(m.pk),
                title=_("【待关闭】%(title)s") % {"title": m.title},
                body=_(
                    "会议“%(title)s”已于 %(day)s %(time)s 结束，尚未关闭。请核对未完成事项并关闭会议。"
                )
                % {
                    "title": m.title,
                    "day": timezone.localtime(m.ends_at).strftime("%Y-%m-%d"),
                    "time": hhmm(m.ends_at),
                },
                requires_ack=False,
                topic=meeting_ref(m.pk),
            )
            for m in meetings
            for person in desk
        ]
        notifications_queue(messages, kind=Notification.Kind.INFO, now=now)
        Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(close_reminded_at=now)
    return len(meetings)
