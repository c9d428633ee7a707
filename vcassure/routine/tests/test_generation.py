"""Plans fall due by an rrule filtered by the working calendar; the worker makes each day's
inspections once, for the primary person or the backup, announces them in one digest per person
and per IM group, and escalates the ones still open at their due time."""

from datetime import date, datetime

import time_machine
from django.utils import timezone

from tests.factories.meetings import published_meeting
from vcassure.notifications.calendar import WorkingCalendar
from vcassure.notifications.models import Delivery, Notification
from vcassure.orgs.models import Staff
from vcassure.routine.models import Inspection, StaffLeave
from vcassure.routine.selectors import inspection_done_rates, plan_dates
from vcassure.routine.services import inspections_generate, routine_sweep


def local(y, m, d, hh=0, mm=0):
    return timezone.make_aware(datetime(y, m, d, hh, mm))


def test_a_weekly_plan_on_working_days_only_across_the_national_day_make_up_weekend(make_plan):
    # Mon, Thu and Sat, 2026-09-28 … 10-11: Oct 1–7 are holidays; Sat 10-10 is worked (调休).
    plan = make_plan(frequency="weekly", weekdays=[0, 3, 5])
    days = plan_dates(plan, date(2026, 9, 28), date(2026, 10, 11))
    assert days == [date(2026, 9, 28), date(2026, 10, 8), date(2026, 10, 10)]
    plan.working_days_only = False
    assert len(plan_dates(plan, date(2026, 9, 28), date(2026, 10, 11))) == 6


def test_daily_and_monthly_plans(make_plan):
    daily = make_plan()
    days = plan_dates(daily, date(2026, 10, 8), date(2026, 10, 12), calendar=WorkingCalendar())
    assert days == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12)]
    monthly = make_plan(frequency="monthly", month_day=31, working_days_only=False)
    assert plan_dates(monthly, date(2026, 4, 1), date(2026, 5, 31)) == [
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]


def test_a_day_is_generated_once_for_the_primary_or_the_backup(province, make_plan, tomorrow):
    plan = make_plan()
    venues = province.venues
    on_leave = venues[0].primary_staff
    StaffLeave.objects.create(
        staff=on_leave, starts_on=date(2026, 10, 9), ends_on=date(2026, 10, 9)
    )
    assert inspections_generate(day=date(2026, 10, 9)) == 8
    inspections_generate(day=date(2026, 10, 9))
    rows = {i.venue_id: i for i in Inspection.objects.filter(plan=plan)}
    assert len(rows) == 8
    assert rows[venues[0].pk].assignee == venues[0].backup_staff
    assert rows[venues[1].pk].assignee == venues[1].primary_staff
    assert rows[venues[1].pk].due_at == local(2026, 10, 9, 10)
    # A holiday makes nothing.
    inspections_generate(day=date(2026, 10, 5))
    assert not Inspection.objects.filter(scheduled_on=date(2026, 10, 5)).exists()


def test_the_backup_takes_the_inspection_when_the_primary_has_a_meeting_that_day(
    province, make_plan, tomorrow
):
    make_plan(starts_on=timezone.localdate())
    published_meeting(province, tomorrow, [province.venues[2]])
    day = tomorrow[0].date()
    inspections_generate(day=day)
    inspection = Inspection.objects.get(venue=province.venues[2], scheduled_on=day)
    assert inspection.assignee == province.venues[2].backup_staff
    other = Inspection.objects.get(venue=province.venues[3], scheduled_on=day)
    assert other.assignee == province.venues[3].primary_staff


def test_one_digest_per_person_and_per_group_a_day(province, make_plan):
    with time_machine.travel(local(2026, 10, 9, 7, 5), tick=False):
        make_plan(name="计划一")
        make_plan(name="计划二")  # two plans over the same venues: one message per person
        first = routine_sweep()
        again = routine_sweep()
    assert first["made"] == 16 and again["made"] == 0
    notices = Notification.objects.filter(topic="routine:2026-10-09")
    recipients = list(notices.values_list("recipient_id", flat=True))
    assert len(recipients) == len(set(recipients)) == 8
    body = notices.get(recipient=province.venues[0].primary_staff).body
    assert "计划一" in body and "计划二" in body and "共 2 个会场" in body
    digests = Delivery.objects.filter(group__isnull=False, topic="routine:2026-10-09")
    assert digests.count() == 2  # the province's DingTalk and WeCom groups, one each
    assert "水利分会场" in digests.first().payload["text"]


def test_nothing_is_made_before_the_morning(province, make_plan):
    make_plan()
    with time_machine.travel(local(2026, 10, 9, 6, 30), tick=False):
        assert routine_sweep()["made"] == 0
    assert not Inspection.objects.exists()


def test_overdue_inspections_are_escalated_once_to_the_supervisor(province, make_plan):
    supervisor = Staff.objects.get(org_unit=province.counties[0], user__username="county0-manager")
    Staff.objects.filter(pk=province.venues[0].primary_staff_id).update(supervisor=supervisor)
    with time_machine.travel(local(2026, 10, 9, 7, 5), tick=False) as traveller:
        make_plan()
        routine_sweep()
        done = Inspection.objects.get(venue=province.venues[1])
        Inspection.objects.filter(pk=done.pk).update(state="done")
        traveller.move_to(local(2026, 10, 9, 10, 1))
        assert routine_sweep()["escalated"] == 7  # the supervisor, and 6 people with none
        assert routine_sweep()["escalated"] == 0
    overdue = Notification.objects.filter(kind=Notification.Kind.OVERDUE)
    assert overdue.filter(recipient=supervisor).count() == 1
    assert "巡检逾期未完成" in overdue.get(recipient=supervisor).body
    assert not overdue.filter(recipient=province.venues[1].primary_staff).exists()
    assert Inspection.objects.filter(escalated_at__isnull=False).count() == 7


def test_done_rates_per_unit_and_month(province, make_plan):
    make_plan()
    inspections_generate(day=date(2026, 10, 9))
    first = Inspection.objects.filter(org_unit=province.townships[0]).get()
    Inspection.objects.filter(pk=first.pk).update(state="done")
    rates = inspection_done_rates([province.counties[0].pk, province.cities[1].pk], "2026-10")
    assert rates[province.counties[0].pk] == {"due": 2, "done": 1, "rate": 0.5}
    assert rates[province.cities[1].pk] == {"due": 4, "done": 0, "rate": 0.0}
    assert (
        inspection_done_rates([province.cities[1].pk], date(2026, 11, 3))[province.cities[1].pk][
            "rate"
        ]
        is None
    )
