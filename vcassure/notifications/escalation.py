"""The deadline sweeper: every unanswered notice whose next escalation is due climbs one rung of
the policy copied onto it (re-notify on other channels → supervisor → department head → the
province dispatch desk with a phone-call task). Due rows are claimed under a lock (skip-locked on
PostgreSQL, the database write lock on SQLite), so two workers never escalate the same step twice."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.bulk import bulk_insert
from vcassure.core.timefmt import hhmm
from vcassure.notifications import wakeups
from vcassure.notifications.channels.escaping import one_line
from vcassure.notifications.delivery import personal_channels_for, personal_delivery_build
from vcassure.notifications.models import Delivery, Notification, PhoneCallTask
from vcassure.orgs.selectors import dispatch_desk_staff

BATCH = 2000


def _due(now: datetime):
    return Notification.objects.filter(
        acknowledged_at__isnull=True,
        is_cancelled=False,
        next_escalation_at__isnull=False,
        next_escalation_at__lte=now,
    )


def escalations_process_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Escalate every due notice one rung; returns how many rungs were climbed."""
    from vcassure.notifications.services import (
        PersonalMessage,
        notifications_queue,
    )

    now = now or clock.now()
    with transaction.atomic():
        qs = _due(now).order_by("next_escalation_at")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        rows = list(
            qs.select_related("recipient__supervisor", "recipient__department__head")[:limit]
        )
        if not rows:
            return 0
        # These rows are ours alone until commit: locked FOR UPDATE (skipped by other sweepers) on
        # PostgreSQL; on SQLite the transaction took the write lock at BEGIN IMMEDIATE, so another
        # sweeper reads them only after this one has moved them up a rung.
        climbed: list[tuple[Notification, dict]] = []
        # Rows climb in groups that share (level, minutes to the next rung): one UPDATE per group,
        # computing the next due time in the database from each row's own deadline.
        groups: dict[tuple[int, int | None], list[int]] = defaultdict(list)
        for n in rows:
            level = n.escalation_level
            step = n.escalation_steps[level] if level < len(n.escalation_steps) else None
            following = (
                n.escalation_steps[level + 1] if level + 1 < len(n.escalation_steps) else None
            )
            groups[(level, following["after_minutes"] if following else None)].append(n.pk)
            if step:
                climbed.append((n, step))
        for (level, minutes), ids in groups.items():
            Notification.objects.filter(pk__in=ids).update(
                escalation_level=level + 1,
                updated_at=now,
                next_escalation_at=F("ack_due_at") + timedelta(minutes=minutes)
                if minutes is not None
                else None,
            )
        desk = None
        deliveries: list[Delivery] = []
        messages: list[PersonalMessage] = []
        calls: list[PhoneCallTask] = []
        for n, step in climbed:
            who = n.recipient
            late = hhmm(n.ack_due_at) if n.ack_due_at else ""
            about = _("%(name)s 未在 %(due)s 前确认：%(title)s") % {
                "name": one_line(who.name),
                "due": late,
                "title": n.title,
            }
            action = step.get("action")
            if action == "renotify":
                for code in personal_channels_for(who, only=step.get("channels") or []):
                    deliveries.append(personal_delivery_build(n, code, who, now=now))
            elif action == "supervisor" and who.supervisor is not None:
                messages.append(
                    PersonalMessage(
                        staff=who.supervisor,
                        subject=n.subject,
                        title=_("【升级】%(t)s") % {"t": n.title},
                        body=about,
                        requires_ack=False,
                        escalates=n,
                        topic=n.topic,
                    )
                )
            elif (
                action == "department_head"
                and who.department is not None
                and who.department.head is not None
            ):
                messages.append(
                    PersonalMessage(
                        staff=who.department.head,
                        subject=n.subject,
                        title=_("【升级】%(t)s") % {"t": n.title},
                        body=about,
                        requires_ack=False,
                        escalates=n,
                        topic=n.topic,
                    )
                )
            elif action == "dispatch_desk":
                desk = desk if desk is not None else dispatch_desk_staff()
                for person in desk:
                    messages.append(
                        PersonalMessage(
                            staff=person,
                            subject=n.subject,
                            title=_("【请电话通知】%(t)s") % {"t": n.title},
                            body=about,
                            requires_ack=False,
                            escalates=n,
                            topic=n.topic,
                        )
                    )
                if who.mobile:
                    calls.append(
                        PhoneCallTask(
                            notification=n,
                            number=who.mobile,
                            created_at=now,
                            script=_(
                                "您好，这里是 96311 视频会商保障调度台。%(name)s，您有一项保障任务尚未确认：%(title)s。"
                                "请立即确认并按时到场。"
                            )
                            % {"name": who.name, "title": n.title},
                        )
                    )
        if deliveries:
            # COPY on PostgreSQL: a sweep of 2,000 due rows re-notifies 2,000 people at once.
            bulk_insert(deliveries, batch_size=500)
        if calls:
            PhoneCallTask.objects.bulk_create(calls, batch_size=500)
        if messages:
            notifications_queue(messages, kind=Notification.Kind.ESCALATION, now=now)
        if deliveries:
            wakeups.outbox_wake_on_commit()
        return len(climbed)


def overdue_q(now: datetime) -> Q:
    return Q(
        acknowledged_at__isnull=True, requires_ack=True, is_cancelled=False, ack_due_at__lt=now
    )
