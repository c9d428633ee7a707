"""Data and steps shared by the benchmark scenarios (imported after django.setup())."""

import contextlib
from datetime import timedelta

from django.db import transaction

from vcassure.accounts.models import Role, User
from vcassure.core import clock
from vcassure.meetings import services
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
    user, _ = User.objects.get_or_create(username="bench", defaults={"role": Role.ADMIN, "is_superuser": True})
    return user


def bulk_venues(n: int) -> list[int]:
    """n branch venues of the general system spread over the demo townships (two per township
    where there are more venues than townships), created once per database."""
    system = CustomerSystem.objects.get(code=BENCH_SYSTEM)
    existing = list(Venue.objects.filter(system=system, code__startswith="BENCH-").order_by("id").values_list("id", flat=True))
    if len(existing) < n:
        townships = list(OrgUnit.objects.filter(level="township").order_by("code"))
        primary = dict(Staff.objects.filter(org_unit__level="township").values_list("org_unit_id", "id"))
        rows = []
        for i in range(len(existing), n):
            unit = townships[i % len(townships)]
            rows.append(Venue(code=f"BENCH-{i:05d}", name=f"{unit.name}会商室{i // len(townships) + 1}", system=system,
                              org_unit=unit, role=Venue.Role.BRANCH, primary_staff_id=primary.get(unit.pk)))
        Venue.objects.bulk_create(rows, batch_size=500)
        existing = list(Venue.objects.filter(system=system, code__startswith="BENCH-").order_by("id").values_list("id", flat=True))
    return existing[:n]


def meeting_draft(user: User, venue_ids: list[int]):
    start = (clock.localnow() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    return services.meeting_create(
        by=user, system=BENCH_SYSTEM, title="全省视频会商(基准测试)", starts_at=start, ends_at=start + timedelta(hours=2),
        importance="important", notice_ref="基准〔2026〕1号", venues=venue_ids,
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
        rows.append(Notification(
            recipient_id=staff_ids[i % len(staff_ids)], kind="published", topic="bench:sweeper", subject=f"bench:{i}",
            title="基准", body="基准", ack_class="im", ack_due_at=ack_due, next_escalation_at=ack_due,
            escalation_steps=EscalationPolicy.DEFAULT_STEPS, created_at=now,
        ))
    Notification.objects.bulk_create(rows, batch_size=2000)
    return due
