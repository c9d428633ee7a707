"""The dashboard's rows needing attention first: overdue, faulty or kept out of the venue, a
device down, unanswered; each with its reasons, the failing devices and the venue's open fault."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from vcassure.meetings.models import SupportTask, overdue_q
from vcassure.meetings.selectors.probes import machine_reasons, venue_machine_down
from vcassure.meetings.selectors.rollups import UNANSWERED_STATES
from vcassure.meetings.selectors.tasks import BEFORE_READY, BEFORE_SITE

ATTENTION_LIMIT = 50

# The badge colour of a state, as meetings/_task_state.html has it (rows are coloured here, not
# through an include per row).
STATE_BADGE = {
    "faulty": "bad",
    "ready": "ok",
    "done": "ok",
    "restored": "ok",
    "in_meeting": "ok",
    "pending": "warn",
    "notified": "warn",
}


@dataclass(frozen=True, slots=True)
class AttentionTask:
    """The task of an attention row: what the row and its links need of it."""

    pk: int
    venue_id: int | None
    state: str
    on_site_due_at: datetime | None
    ready_due_at: datetime | None


def dashboard_attention(
    tasks: QuerySet[SupportTask],
    *,
    now: datetime,
    limit: int = ATTENTION_LIMIT,
    machine_down: bool = True,
) -> list[dict]:
    """The first `limit` tasks needing attention, overdue first (earliest deadline first), then
    faulty or kept out of the venue (an open venue-access report), then a device down, then
    unanswered; each with the reasons why, the machine's beside the people's (terminal
    unreachable, switch uplink down), and the venue's open fault with its clock (the restore
    deadline). Two queries; one more when a row's venue has an open fault, one more when a row's
    venue has a device down. `machine_down=False` (the roll-up found no device down) spares the
    test of every task's venue devices."""
    from vcassure.faults.models import Fault
    from vcassure.faults.selectors import open_faults_by_venue

    late = overdue_q(now)
    open_faults = Fault.objects.filter(venue_id=OuterRef("venue_id"), state__in=Fault.ACTIVE_STATES)
    blocked = Exists(open_faults.filter(source=Fault.Source.ACCESS))
    needs = late | Q(state="faulty") | Q(state__in=UNANSWERED_STATES) | Q(blocked)
    ranks = [When(late, then=Value(0)), When(Q(state="faulty") | Q(blocked), then=Value(1))]
    down: Exists | Value = Value(False)
    if machine_down:  # the roll-up counted a device down: test each task's venue
        down = venue_machine_down(now)
        needs |= Q(down)
        ranks.append(When(down, then=Value(2)))
    rank = Case(*ranks, default=Value(3))
    # The first `limit` picked among the tasks alone, as plain values; the database tests the
    # picked rows only for an open fault and a device down (the select list's tests come after the
    # sort and the limit). Then only those are joined to their venue, unit and assignee (joining
    # first made the database join every candidate, ~500 of 2,000).
    picked = list(
        tasks.filter(needs)
        .annotate(rank=rank, blocked=blocked, down=down, faulted=Exists(open_faults))
        .order_by("rank", "on_site_due_at", "org_unit__path", "id")
        .values_list("pk", "rank", "blocked", "down", "faulted")[:limit]
    )
    if not picked:
        return []
    shown = {
        row[0]: row[1:]
        for row in SupportTask.objects.filter(pk__in=[row[0] for row in picked])
        .order_by()
        .values_list(
            "pk",
            "venue_id",
            "state",
            "on_site_due_at",
            "ready_due_at",
            "venue__name",
            "org_unit__name",
            "assignee__name",
        )
    }
    faulted = {shown[row[0]][0] for row in picked if row[4] and row[0] in shown}
    faults = open_faults_by_venue(faulted) if faulted else {}
    # Which devices are down: asked only when a row's venue has one (most boards have none).
    down_venues = [shown[row[0]][0] for row in picked if row[3] and row[0] in shown]
    machines = machine_reasons(down_venues, now=now) if down_venues else {}
    rows = []
    for pk, rank_of, is_blocked, _is_down, _faulted in picked:
        if pk not in shown:  # moved out of the meeting between the two reads (cancelled, deleted)
            continue
        venue_id, state, on_site_due_at, ready_due_at, venue_name, unit_name, assignee = shown[pk]
        task = AttentionTask(pk, venue_id, state, on_site_due_at, ready_due_at)
        reasons: list[tuple[str, str]] = []
        if on_site_due_at and on_site_due_at < now and state in BEFORE_SITE:
            reasons.append(("missed_on_site", _("逾期未到场")))
        elif ready_due_at and ready_due_at < now and state in BEFORE_READY:
            reasons.append(("missed_ready", _("逾期未就绪")))
        if state == "faulty":
            reasons.append(("faulty", _("故障")))
        if is_blocked:
            reasons.append(("access", _("无法进入会场")))
        if state in UNANSWERED_STATES:
            reasons.append(("unanswered", _("未确认")))
        machine = [
            (f"{kind}_{failure}", machine_label(kind, failure))
            for kind, failure in (machines.get(venue_id, []) if venue_id else [])
        ]
        fault = faults.get(venue_id) if venue_id is not None else None
        is_overdue = rank_of == 0
        # What the row shows, ready to print: a template lookup through a dict is the fast one.
        rows.append(
            {
                "task": task,
                "reasons": reasons,
                "machine": machine,
                "is_overdue": is_overdue,
                "is_bad": bool(is_overdue or state == "faulty" or fault or machine),
                "venue_name": venue_name or "",
                "unit_name": unit_name,
                "assignee_name": assignee or "",
                "state_label": SupportTask.State(state).label,
                "state_class": STATE_BADGE.get(state, ""),
                # The deadline missed, or the next one: the ready deadline once on site.
                "due_at": (
                    ready_due_at if reasons and reasons[0][0] == "missed_ready" else on_site_due_at
                ),
                "fault": fault,
                "fault_late": bool(
                    fault is not None and fault.restore_due_at and fault.restore_due_at < now
                ),
            }
        )
    return rows


def machine_label(kind: str, failure: str) -> str:
    """What a dispatcher reads of a failing device: 终端不可达, 交换机上联中断…"""
    device = _("终端") if kind == "terminal" else _("交换机")
    if failure == "uplink_down":
        return _("%(kind)s上联中断") % {"kind": device}
    if failure == "auth":
        return _("%(kind)s探测认证失败") % {"kind": device}
    return _("%(kind)s不可达") % {"kind": device}
