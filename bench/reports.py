"""Report scenarios (SPEC §4 second wave): the report of a 2,000-venue meeting as page, Excel and
PDF, and the monthly KPIs over 200 meetings, each against the bare baseline of the dashboard
scenario (a plain 2,000-row Django template)."""

import random
import statistics
import time
from datetime import date, datetime, timedelta

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone


def _median(fn, repeat: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), samples


def _bare(tasks) -> float:
    from bench.scenarios import _bare_template

    template = _bare_template()
    median, _samples = _median(lambda: template.render({"tasks": tasks}), 3)
    return median


def _row(name, median, base, samples, target, limit):
    return {
        "scenario": name,
        "median_s": round(median, 3),
        "baseline_median_s": round(base, 3),
        "ratio": round(median / base, 1) if base else None,
        "samples_s": [round(s, 3) for s in samples],
        "target": target,
        "meets_target": median <= limit,
    }


def scenario_report(n_venues: int, repeat: int) -> list[dict]:
    from bench.scenarios import (
        bench_user,
        bulk_venues,
        meeting_draft,
        publish,
        rollback,
        spread_states,
    )
    from vcassure.meetings.models import SupportTask
    from vcassure.meetings.selectors import meeting_get
    from vcassure.reports.exports.workbook import report_workbook
    from vcassure.reports.files import page_context, report_file
    from vcassure.reports.selectors import meeting_report

    user = bench_user()
    venue_ids = bulk_venues(n_venues)
    results = []
    with rollback():
        meeting = meeting_draft(user, venue_ids)
        publish(user, meeting)
        spread_states(meeting)
        request = RequestFactory().get("/")
        request.user = user

        def page():
            m = meeting_get(user=user, pk=meeting.pk)
            render_to_string(
                "reports/meeting_report.html",
                page_context(meeting_report(m, user=user)),
                request=request,
            )

        def excel():
            m = meeting_get(user=user, pk=meeting.pk)
            report_workbook(meeting_report(m, user=user))

        def pdf():
            m = meeting_get(user=user, pk=meeting.pk)
            report_file(meeting_report(m, user=user), "pdf")

        tasks = list(
            SupportTask.objects.filter(meeting=meeting, kind="venue").select_related(
                "venue", "org_unit", "assignee"
            )
        )
        base = _bare(tasks)
        for name, fn, target, limit, times in (
            (f"report_page_{n_venues}", page, "≤ 1 s", 1.0, repeat),
            (f"report_xlsx_{n_venues}", excel, "≤ 3 s", 3.0, min(repeat, 3)),
            (f"report_pdf_{n_venues}", pdf, "≤ 5 s", 5.0, min(repeat, 3)),
        ):
            median, samples = _median(fn, times)
            results.append(_row(name, median, base, samples, target, limit))
    return results


def scenario_kpis(n_meetings: int, repeat: int, venues_per_meeting: int = 40) -> dict:
    """200 ended meetings of one month (bulk rows: 40 venue tasks each, their notices and a fault
    in twenty), then the KPI table per city."""
    from bench.scenarios import bench_user, bulk_venues, rollback
    from vcassure.core.subjects import meeting_ref, task_ref
    from vcassure.faults.models import Fault
    from vcassure.meetings.models import Meeting, SupportTask
    from vcassure.notifications.models import Notification
    from vcassure.orgs.models import OrgUnit
    from vcassure.reports.selectors import kpi_table
    from vcassure.venues.models import CustomerSystem, Venue

    user = bench_user()
    rng = random.Random(7)
    venue_ids = bulk_venues(2000)
    venues = {v.pk: v for v in Venue.objects.filter(pk__in=venue_ids)}
    province = OrgUnit.objects.filter(parent__isnull=True).first()
    system = CustomerSystem.objects.get(code="general")
    today = timezone.localdate()
    month = date(today.year - 1, today.month, 1)
    tz = timezone.get_default_timezone()
    with rollback():
        meetings = Meeting.objects.bulk_create(
            [
                Meeting(
                    system=system,
                    title=f"bench {i}",
                    state="closed",
                    org_unit=province,
                    starts_at=datetime(month.year, month.month, 1 + i % 28, 9, tzinfo=tz),
                    ends_at=datetime(month.year, month.month, 1 + i % 28, 11, tzinfo=tz),
                )
                for i in range(n_meetings)
            ]
        )
        tasks = []
        for m in meetings:
            for pk in rng.sample(venue_ids, venues_per_meeting):
                acked = m.starts_at - timedelta(days=1) + timedelta(minutes=rng.uniform(1, 20))
                tasks.append(
                    SupportTask(
                        meeting=m,
                        kind="venue",
                        role="branch_venue",
                        org_unit_id=venues[pk].org_unit_id,
                        venue_id=pk,
                        state="done",
                        acknowledged_at=acked,
                        ready_at=m.starts_at - timedelta(minutes=rng.uniform(-10, 60)),
                    )
                )
        SupportTask.objects.bulk_create(tasks, batch_size=1000)
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=venues[t.venue_id].primary_staff_id,
                    kind="published",
                    topic=meeting_ref(t.meeting_id),
                    subject=task_ref(t.pk),
                    title="bench",
                    body="bench",
                    ack_due_at=t.meeting.starts_at - timedelta(days=1) + timedelta(minutes=10),
                )
                for t in tasks
                if venues[t.venue_id].primary_staff_id
            ],
            batch_size=1000,
        )
        Fault.objects.bulk_create(
            [
                Fault(
                    title="bench",
                    source="manual",
                    state="closed",
                    org_unit_id=t.org_unit_id,
                    subject=task_ref(t.pk),
                    opened_at=t.meeting.starts_at,
                    acknowledged_at=t.meeting.starts_at + timedelta(minutes=8),
                    restored_at=t.meeting.starts_at + timedelta(minutes=50),
                )
                for t in tasks[::20]
            ],
            batch_size=1000,
        )
        median, samples = _median(lambda: kpi_table(user=user, month=month, level="city"), repeat)
        base = _bare(
            list(
                SupportTask.objects.filter(pk__in=[t.pk for t in tasks[:2000]]).select_related(
                    "venue", "org_unit", "assignee"
                )
            )
        )
    return _row(f"kpis_{n_meetings}", median, base, samples, "≤ 1 s", 1.0)
