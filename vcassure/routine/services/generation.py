"""The worker's routine: each day, make the day's inspections from the plans (idempotent: one per
plan, venue and day however many workers run), announce them in ONE digest per person and per IM
group, and escalate the ones still open at their due time. All messages go through the
notifications app's queue (notifications_queue / group_digests_queue)."""

from collections import defaultdict
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.availability import staff_busy_on
from vcassure.core.locking import skip_locked
from vcassure.core.services import audit_record_many
from vcassure.core.subjects import subject_ref
from vcassure.core.timefmt import month_day_hhmm
from vcassure.notifications.calendar import WorkingCalendar
from vcassure.notifications.channels import escaping
from vcassure.notifications.models import Notification
from vcassure.notifications.services import (
    PersonalMessage,
    group_digests_queue,
    groups_covering,
    notifications_queue,
)
from vcassure.orgs.models import Staff
from vcassure.routine.models import Inspection, InspectionPlan, RoutineDay, StaffLeave
from vcassure.routine.selectors import local_due_at, plan_falls_on, plan_venues

# The day's inspections are made (and announced) from this local time on.
GENERATE_FROM = time(7, 0)
DIGEST_ROWS = 40


def day_topic(day: date) -> str:
    return f"routine:{day.isoformat()}"


def _unavailable(day: date, staff_ids: set[int]) -> set[int]:
    on_leave = set(
        StaffLeave.objects.filter(
            staff_id__in=staff_ids, starts_on__lte=day, ends_on__gte=day
        ).values_list("staff_id", flat=True)
    )
    inactive = set(
        Staff.objects.filter(pk__in=staff_ids, is_active=False).values_list("pk", flat=True)
    )
    return on_leave | inactive | staff_busy_on(day, staff_ids)


def inspections_generate(*, day: date, calendar: WorkingCalendar | None = None) -> int:
    """Make the day's inspections of every active plan that falls due on it, for the venue's
    primary person, or the backup when the primary is on leave or has a meeting task that day.
    Idempotent (unique plan, venue, day; conflicts ignored). Returns the number of rows tried."""
    calendar = calendar or WorkingCalendar()
    plans = [
        p
        for p in InspectionPlan.objects.filter(is_active=True, starts_on__lte=day).select_related(
            "org_unit"
        )
        if plan_falls_on(p, day, calendar=calendar)
    ]
    per_plan = [(plan, list(plan_venues(plan))) for plan in plans]
    people = {
        s
        for _plan, venues in per_plan
        for v in venues
        for s in (v.primary_staff_id, v.backup_staff_id)
        if s
    }
    away = _unavailable(day, people)
    rows = []
    for plan, venues in per_plan:
        due = local_due_at(day, plan.due_time)
        for venue in venues:
            assignee = venue.primary_staff_id
            if (assignee is None or assignee in away) and venue.backup_staff_id not in (
                None,
                *away,
            ):
                assignee = venue.backup_staff_id
            rows.append(
                Inspection(
                    plan=plan,
                    venue=venue,
                    org_unit_id=venue.org_unit_id,
                    scheduled_on=day,
                    assignee_id=assignee,
                    due_at=due,
                )
            )
    Inspection.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def _lines(inspections: list[Inspection], esc) -> list[str]:
    lines = [
        "- "
        + _("%(venue)s：%(plan)s，%(due)s 前完成")
        % {
            "venue": esc(i.venue.name),
            "plan": esc(i.plan.name),
            "due": month_day_hhmm(i.due_at),
        }
        for i in inspections[:DIGEST_ROWS]
    ]
    if len(inspections) > DIGEST_ROWS:
        lines.append(_("……另有 %(n)s 项，详见平台。") % {"n": len(inspections) - DIGEST_ROWS})
    return lines


def _announce(
    inspections: list[Inspection], *, topic: str, headline: str, kind: str, to_supervisor: bool
) -> int:
    """One personal message per person listing all their inspections, and one digest per IM group
    covering them (with @mentions). `to_supervisor`: the message goes to the assignee's
    supervisor (escalation), or to the assignee when there is none."""
    if not inspections:
        return 0
    per_person: dict[int, list[Inspection]] = defaultdict(list)
    people: dict[int, Staff] = {}
    for inspection in inspections:
        person = inspection.assignee
        if person is not None and to_supervisor and person.supervisor is not None:
            person = person.supervisor
        if person is None:
            continue
        people[person.pk] = person
        per_person[person.pk].append(inspection)
    messages = [
        PersonalMessage(
            staff=people[pk],
            subject=subject_ref("inspection", items[0].pk),
            title=headline,
            body="\n".join(
                [
                    headline,
                    _("共 %(n)s 个会场：") % {"n": len(items)},
                    *_lines(items, escaping.one_line),
                    _("请在手机上打开平台“我的巡检”完成检查。"),
                ]
            ),
            requires_ack=False,
        )
        for pk, items in per_person.items()
    ]
    covering = groups_covering([i.org_unit.path for i in inspections])
    per_group: dict[int, list[Inspection]] = defaultdict(list)
    groups = {}
    for inspection in inspections:
        for group in covering[inspection.org_unit.path]:
            groups[group.pk] = group
            per_group[group.pk].append(inspection)
    for gid, items in per_group.items():
        mobiles = sorted({i.assignee.mobile for i in items if i.assignee and i.assignee.mobile})
        group_digests_queue(
            topic=topic,
            groups=[groups[gid]],
            title=headline,
            markdown="\n".join(
                [f"### {escaping.markdown(headline)}", *_lines(items, escaping.markdown)]
            ),
            text="\n".join([headline, *_lines(items, escaping.one_line)]),
            mentions={gid: mobiles},
        )
    notifications_queue(messages, topic=topic, kind=kind)
    return len(messages)


def _announce_new(day: date, now: datetime) -> int:
    fresh = list(
        Inspection.objects.filter(scheduled_on=day, notified_at__isnull=True)
        .exclude(state=Inspection.State.CANCELLED)
        .select_related("plan", "venue", "org_unit", "assignee")
        .order_by("org_unit__path", "venue__code")
    )
    Inspection.objects.filter(pk__in=[i.pk for i in fresh]).update(notified_at=now, updated_at=now)
    headline = _("今日巡检任务（%(d)s）") % {"d": day.strftime("%m-%d")}
    return _announce(
        fresh,
        topic=day_topic(day),
        headline=headline,
        kind=Notification.Kind.INFO,
        to_supervisor=False,
    )


def inspections_escalate(*, now: datetime | None = None) -> int:
    """Open inspections past their due time, escalated once: one message per supervisor (or the
    person, if they have none) and one digest per IM group. Rows are claimed with skip-locked, so
    two workers never escalate the same inspection twice."""
    now = now or clock.now()
    with transaction.atomic():
        claimed = list(
            skip_locked(
                Inspection.objects.filter(
                    state__in=Inspection.OPEN_STATES, due_at__lte=now, escalated_at__isnull=True
                ).order_by("due_at")[:2000]
            )
        )
        if not claimed:
            return 0
        ids = [i.pk for i in claimed]
        Inspection.objects.filter(pk__in=ids).update(escalated_at=now, updated_at=now)
        overdue = list(
            Inspection.objects.filter(pk__in=ids)
            .select_related("plan", "venue", "org_unit", "assignee__supervisor")
            .order_by("org_unit__path", "venue__code")
        )
        audit_record_many(
            [
                {"action": "inspection.overdue", "obj": i, "changes": {"due_at": str(i.due_at)}}
                for i in overdue
            ]
        )
        return _announce(
            overdue,
            topic=day_topic(timezone.localdate(now)),
            headline=_("巡检逾期未完成"),
            kind=Notification.Kind.OVERDUE,
            to_supervisor=True,
        )


def routine_sweep(*, now: datetime | None = None) -> dict:
    """Every minute from the worker: from GENERATE_FROM on, make and announce today's inspections
    (again only when a plan changed since), then escalate what is overdue. The day's row is
    locked while that is done, so a second worker waits and then finds nothing to do."""
    now = now or clock.now()
    local = timezone.localtime(now)
    day = local.date()
    made = announced = 0
    if local.time() >= GENERATE_FROM:
        RoutineDay.objects.get_or_create(day=day)
        with transaction.atomic():
            marker = RoutineDay.objects.select_for_update().get(day=day)
            changed = InspectionPlan.objects.aggregate(at=Max("updated_at"))["at"]
            if (
                marker.generated_at is None
                or (changed is not None and changed > marker.generated_at)
                or Inspection.objects.filter(scheduled_on=day, notified_at__isnull=True).exists()
            ):
                made = inspections_generate(day=day)
                announced = _announce_new(day, now)
                marker.generated_at = now
                marker.save(update_fields=["generated_at"])
    escalated = inspections_escalate(now=now)
    return {"made": made, "announced": announced, "escalated": escalated}
