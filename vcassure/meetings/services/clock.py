"""The meeting clock (R10), run every minute: meetings start and end on time, and venue tasks that
miss their on-site, ready or shutdown deadline are marked once and escalated through notifications."""

from datetime import datetime

from django.db import connection, transaction
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.subjects import meeting_ref, task_ref
from vcassure.core.timefmt import hhmm
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.services.meetings import meeting_move
from vcassure.meetings.services.tasks import support_tasks_transition, tasks_for_move
from vcassure.notifications.channels.escaping import one_line
from vcassure.notifications.models import Notification
from vcassure.notifications.services import PersonalMessage, notifications_queue
from vcassure.orgs.selectors import dispatch_desk_staff

BEFORE_SITE = SupportTask.BEFORE_SITE_STATES
BEFORE_READY = SupportTask.BEFORE_READY_STATES
NOT_SHUT_DOWN = SupportTask.NOT_SHUT_DOWN_STATES


@transaction.atomic
def meetings_start_and_end(now: datetime) -> dict[str, int]:
    started = list(
        Meeting.objects.select_for_update().filter(
            state=Meeting.State.PUBLISHED, starts_at__lte=now
        )
    )
    for meeting in started:
        meeting_move(meeting, to=Meeting.State.IN_PROGRESS, at=now)
    if started:
        ready = tasks_for_move(
            SupportTask.objects.filter(
                meeting__in=[m.pk for m in started],
                state__in=[SupportTask.State.READY, SupportTask.State.RESTORED],
            )
        )
        support_tasks_transition(ready, to=SupportTask.State.IN_MEETING, at=now)
    ended = list(
        Meeting.objects.select_for_update().filter(
            state=Meeting.State.IN_PROGRESS, ends_at__lte=now
        )
    )
    for meeting in ended:
        meeting_move(meeting, to=Meeting.State.ENDED, at=now)
    if ended:
        # R8: the line crew's standby ends with the meeting.
        standing_by = tasks_for_move(
            SupportTask.objects.filter(
                meeting__in=[m.pk for m in ended],
                kind=SupportTask.Kind.PATROL,
                state__in=[SupportTask.State.READY, SupportTask.State.IN_MEETING],
            )
        )
        support_tasks_transition(
            standing_by, to=SupportTask.State.DONE, at=now, note="standby over"
        )
    return {"started": len(started), "ended": len(ended)}


def _escalate_missed(tasks: list[SupportTask], *, what: str, now: datetime) -> int:
    desk = dispatch_desk_staff()
    messages = []
    for task in tasks:
        due = {
            "on_site": task.on_site_due_at,
            "ready": task.ready_due_at,
            "shutdown": task.shutdown_due_at,
        }[what]
        text = {
            "on_site": _("%(venue)s：%(who)s 未在 %(due)s 前到场。"),
            "ready": _("%(venue)s：未在 %(due)s 前完成会前检查(就绪)。"),
            "shutdown": _("%(venue)s：会议已结束，未在 %(due)s 前记录关机(第四步)。"),
        }[what] % {
            "venue": one_line(task.venue.name) if task.venue is not None else "",
            "who": one_line(task.assignee.name) if task.assignee is not None else _("(未落实)"),
            "due": hhmm(due),
        }
        title = _("【逾期】%(t)s") % {"t": task.meeting.title}
        recipients = {s.pk: s for s in desk}
        assignee = task.assignee
        if assignee is not None:
            recipients[assignee.pk] = assignee
            if assignee.supervisor is not None:
                recipients[assignee.supervisor.pk] = assignee.supervisor
        messages += [
            PersonalMessage(
                staff=s,
                subject=task_ref(task.pk),
                title=title,
                body=text,
                requires_ack=False,
                topic=meeting_ref(task.meeting_id),
            )
            for s in recipients.values()
        ]
    if messages:
        notifications_queue(messages, kind=Notification.Kind.OVERDUE, now=now)
    return len(messages)


@transaction.atomic
def tasks_mark_missed(now: datetime) -> dict[str, int]:
    live = [Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS, Meeting.State.ENDED]
    base = SupportTask.objects.filter(
        kind__in=[SupportTask.Kind.VENUE, SupportTask.Kind.PATROL], meeting__state__in=live
    )
    if connection.features.has_select_for_update_skip_locked:
        # Rows another sweep is marking are skipped; once it commits they are marked and drop out.
        base = base.select_for_update(skip_locked=True, of=("self",))
    related = ("venue", "assignee__supervisor", "meeting")
    missed_site = list(
        base.filter(
            missed_on_site_at__isnull=True, on_site_due_at__lt=now, state__in=BEFORE_SITE
        ).select_related(*related)
    )
    missed_ready = list(
        base.filter(
            missed_ready_at__isnull=True, ready_due_at__lt=now, state__in=BEFORE_READY
        ).select_related(*related)
    )
    missed_shutdown = list(
        base.filter(
            missed_shutdown_at__isnull=True, shutdown_due_at__lt=now, state__in=NOT_SHUT_DOWN
        ).select_related(*related)
    )
    site_ids = [t.pk for t in missed_site]
    ready_ids = [t.pk for t in missed_ready]
    shutdown_ids = [t.pk for t in missed_shutdown]
    SupportTask.objects.filter(pk__in=site_ids, missed_on_site_at__isnull=True).update(
        missed_on_site_at=now
    )
    SupportTask.objects.filter(pk__in=ready_ids, missed_ready_at__isnull=True).update(
        missed_ready_at=now
    )
    SupportTask.objects.filter(pk__in=shutdown_ids, missed_shutdown_at__isnull=True).update(
        missed_shutdown_at=now
    )
    sent = (
        _escalate_missed(missed_site, what="on_site", now=now)
        + _escalate_missed(missed_ready, what="ready", now=now)
        + _escalate_missed(missed_shutdown, what="shutdown", now=now)
    )
    return {
        "missed_on_site": len(site_ids),
        "missed_ready": len(ready_ids),
        "missed_shutdown": len(shutdown_ids),
        "messages": sent,
    }


def meeting_clock_sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    return {**meetings_start_and_end(now), **tasks_mark_missed(now)}
