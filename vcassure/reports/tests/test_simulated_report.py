"""A meeting played to its end by the simulator (the services `manage.py simulate --new` uses), then
every figure of its report compared with what the simulator did: answers on time / late / never in
total, per channel class and per city and county; on site and ready against their deadlines and
the start; escalations, overdue reminders and phone calls; faults with MTTA and MTTR; photos and
step results; the timeline. 30 venues in the normal suite, 500 in the slow step of CI."""

from collections import Counter
from datetime import datetime, timedelta

import pytest

from tests.factories.orgs import StaffFactory
from tests.factories.venues import VenueFactory
from vcassure.accounts.models import User
from vcassure.meetings.management.simulation import Simulation, demo_meeting
from vcassure.meetings.models import Meeting
from vcassure.reports.tests.simulated import expected_report


def add_venues(province, n: int) -> None:
    """n more water venues over the townships, each with its own person (the province fixture
    already has one per township)."""
    for i in range(n):
        town = province.townships[i % len(province.townships)]
        VenueFactory(
            org_unit=town,
            code=f"W-REP-{i:03d}",
            name=f"{town.name}报告分会场{i}",
            primary_staff=StaffFactory(org_unit=town, name=f"报告人员{i}", mobile=f"139{i:08d}"),
        )


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def unit_figures(row: dict) -> dict:
    keys = (
        "venues",
        "acknowledged_on_time",
        "acknowledged_late",
        "unanswered",
        "on_site_on_time",
        "ready_on_time",
        "ready_before_start",
        "ready_late",
        "not_ready",
        "faults",
        "ack_on_time_rate",
        "ready_before_start_rate",
    )
    return {k: row[k] for k in keys}


@pytest.mark.parametrize(
    "venues",
    [30, pytest.param(500, marks=pytest.mark.slow)],
)
def test_every_figure_of_a_simulated_meetings_report_matches_what_was_played(
    venues, province, settings, api_client_for
):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    add_venues(province, venues - len(province.townships))
    dispatcher = User.objects.get(username="province-dispatcher")
    meeting = demo_meeting(
        by=dispatcher, system="water", venues=venues, starts_in=timedelta(minutes=90)
    )
    sim = Simulation(meeting, by=dispatcher, speed=1e9, seed=22)
    played = sim.run()
    assert played.consistent() == []
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.ENDED
    want = expected_report(sim)
    report = (
        api_client_for(province.user("province")).get(f"/api/meetings/{meeting.pk}/report").json()
    )

    # The crowd was what the issue asks for: most answer, some late, a few never; some steps
    # fail and are repaired.
    s = want["summary"]
    assert s["venues"] == played.venues == venues
    assert s["acknowledged_on_time"] > s["acknowledged_late"] > 0
    assert s["unanswered"] == played.never > 0
    assert s["faults"] == played.steps_failed == played.faults_restored > 0
    # R4 has every venue's person mentioned in at least two IM groups: all answer on the IM clock.
    assert want["by_channel"]["im"]["notices"] == venues
    assert s["ready_late"] > 0 and s["on_site_on_time"] > 0
    assert s["ready_on_time"] < s["ready_before_start"]  # some ready after R10's deadline
    assert want["mtta_minutes"] < want["mttr_minutes"]
    assert (s["acknowledged_on_time"], s["acknowledged_late"]) == (
        played.acked_on_time,
        played.acked_late,
    )

    assert unit_figures(report) == unit_figures(s)
    assert (report["on_site_late"], report["never_on_site"]) == (
        s["_on_site_late"],
        s["_never_on_site"],
    )
    assert report["shutdown_recorded"] == s["_shutdown"]
    assert {u["org_unit"]: unit_figures(u) for u in report["by_unit"]} == {
        unit: unit_figures(figures) for unit, figures in want["by_unit"].items()
    }
    assert {c["channel_class"]: c for c in report["by_channel"]} == {
        cls: {"channel_class": cls, "label": row["label"], **want["by_channel"][cls]}
        for cls, row in ((c["channel_class"], c) for c in report["by_channel"])
    }
    assert (report["mtta_minutes"], report["mttr_minutes"]) == (
        want["mtta_minutes"],
        want["mttr_minutes"],
    )
    assert len(report["fault_list"]) == s["faults"]

    # Escalations: the rungs the sweeper climbed are those the record says fell due (network
    # operations acknowledges each fault within four minutes, before its notices escalate), and
    # the report counts the messages and phone calls those rungs made, and the overdue reminders.
    assert played.rungs == want["rungs"] > 0
    assert report["escalations"] == want["escalations"]
    assert played.overdue == want["escalations"]["overdue_reminders"] > 0

    assert report["evidence"]["photos"] == want["photos"] == played.photos > 0
    assert {
        row["number"]: {"pass": row["pass"], "fail": row["fail"]}
        for row in report["evidence"]["steps"]
    } == want["steps"]

    assert Counter(e["kind"] for e in report["timeline"]) == want["timeline"]
    milestones = report["milestones"]
    for key in ("started_at", "ended_at", "all_acknowledged_at", "all_ready_at"):
        assert at(milestones[key]) == want[key], key
