"""Data and steps shared by the benchmark scenarios (imported after django.setup())."""

import contextlib
import functools
from datetime import timedelta

from django.db import transaction
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from vcassure.accounts.models import Role, User
from vcassure.core import clock
from vcassure.meetings import services
from vcassure.meetings.models import SupportTask, TaskTransition
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.venues.models import CustomerSystem, Venue

BENCH_SYSTEM = "general"


@contextlib.contextmanager
def rollback():
    """Run a block in a transaction that is always rolled back, so runs don't pile up."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def bench_user() -> User:
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"role": Role.ADMIN, "is_superuser": True}
    )
    return user


def bulk_venues(n: int) -> list[int]:
    """n branch venues of the general system spread over the demo townships (two per township
    where there are more venues than townships), created once per database."""
    system = CustomerSystem.objects.get(code=BENCH_SYSTEM)
    existing = list(
        Venue.objects.filter(system=system, code__startswith="BENCH-")
        .order_by("id")
        .values_list("id", flat=True)
    )
    if len(existing) < n:
        townships = list(OrgUnit.objects.filter(level="township").order_by("code"))
        primary = dict(
            Staff.objects.filter(org_unit__level="township").values_list("org_unit_id", "id")
        )
        rows = []
        for i in range(len(existing), n):
            unit = townships[i % len(townships)]
            rows.append(
                Venue(
                    code=f"BENCH-{i:05d}",
                    name=f"{unit.name}会商室{i // len(townships) + 1}",
                    system=system,
                    org_unit=unit,
                    role=Venue.Role.BRANCH,
                    primary_staff_id=primary.get(unit.pk),
                )
            )
        Venue.objects.bulk_create(rows, batch_size=500)
        existing = list(
            Venue.objects.filter(system=system, code__startswith="BENCH-")
            .order_by("id")
            .values_list("id", flat=True)
        )
    return existing[:n]


def meeting_draft(user: User, venue_ids: list[int], *, starts_in: timedelta | None = None):
    if starts_in is None:
        start = (clock.localnow() + timedelta(days=3)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
    else:
        start = (clock.localnow() + starts_in).replace(second=0, microsecond=0)
    return services.meeting_create(
        by=user,
        system=BENCH_SYSTEM,
        title="全省视频会商(基准测试)",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        importance="important",
        notice_ref="基准〔2026〕1号",
        venues=venue_ids,
    )


def publish(user: User, meeting) -> int:
    _meeting, plan = services.meeting_publish(meeting, by=user, confirm_shortfalls=True)
    return len(plan.tasks)


def open_timers(n: int, due_fraction: float) -> int:
    """n unanswered notices with escalation timers, `due_fraction` of them already due; bulk-made."""
    from vcassure.notifications.models import EscalationPolicy, Notification

    now = clock.now()
    staff_ids = list(Staff.objects.filter(is_active=True).values_list("id", flat=True)[:500])
    due = int(n * due_fraction)
    rows = []
    for i in range(n):
        ack_due = now - timedelta(minutes=1) if i < due else now + timedelta(hours=2)
        rows.append(
            Notification(
                recipient_id=staff_ids[i % len(staff_ids)],
                kind="published",
                topic="bench:sweeper",
                subject=f"bench:{i}",
                title="基准",
                body="基准",
                ack_class="im",
                ack_due_at=ack_due,
                next_escalation_at=ack_due,
                escalation_steps=EscalationPolicy.DEFAULT_STEPS,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=2000)
    return due


# --- The dashboard scenario: a realistic spread of venue states, and the bare baseline ---

# 45 minutes before an important meeting (on site due T−120, ready due T−30): most venues on site or
# ready, some still unanswered or only acknowledged (so overdue), a few faulty. Weights sum to 100.
STATE_SPREAD = [
    ("ready", 55),
    ("on_site", 18),
    ("acknowledged", 8),
    ("notified", 8),
    ("pending", 4),
    ("faulty", 4),
    ("restored", 2),
    ("cancelled", 1),
]


def spread_states(meeting) -> dict[str, int]:
    """Move the meeting's venue tasks to STATE_SPREAD with one bulk UPDATE per state (spread over
    every unit by a stride), and write one transition per move for the timeline."""
    pattern = [state for state, weight in STATE_SPREAD for _ in range(weight)]
    ids = list(
        SupportTask.objects.filter(meeting=meeting, kind="venue")
        .order_by("id")
        .values_list("id", flat=True)
    )
    buckets: dict[str, list[int]] = {}
    for i, pk in enumerate(ids):
        buckets.setdefault(pattern[(i * 37) % len(pattern)], []).append(pk)
    now = clock.now()
    moves = []
    for state, pks in buckets.items():
        fields = {"state": state, "updated_at": now}
        if state not in ("pending", "notified"):
            fields["acknowledged_at"] = now - timedelta(minutes=30)
        if state in ("on_site", "ready", "faulty", "restored"):
            fields["checked_in_at"] = now - timedelta(minutes=20)
        if state == "ready":
            fields["ready_at"] = now - timedelta(minutes=5)
        SupportTask.objects.filter(pk__in=pks).update(**fields)
        if state != "pending":
            moves += [
                TaskTransition(
                    task_id=pk, meeting_id=meeting.pk, from_state="pending", to_state=state, at=now
                )
                for pk in pks
            ]
    TaskTransition.objects.bulk_create(moves, batch_size=500)
    return {state: len(pks) for state, pks in buckets.items()}


BARE_TABLE = """<!DOCTYPE html><html><head><title>bench</title></head><body><table>
<thead><tr><th>会场</th><th>组织单元</th><th>负责人</th><th>状态</th><th>到场时限</th><th>就绪时限</th></tr></thead>
<tbody>{% for t in tasks %}<tr><td>{{ t.venue.name }}</td><td>{{ t.org_unit.name }}</td><td>{{ t.assignee.name }}</td>
<td>{{ t.get_state_display }}</td><td>{{ t.on_site_due_at|date:"H:i" }}</td><td>{{ t.ready_due_at|date:"H:i" }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


@functools.cache
def _bare_template():
    return engines["django"].from_string(BARE_TABLE)  # compiled once, as the cached loader would


def bare_rows(request, pk: int) -> HttpResponse:
    """The baseline: every venue task of the meeting as a table row, through a bare Django template."""
    tasks = (
        SupportTask.objects.filter(meeting_id=pk, kind="venue")
        .select_related("venue", "org_unit", "assignee")
        .order_by("org_unit__path", "id")
    )
    return HttpResponse(_bare_template().render({"tasks": tasks}, request))


# The URLconf the dashboard scenario runs under: the project's, plus the baseline view.
urlpatterns = [path("bench/rows/<int:pk>/", bare_rows), path("", include("config.urls"))]


# --- The acknowledgement burst: personal links of a published meeting, and cleaning up after ---


def ack_burst_tokens(meetings: list, n: int) -> list[str]:
    """n personal acknowledgement links (tokens) of the meetings' notices, as their recipients
    received them (a person covers one venue per meeting, so 2,000 links take two meetings of the
    demo province)."""
    from vcassure.notifications import tokens
    from vcassure.notifications.models import Notification

    notices = list(
        Notification.objects.filter(
            topic__in=[f"meeting:{m.pk}" for m in meetings], requires_ack=True, kind="published"
        )
        .order_by("id")
        .only("id", "recipient_id", "token_nonce")[:n]
    )
    assert len(notices) == n, (len(notices), n)
    return [
        tokens.make_token(notification_id=x.pk, staff_id=x.recipient_id, nonce=x.token_nonce)
        for x in notices
    ]


def ack_burst_cleanup(meeting_ids: list[int]) -> int:
    """Remove what the burst runs committed (meetings, their notices, the bench's audit rows), so that
    a reused database does not grow; returns how many tasks (venue and coordination) had been
    acknowledged."""
    from vcassure.core.models import AuditEvent
    from vcassure.meetings.models import Meeting
    from vcassure.notifications.models import Delivery, Notification

    acknowledged = SupportTask.objects.filter(
        meeting_id__in=meeting_ids, state="acknowledged"
    ).count()
    with transaction.atomic():
        notices = Notification.objects.filter(topic__in=[f"meeting:{pk}" for pk in meeting_ids])
        # The group digests belong to no notice: delete them too, or they stay due in a reused database.
        Delivery.objects.filter(topic__in=[f"meeting:{pk}" for pk in meeting_ids]).delete()
        AuditEvent.objects.filter(
            object_type="notifications.notification",
            object_id__in=[str(pk) for pk in notices.values_list("id", flat=True)],
        ).delete()
        AuditEvent.objects.filter(action="bench.baseline").delete()
        AuditEvent.objects.filter(
            object_type="meetings.meeting", object_id__in=[str(pk) for pk in meeting_ids]
        ).delete()
        notices.delete()
        Meeting.objects.filter(pk__in=meeting_ids).delete()
    return acknowledged
