"""Readiness probes of a meeting's venues (C13): which devices a meeting depends on, the T−60 and
T−30 rounds (notify at T−60, open faults at T−30) and on-demand runs. The probes app knows no
meetings: it is handed a list of devices and a round label."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.subjects import meeting_ref, task_ref
from vcassure.core.timefmt import month_day_hhmm
from vcassure.faults.models import Fault
from vcassure.faults.services import fault_open
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.notifications.channels import escaping
from vcassure.notifications.models import Notification
from vcassure.notifications.services import PersonalMessage, notifications_queue
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.probes import selectors as probe_selectors
from vcassure.probes import services as probe_services
from vcassure.probes.models import ProbeResult
from vcassure.venues.models import Equipment

log = logging.getLogger(__name__)

ROUNDS = {"t60": timedelta(minutes=60), "t30": timedelta(minutes=30)}
DIGEST_ROWS = 30


def round_label(meeting: Meeting, name: str) -> str:
    return f"{meeting_ref(meeting.pk)}:{name}"


def meeting_venue_tasks(meeting: Meeting) -> dict[int, SupportTask]:
    """The meeting's live venue tasks by venue id."""
    tasks = (
        SupportTask.objects.filter(
            meeting=meeting, kind=SupportTask.Kind.VENUE, venue__isnull=False
        )
        .exclude(state=SupportTask.State.CANCELLED)
        .select_related("venue__org_unit", "assignee")
    )
    return {t.venue_id: t for t in tasks if t.venue_id is not None}


def meeting_equipment(meeting: Meeting) -> list[Equipment]:
    """The terminals and access switches with a management address at the meeting's venues."""
    venue_ids = SupportTask.objects.filter(
        meeting=meeting, kind=SupportTask.Kind.VENUE, venue__isnull=False
    ).exclude(state=SupportTask.State.CANCELLED)
    return list(probe_selectors.probeable_equipment(venue_ids.values("venue_id")))


def severity_for(time_left: timedelta) -> str:
    """The less time before the meeting, the more severe a device still failing."""
    if time_left <= timedelta(minutes=30):
        return Fault.Severity.CRITICAL
    if time_left <= timedelta(minutes=60):
        return Fault.Severity.MAJOR
    return Fault.Severity.MINOR


def failure_text(result: ProbeResult) -> str:
    kind = result.equipment.get_kind_display()
    return _("%(kind)s %(ip)s：%(why)s") % {
        "kind": kind,
        "ip": result.equipment.management_ip,
        "why": result.get_failure_display() or result.error,
    }


def _county_maintainers(units: set[int]) -> dict[int, list[Staff]]:
    """For each org unit, who answers for it in its county's technical maintenance department:
    the department's head, or its active staff when it has no head. Three queries."""
    paths = dict(OrgUnit.objects.filter(pk__in=units).values_list("pk", "path"))
    chains = {pk: OrgUnit.path_ids(path) for pk, path in paths.items()}
    counties = set(
        OrgUnit.objects.filter(
            pk__in={i for chain in chains.values() for i in chain}, level="county"
        ).values_list("pk", flat=True)
    )
    departments = {
        d.org_unit_id: d
        for d in Department.objects.filter(
            org_unit_id__in=counties, kind=Department.Kind.TECH_MAINTENANCE
        ).select_related("head")
    }
    staff_of: dict[int, list[Staff]] = defaultdict(list)
    headless = [d.pk for d in departments.values() if d.head is None or not d.head.is_active]
    for s in Staff.objects.filter(department_id__in=headless, is_active=True):
        staff_of[s.department_id].append(s)  # type: ignore[index]
    out: dict[int, list[Staff]] = {}
    for unit, chain in chains.items():
        county = next((i for i in chain if i in counties), None)
        dept = departments.get(county) if county else None
        if dept is None:
            out[unit] = []
        elif dept.head is not None and dept.head.is_active:
            out[unit] = [dept.head]
        else:
            out[unit] = staff_of.get(dept.pk, [])
    return out


@dataclass
class Digest:
    staff: Staff
    subject: str
    lines: list[str] = field(default_factory=list)


def notify_failures(meeting: Meeting, failed: list[ProbeResult], tasks: dict) -> int:
    """ONE message per person (the venue's person, the county's technical maintenance) listing
    every failing device they answer for. Returns the number of messages."""
    if not failed:
        return 0
    maintainers = _county_maintainers({r.equipment.venue.org_unit_id for r in failed})
    digests: dict[int, Digest] = {}
    for r in failed:
        venue = r.equipment.venue
        task = tasks.get(venue.pk)
        line = f"- {escaping.one_line(venue.name)} · {escaping.one_line(failure_text(r))}"
        people = list(maintainers.get(venue.org_unit_id, []))
        if task is not None and task.assignee is not None:
            people.append(task.assignee)
        for person in people:
            subject = (
                task_ref(task.pk)
                if task is not None and person.pk == task.assignee_id
                else meeting_ref(meeting.pk)
            )
            digest = digests.setdefault(person.pk, Digest(person, subject))
            if line not in digest.lines:
                digest.lines.append(line)
    title = _("设备探测异常 %(t)s") % {"t": meeting.title}
    messages = []
    for d in digests.values():
        body = [
            _("会前设备探测发现以下设备异常，请在开会前处理："),
            _("会议：%(t)s，%(s)s 开始")
            % {
                "t": escaping.one_line(meeting.title),
                "s": month_day_hhmm(meeting.starts_at),
            },
            *d.lines[:DIGEST_ROWS],
        ]
        if len(d.lines) > DIGEST_ROWS:
            body.append(_("……另有 %(n)s 台设备。") % {"n": len(d.lines) - DIGEST_ROWS})
        messages.append(
            PersonalMessage(
                staff=d.staff,
                subject=d.subject,
                title=title,
                body="\n".join(body),
                requires_ack=False,
            )
        )
    notifications_queue(messages, topic=meeting_ref(meeting.pk), kind=Notification.Kind.INFO)
    return len(messages)


def open_faults(meeting: Meeting, failed: list[ProbeResult], tasks: dict, *, now: datetime) -> int:
    """One fault per failing device, once per meeting (the task's subject and the device name the
    fault); severity by the time left before the meeting starts."""
    severity = severity_for(meeting.starts_at - now)
    opened = 0
    for r in failed:
        venue = r.equipment.venue
        task = tasks.get(venue.pk)
        subject = task_ref(task.pk) if task is not None else meeting_ref(meeting.pk)
        title = _("%(venue)s %(what)s") % {"venue": venue.name, "what": failure_text(r)}
        if Fault.objects.filter(
            source=Fault.Source.PROBE, subject=subject, title=title[:200]
        ).exists():
            continue
        fault_open(
            title=title,
            source=Fault.Source.PROBE,
            org_unit=venue.org_unit,
            venue=venue,
            subject=subject,
            severity=severity,
            description=r.error,
            by=None,
        )
        opened += 1
    return opened


@dataclass
class RoundOutcome:
    ran: bool
    devices: int = 0
    failed: int = 0
    notices: int = 0
    faults: int = 0


def meeting_probes_run(meeting: Meeting, *, round_name: str = "") -> RoundOutcome:
    """Probe every device of the meeting's venues now. `t60`: notify who must act about failing
    devices; `t30`: open a fault per failing device. A named round runs once per meeting; an
    unnamed one (on demand) only records results."""
    now = clock.now()
    label = round_label(meeting, round_name) if round_name else ""
    outcome = probe_services.probes_run(meeting_equipment(meeting), label=label)
    if label and outcome.run is None:
        return RoundOutcome(ran=False)
    failed = outcome.failed
    result = RoundOutcome(ran=True, devices=len(outcome.results), failed=len(failed))
    if failed and round_name:
        tasks = meeting_venue_tasks(meeting)
        with transaction.atomic():
            if round_name == "t60":
                result.notices = notify_failures(meeting, failed, tasks)
            elif round_name == "t30":
                result.faults = open_faults(meeting, failed, tasks, now=now)
    log.info(
        "probes %s %s: %s devices, %s failed",
        meeting_ref(meeting.pk),
        round_name or "now",
        result.devices,
        result.failed,
    )
    return result


_runner = None


def register_probes_runner(task):
    """The queue task that probes a meeting on demand registers here (meetings/tasks.py), so that
    callers below the task layer can ask for a run without importing it."""
    global _runner
    _runner = task
    return task


def meeting_probes_request(meeting: Meeting) -> int:
    """Probe the meeting's devices soon, in the worker; returns how many devices it has."""
    devices = len(meeting_equipment(meeting))
    if _runner is None:  # no queue loaded (a script): probe here
        meeting_probes_run(meeting)
    else:
        transaction.on_commit(lambda: _runner(meeting.pk))
    return devices


def meeting_probes_sweep(now: datetime | None = None) -> dict[str, int]:
    """Every minute: run the T−60 and T−30 rounds that are due and not yet run. A meeting
    published after T−30 gets the T−30 round only."""
    now = now or clock.now()
    meetings = Meeting.objects.filter(
        state=Meeting.State.PUBLISHED,
        starts_at__gt=now,
        starts_at__lte=now + ROUNDS["t60"],
    ).select_related("system")
    counts = {"rounds": 0, "faults": 0, "notices": 0}
    for meeting in meetings:
        left = meeting.starts_at - now
        name = "t30" if left <= ROUNDS["t30"] else "t60"
        if name == "t60" and probe_selectors.run_exists(round_label(meeting, "t60")):
            continue
        if name == "t30" and probe_selectors.run_exists(round_label(meeting, "t30")):
            continue
        outcome = meeting_probes_run(meeting, round_name=name)
        counts["rounds"] += int(outcome.ran)
        counts["faults"] += outcome.faults
        counts["notices"] += outcome.notices
    return counts
