"""The duty clock, run every minute: warnings of uncovered or rule-breaking shifts to the county
and city dispatchers 72 h and 24 h ahead (each once per shift), a reminder before a shift, and a
missed check-in 15 minutes after the start, which notifies the person with a notice that climbs
the escalation ladder until they check in or answer. Every message goes through notifications'
queue (the one sender); columns on the shift say what was done, so nothing is sent twice."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.subjects import subject_ref
from vcassure.core.timefmt import month_day_hhmm
from vcassure.duty.models import DutyRule, Shift
from vcassure.duty.roster import pool_unit_id
from vcassure.duty.selectors import roster_problems
from vcassure.duty.signals import shifts_uncovered
from vcassure.notifications.channels.escaping import one_line
from vcassure.notifications.models import Notification
from vcassure.notifications.services import PersonalMessage, notifications_queue
from vcassure.orgs.models import Department, OrgUnit, Staff

WARNINGS = ((timedelta(hours=24), "warned_24h_at"), (timedelta(hours=72), "warned_72h_at"))
WARNING_LINES = 30


def _locked(qs):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def dispatchers_for(county_ids: set[int]) -> dict[int, list[Staff]]:
    """For each county (or unit), its dispatchers and those of the city above; where a unit has
    no dispatcher login, the head of its technical maintenance or network operations department."""
    units = OrgUnit.objects.in_bulk(county_ids)
    wanted: set[int] = set(county_ids) | {u.parent_id for u in units.values() if u.parent_id}
    by_unit: dict[int, list[Staff]] = defaultdict(list)
    for staff in Staff.objects.filter(
        org_unit_id__in=wanted, is_active=True, user__role=Role.DISPATCHER, user__is_active=True
    ).order_by("code"):
        by_unit[staff.org_unit_id].append(staff)
    heads = Department.objects.filter(
        org_unit_id__in=wanted,
        kind__in=[Department.Kind.TECH_MAINTENANCE, Department.Kind.NETWORK_OPS],
        head__is_active=True,
    ).select_related("head")
    for department in heads:
        if not by_unit.get(department.org_unit_id) and department.head is not None:
            by_unit[department.org_unit_id].append(department.head)
    out: dict[int, list[Staff]] = {}
    for county_id, unit in units.items():
        people = {s.pk: s for s in by_unit.get(county_id, [])}
        people.update({s.pk: s for s in by_unit.get(unit.parent_id or 0, [])})
        out[county_id] = list(people.values())
    return out


@transaction.atomic
def shifts_warn(now: datetime) -> int:
    """Uncovered or rule-breaking shifts within 72 h, then within 24 h: checked once at each mark;
    one message per dispatcher per county listing them. A shift first seen inside 24 h is
    warned about once (the 72-hour mark is passed)."""
    due = Q()
    for ahead, column in WARNINGS:
        due |= Q(**{f"{column}__isnull": True, "starts_at__lte": now + ahead})
    shifts = list(
        _locked(Shift.objects.filter(due, starts_at__gt=now)).select_related(
            "venue__org_unit", "assignee", "period"
        )
    )
    if not shifts:
        return 0
    broken = roster_problems([s for s in shifts if s.assignee_id])
    per_county: dict[int, list[tuple[Shift, str, str]]] = defaultdict(list)
    marks: dict[str, list[int]] = defaultdict(list)
    for shift in shifts:
        lead = shift.starts_at - now
        mark = "24h" if lead <= timedelta(hours=24) else "72h"
        columns = ["warned_24h_at", "warned_72h_at"] if mark == "24h" else ["warned_72h_at"]
        for column in columns:
            if getattr(shift, column) is None:
                marks[column].append(shift.pk)
        problem = "" if shift.assignee_id is None else broken.get(shift.pk)
        if problem is None:
            continue  # covered and within the rules
        already = getattr(shift, "warned_24h_at" if mark == "24h" else "warned_72h_at")
        if already is None:
            per_county[pool_unit_id(shift.venue.org_unit.path)].append((shift, problem, mark))
    for column, ids in marks.items():
        Shift.objects.filter(pk__in=ids, **{f"{column}__isnull": True}).update(**{column: now})
    if not per_county:
        return 0
    shifts_uncovered.send(
        sender=Shift, shifts=[row for rows in per_county.values() for row in rows], at=now
    )
    recipients = dispatchers_for(set(per_county))
    units = OrgUnit.objects.in_bulk(list(per_county))
    messages: list[PersonalMessage] = []
    for county_id, rows in per_county.items():
        rows.sort(key=lambda r: (r[0].starts_at, r[0].venue.code))
        uncovered = sum(1 for _s, problem, _m in rows if not problem)
        title = _("【值班预警】%(unit)s：%(n)s 个班次未排人、%(m)s 个违反规则") % {
            "unit": units[county_id].name if county_id in units else "",
            "n": uncovered,
            "m": len(rows) - uncovered,
        }
        lines = [
            _("%(venue)s %(start)s 起：%(what)s")
            % {
                "venue": one_line(s.venue.name),
                "start": month_day_hhmm(s.starts_at),
                "what": f"{one_line(s.assignee.name)}，{problem}"
                if problem and s.assignee is not None
                else _("未排人"),
            }
            for s, problem, _mark in rows[:WARNING_LINES]
        ]
        if len(rows) > WARNING_LINES:
            lines.append(_("……另有 %(n)s 个班次，详见平台。") % {"n": len(rows) - WARNING_LINES})
        body = "\n".join([_("以下班次将在 72 小时内开始，请尽快安排："), *lines])
        messages += [
            PersonalMessage(
                staff=person,
                subject=subject_ref("shift", rows[0][0].pk),
                title=title,
                body=body,
                requires_ack=False,
                topic=f"duty-warning:{county_id}:{now:%Y%m%d%H%M}",
            )
            for person in recipients.get(county_id, [])
        ]
    if messages:
        notifications_queue(messages, kind=Notification.Kind.INFO, now=now)
    return len(messages)


@transaction.atomic
def shifts_remind(now: datetime, rule: DutyRule) -> int:
    ahead = timedelta(minutes=rule.remind_before_minutes)
    shifts = list(
        _locked(
            Shift.objects.filter(
                assignee__isnull=False,
                reminded_at__isnull=True,
                checked_in_at__isnull=True,
                starts_at__gt=now,
                starts_at__lte=now + ahead,
            )
        ).select_related("venue", "assignee")
    )
    Shift.objects.filter(pk__in=[s.pk for s in shifts], reminded_at__isnull=True).update(
        reminded_at=now
    )
    messages = [
        PersonalMessage(
            staff=s.assignee,
            subject=subject_ref("shift", s.pk),
            title=_("【值班提醒】%(venue)s %(start)s")
            % {
                "venue": s.venue.name,
                "start": month_day_hhmm(s.starts_at),
            },
            body=_(
                "您在 %(venue)s 的值班将于 %(start)s 开始，至 %(end)s 结束。到场后请在手机上签到。"
            )
            % {
                "venue": one_line(s.venue.name),
                "start": month_day_hhmm(s.starts_at),
                "end": month_day_hhmm(s.ends_at),
            },
            requires_ack=False,
            topic=subject_ref("shift", s.pk),
        )
        for s in shifts
        if s.assignee is not None
    ]
    if messages:
        notifications_queue(messages, kind=Notification.Kind.INFO, now=now)
    return len(messages)


@transaction.atomic
def shifts_mark_missed(now: datetime, rule: DutyRule) -> int:
    """No check-in `missed_check_in_minutes` after the start: marked once, and the person gets a
    notice to answer; unanswered, the notice climbs their escalation ladder (supervisor,
    department head, dispatch desk). Checking in withdraws it."""
    grace = timedelta(minutes=rule.missed_check_in_minutes)
    shifts = list(
        _locked(
            Shift.objects.filter(
                assignee__isnull=False,
                checked_in_at__isnull=True,
                missed_check_in_at__isnull=True,
                starts_at__lte=now - grace,
                ends_at__gt=now,
            )
        ).select_related("venue", "assignee")
    )
    Shift.objects.filter(pk__in=[s.pk for s in shifts], missed_check_in_at__isnull=True).update(
        missed_check_in_at=now
    )
    messages = [
        PersonalMessage(
            staff=s.assignee,
            subject=subject_ref("shift", s.pk),
            title=_("【未签到】%(venue)s %(start)s")
            % {
                "venue": s.venue.name,
                "start": month_day_hhmm(s.starts_at),
            },
            body=_("%(who)s：%(venue)s 的值班已于 %(start)s 开始，尚未签到。请立即到岗并签到。")
            % {
                "who": one_line(s.assignee.name),
                "venue": one_line(s.venue.name),
                "start": month_day_hhmm(s.starts_at),
            },
            requires_ack=True,
            topic=subject_ref("shift", s.pk),
        )
        for s in shifts
        if s.assignee is not None
    ]
    if messages:
        notifications_queue(messages, kind=Notification.Kind.OVERDUE, now=now)
    return len(messages)


def duty_sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    rule = DutyRule.current()
    return {
        "warnings": shifts_warn(now),
        "reminders": shifts_remind(now, rule),
        "missed": shifts_mark_missed(now, rule),
    }
