"""One meeting's report (C12, SPEC §6.2): answers against their deadlines, on site and ready
against R10, ready before the start, faults with MTTA/MTTR, escalations, evidence, the timeline and
the sign-off. Rows are the caller's scope only (a county sees its own venues). A fixed number of
queries whatever the number of venues."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vcassure.accounts.types import UserLike
from vcassure.checklists.models import StepPhoto, StepResult
from vcassure.core.subjects import meeting_ref, task_id_of
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.notifications.models import Notification, PhoneCallTask
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import in_scope
from vcassure.reports.selectors._common import (
    ack_status,
    due_status,
    mean,
    minutes,
    rate,
    task_ref_expr,
)

CHANNEL_LABELS = {
    "im": gettext_lazy("即时消息(10 分钟)"),
    "office": gettext_lazy("OA/短信/邮件(2 个工作小时)"),
}


@dataclass
class MeetingReport:
    meeting: Meeting
    summary: dict
    venues: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    channels: list[dict] = field(default_factory=list)
    faults: list[dict] = field(default_factory=list)
    coordination: list[dict] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)
    evidence: dict = field(default_factory=dict)
    escalations: dict = field(default_factory=dict)
    signed_off: dict = field(default_factory=dict)
    milestones: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        """SPEC §6.2's fields first, then the rest."""
        return {
            **self.summary,
            "by_unit": self.units,
            "by_channel": self.channels,
            "meeting": self.meeting.pk,
            "title": self.meeting.title,
            "state": self.meeting.state,
            "starts_at": self.meeting.starts_at,
            "ends_at": self.meeting.ends_at,
            "milestones": self.milestones,
            "escalations": self.escalations,
            "evidence": self.evidence,
            "fault_list": self.faults,
            "coordination": self.coordination,
            "timeline": self.timeline,
            "signed_off": self.signed_off,
        }


def _empty_counts() -> Counter:
    return Counter()


def _count_into(counts: Counter, row: dict) -> None:
    counts["venues"] += 1
    counts[f"acknowledged_{row['ack']}"] += 1
    counts[f"on_site_{row['on_site']}"] += 1
    counts[f"ready_due_{row['ready_due']}"] += 1
    counts[f"ready_start_{row['ready_start']}"] += 1
    counts["shutdown"] += 1 if row["shutdown_at"] else 0
    counts["faults"] += row["faults"]


def _summary_of(c: Counter) -> dict:
    return {
        "venues": c["venues"],
        "acknowledged_on_time": c["acknowledged_on_time"],
        "acknowledged_late": c["acknowledged_late"],
        "unanswered": c["acknowledged_never"],
        "on_site_on_time": c["on_site_on_time"],
        "on_site_late": c["on_site_late"],
        "never_on_site": c["on_site_never"],
        "ready_on_time": c["ready_due_on_time"],
        "ready_before_start": c["ready_start_on_time"],
        "ready_late": c["ready_start_late"],
        "not_ready": c["ready_start_never"],
        "shutdown_recorded": c["shutdown"],
        "faults": c["faults"],
        "ack_on_time_rate": rate(c["acknowledged_on_time"], c["venues"]),
        "ready_before_start_rate": rate(c["ready_start_on_time"], c["venues"]),
    }


def meeting_report(meeting: Meeting, *, user: UserLike) -> MeetingReport:
    """`meeting` was fetched through meeting_get (in the caller's scope)."""
    visible = SupportTask.objects.visible_to(user).filter(meeting=meeting)
    refs = visible.values_list(task_ref_expr(), flat=True)
    tasks = list(
        visible.exclude(state=SupportTask.State.CANCELLED)
        .select_related("venue", "assignee", "org_unit", "department", "completion__completed_by")
        .order_by("org_unit__path", "id")
    )
    venue_tasks = [t for t in tasks if t.kind == SupportTask.Kind.VENUE]
    coordination = [t for t in tasks if t.kind == SupportTask.Kind.COORDINATION]
    visible_ids = {t.pk for t in tasks}

    notices = list(
        Notification.objects.filter(topic=meeting_ref(meeting.pk), kind=Notification.Kind.PUBLISHED)
        .order_by("id")
        .values_list("subject", "recipient_id", "ack_class", "ack_due_at", "acknowledged_at")
    )
    ack_due: dict[int, datetime | None] = {}
    channel_counts: dict[str, Counter] = defaultdict(Counter)
    for subject, _recipient, ack_class, due, acknowledged_at in notices:
        task_id = task_id_of(subject)
        if task_id is None or task_id not in visible_ids:
            continue
        ack_due.setdefault(task_id, due)
        c = channel_counts[ack_class]
        c["notices"] += 1
        c[ack_status(acknowledged_at, due)] += 1

    faults = list(
        Fault.objects.filter(subject__in=refs)
        .select_related("venue", "assigned_department")
        .order_by("opened_at", "id")
    )
    faults_by_task: Counter = Counter(task_id_of(f.subject) for f in faults)

    photos_by_task: Counter = Counter()
    for subject, n in (
        StepPhoto.objects.filter(result__run__subject__in=refs)
        .values_list("result__run__subject")
        .annotate(n=Count("id"))
        .order_by()
    ):
        photos_by_task[task_id_of(subject)] += n
    latest: dict[tuple[str, int], tuple[str, str]] = {}
    for subject, number, title, result in (
        StepResult.objects.filter(run__subject__in=refs)
        .order_by("recorded_at", "id")
        .values_list("run__subject", "step__number", "step__title", "result")
    ):
        latest[(subject, number)] = (title, result)
    steps: dict[int, dict] = {}
    checks_by_task: dict[int | None, Counter] = defaultdict(Counter)
    for (subject, number), (title, result) in latest.items():
        row = steps.setdefault(number, {"number": number, "title": title, "pass": 0, "fail": 0})
        row[result] += 1
        checks_by_task[task_id_of(subject)][result] += 1

    escalation_counts = dict(
        Notification.objects.filter(
            topic=meeting_ref(meeting.pk),
            subject__in=refs,
            kind__in=[Notification.Kind.ESCALATION, Notification.Kind.OVERDUE],
        )
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    phone_calls = PhoneCallTask.objects.filter(
        notification__topic=meeting_ref(meeting.pk), notification__subject__in=refs
    ).count()

    # Venue rows and the roll-ups by unit.
    unit_ids: set[int] = set()
    rows: list[dict] = []
    for t in venue_tasks:
        chain = OrgUnit.path_ids(t.org_unit.path)
        unit_ids.update(chain[1:3])
        due = ack_due.get(t.pk)
        checks = checks_by_task.get(t.pk, Counter())
        rows.append(
            {
                "task": t.pk,
                "venue": t.venue.name if t.venue else "",
                "venue_code": t.venue.code if t.venue else "",
                "is_main": t.role == SupportTask.Role.MAIN_VENUE,
                "org_unit": t.org_unit.name,
                "chain": chain,
                "assignee": t.assignee.name if t.assignee else "",
                "state": t.state,
                "state_label": t.get_state_display(),
                "ack_due_at": due,
                "acknowledged_at": t.acknowledged_at,
                "ack": ack_status(t.acknowledged_at, due),
                "on_site_due_at": t.on_site_due_at,
                "checked_in_at": t.checked_in_at,
                "on_site": due_status(t.checked_in_at, t.on_site_due_at),
                "ready_due_at": t.ready_due_at,
                "ready_at": t.ready_at,
                "ready_due": due_status(t.ready_at, t.ready_due_at),
                "ready_start": due_status(t.ready_at, meeting.starts_at),
                "shutdown_at": t.done_at,
                "faults": faults_by_task.get(t.pk, 0),
                "photos": photos_by_task.get(t.pk, 0),
                "checks_passed": checks["pass"],
                "checks_failed": checks["fail"],
            }
        )
    names, levels, paths = {}, {}, {}
    for pk, name, level, path in OrgUnit.objects.filter(pk__in=unit_ids).values_list(
        "id", "name", "level", "path"
    ):
        names[pk], levels[pk], paths[pk] = name, level, path
    per_unit: dict[int, Counter] = defaultdict(_empty_counts)
    total: Counter = Counter()
    for row in rows:
        _count_into(total, row)
        for unit_id in row["chain"][1:3]:
            _count_into(per_unit[unit_id], row)
        chain = row.pop("chain")
        row["city"] = names.get(chain[1], "") if len(chain) > 1 else ""
        row["county"] = names.get(chain[2], "") if len(chain) > 2 else ""
    units = [
        {
            "org_unit": unit_id,
            "name": names.get(unit_id, ""),
            "level": levels.get(unit_id, ""),
            **_summary_of(c),
        }
        for unit_id, c in sorted(per_unit.items(), key=lambda kv: paths.get(kv[0], ""))
        if in_scope(user, paths.get(unit_id, ""))
    ]
    fault_rows = [
        {
            "id": f.pk,
            "title": f.title,
            "venue": f.venue.name if f.venue else "",
            "severity": f.get_severity_display(),
            "state": f.state,
            "state_label": f.get_state_display(),
            "opened_at": f.opened_at,
            "acknowledged_at": f.acknowledged_at,
            "restored_at": f.restored_at,
            "ack_minutes": _round(minutes(f.opened_at, f.acknowledged_at)),
            "restore_minutes": _round(minutes(f.opened_at, f.restored_at)),
        }
        for f in faults
    ]
    summary = _summary_of(total)
    summary["faults"] = len(faults)
    summary["mtta_minutes"] = mean(
        [m for f in faults if (m := minutes(f.opened_at, f.acknowledged_at)) is not None]
    )
    summary["mttr_minutes"] = mean(
        [m for f in faults if (m := minutes(f.opened_at, f.restored_at)) is not None]
    )
    channels = [
        {
            "channel_class": cls,
            "label": str(CHANNEL_LABELS[cls]),
            "notices": channel_counts[cls]["notices"],
            "answered_on_time": channel_counts[cls]["on_time"],
            "answered_late": channel_counts[cls]["late"],
            "unanswered": channel_counts[cls]["never"],
            "on_time_rate": rate(channel_counts[cls]["on_time"], channel_counts[cls]["notices"]),
        }
        for cls in ("im", "office")
    ]
    events = list(meeting.events.select_related("actor").order_by("at", "id"))
    acks = [t.acknowledged_at for t in venue_tasks]
    readies = [t.ready_at for t in venue_tasks]
    published_at = meeting.published_at
    milestones = {
        "notice_received_at": meeting.created_at,
        "published_at": published_at,
        "all_acknowledged_at": max(acks) if acks and all(acks) else None,  # type: ignore[type-var]
        "all_ready_at": max(readies) if readies and all(readies) else None,  # type: ignore[type-var]
        "started_at": next((e.at for e in events if e.kind == "started"), None),
        "ended_at": next((e.at for e in events if e.kind == "ended"), None),
        "closed_at": meeting.closed_at,
    }
    timeline: list[dict[str, Any]] = [
        {
            "at": e.at,
            "kind": e.kind,
            "label": e.get_kind_display(),
            "actor": (e.actor.get_full_name() or e.actor.username) if e.actor else "",
        }
        for e in events
    ]
    if milestones["all_acknowledged_at"]:
        timeline.append(
            {
                "at": milestones["all_acknowledged_at"],
                "kind": "all_acknowledged",
                "label": _("全部确认"),
                "actor": "",
            }
        )
    if milestones["all_ready_at"]:
        timeline.append(
            {
                "at": milestones["all_ready_at"],
                "kind": "all_ready",
                "label": _("全部就绪"),
                "actor": "",
            }
        )
    timeline.sort(key=lambda e: e["at"])
    closer = meeting.closed_by
    return MeetingReport(
        meeting=meeting,
        summary=summary,
        venues=rows,
        units=units,
        channels=channels,
        faults=fault_rows,
        coordination=[
            {
                "task": t.pk,
                "org_unit": t.org_unit.name,
                "role": t.role,
                "role_label": t.get_role_display(),
                "department": t.department.name if t.department else "",
                "state": t.state,
                "state_label": t.get_state_display(),
                "acknowledged_at": t.acknowledged_at,
                "done_at": t.done_at,
                "details": getattr(getattr(t, "completion", None), "details", {}) or {},
                "note": getattr(getattr(t, "completion", None), "note", "") or "",
            }
            for t in coordination
        ],
        timeline=timeline,
        evidence={
            "photos": sum(photos_by_task.values()),
            "steps": [steps[n] for n in sorted(steps)],
        },
        escalations={
            "escalations": escalation_counts.get(Notification.Kind.ESCALATION, 0),
            "overdue_reminders": escalation_counts.get(Notification.Kind.OVERDUE, 0),
            "phone_calls": phone_calls,
        },
        signed_off={
            "by": (closer.get_full_name() or closer.username) if closer else "",
            "at": meeting.closed_at,
            "note": meeting.close_note,
        },
        milestones=milestones,
    )


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None
