"""seed_history: past meetings that the reports and the KPIs can show, written through the doors."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from vcassure.faults.models import Fault
from vcassure.home.history import history_build
from vcassure.meetings.models import Meeting, SupportTask, TaskTransition
from vcassure.reports.selectors import kpi_table, meeting_report

pytestmark = pytest.mark.django_db


def test_history_fills_reports_and_kpis(province):
    counts = history_build(days=21, seed=1)
    assert counts["meetings"] >= 5
    meetings = Meeting.objects.order_by("starts_at")
    assert set(meetings.values_list("state", flat=True)) == {"closed", "ended"}
    assert meetings.filter(state="ended").count() == 2  # left for the close page
    assert all(m.starts_at < timezone.now() for m in meetings)
    # Every task moved through the door: each state it holds has its transition row.
    task = SupportTask.objects.filter(kind="venue", state="done").first()
    assert TaskTransition.objects.filter(task=task, to_state="done").exists()
    # Nothing left for the sweeper to escalate now.
    assert (
        not SupportTask.objects.filter(
            kind="venue", meeting__state="ended", missed_shutdown_at__isnull=True
        )
        .exclude(state__in=["done", "cancelled"])
        .exists()
    )
    user = province.user("province")
    report = meeting_report(meetings.first(), user=user)
    assert report.summary["venues"] > 0 and report.summary["acknowledged_on_time"] > 0
    month = timezone.localtime(meetings.last().starts_at).date().replace(day=1)
    table = kpi_table(user=user, month=month, level="county")
    assert any(r["venue_tasks"] for r in table.rows)
    assert Fault.objects.count() == counts["faults"]


def test_seed_history_refuses_a_database_with_meetings(province):
    history_build(days=7, seed=2)
    with pytest.raises(CommandError):
        call_command("seed_history")
