"""The duty clock: uncovered warnings at 72 h and 24 h exactly once, reminders, and a missed
check-in that notifies the person and climbs the escalation ladder."""

from datetime import timedelta

import time_machine

from tests.factories.duty import make_period
from vcassure.duty import services
from vcassure.duty.models import Shift
from vcassure.duty.notify import duty_sweep
from vcassure.notifications.escalation import escalations_process_due
from vcassure.notifications.models import Notification


def warnings_to(staff_ids):
    return Notification.objects.filter(recipient_id__in=staff_ids, title__startswith="【值班预警】")


def test_uncovered_shifts_are_warned_at_72_and_24_hours_exactly_once(province):
    county_dispatcher = province.user("county0").staff_profile
    city_dispatcher = province.user("city0").staff_profile
    other_county = province.user("county2").staff_profile
    period = make_period(
        province.user("province"),
        province.venues[:1],
        suggest=False,
        days=1,
        mode="duty_hours",
        duty_hours=[{"start": "08:00", "end": "16:00"}],
    )
    first = Shift.objects.get(period=period)  # one shift: every warning is about it
    people = [county_dispatcher.pk, city_dispatcher.pk]

    with time_machine.travel(first.starts_at - timedelta(hours=80), tick=False):
        duty_sweep()
    assert not warnings_to(people).exists()

    with time_machine.travel(first.starts_at - timedelta(hours=71, minutes=59), tick=False):
        duty_sweep()
        duty_sweep()
    assert warnings_to(people).count() == 2  # the county's and the city's dispatcher, once each
    assert not warnings_to([other_county.pk]).exists()
    body = warnings_to([county_dispatcher.pk]).get().body
    assert province.venues[0].name in body and "未排人" in body

    with time_machine.travel(first.starts_at - timedelta(hours=30), tick=False):
        duty_sweep()
    assert warnings_to(people).count() == 2

    with time_machine.travel(first.starts_at - timedelta(hours=23, minutes=59), tick=False):
        duty_sweep()
        duty_sweep()
    assert warnings_to(people).count() == 4
    with time_machine.travel(first.starts_at - timedelta(hours=1), tick=False):
        duty_sweep()
    assert warnings_to(people).count() == 4


def test_a_covered_shift_is_not_warned_about(province):
    period = make_period(province.user("province"), province.venues[:1], days=1)
    first = Shift.objects.filter(period=period).order_by("starts_at").first()
    assert first.assignee_id is not None
    with time_machine.travel(first.starts_at - timedelta(hours=71), tick=False):
        duty_sweep()
    assert not Notification.objects.filter(title__startswith="【值班预警】").exists()


def test_reminder_before_the_shift_once(province):
    period = make_period(province.user("province"), province.venues[:1], days=1)
    first = Shift.objects.filter(period=period).order_by("starts_at").first()
    with time_machine.travel(first.starts_at - timedelta(minutes=50), tick=False):
        duty_sweep()
        duty_sweep()
    reminders = Notification.objects.filter(
        recipient=first.assignee, title__startswith="【值班提醒】"
    )
    assert reminders.count() == 1


def test_missed_check_in_notifies_the_person_then_climbs_the_ladder(province):
    period = make_period(province.user("province"), province.venues[:1], days=1)
    first = Shift.objects.filter(period=period).order_by("starts_at").first()
    person = first.assignee
    with time_machine.travel(first.starts_at + timedelta(minutes=14), tick=False):
        duty_sweep()
    assert not Notification.objects.filter(title__startswith="【未签到】").exists()
    with time_machine.travel(first.starts_at + timedelta(minutes=15), tick=False):
        duty_sweep()
        duty_sweep()
    notice = Notification.objects.get(title__startswith="【未签到】")
    assert notice.recipient == person and notice.requires_ack
    assert notice.subject == f"shift:{first.pk}"
    first.refresh_from_db()
    assert first.missed_check_in_at is not None
    # Unanswered past its deadline, the notice climbs the ladder: more people are told.
    with time_machine.travel(notice.next_escalation_at + timedelta(minutes=1), tick=False):
        assert escalations_process_due() >= 1
    notice.refresh_from_db()
    assert notice.escalation_level == 1


def test_checking_in_withdraws_the_missed_check_in_notice(province):
    period = make_period(province.user("province"), province.venues[:1], days=1)
    first = Shift.objects.filter(period=period).order_by("starts_at").first()
    with time_machine.travel(first.starts_at + timedelta(minutes=20), tick=False):
        duty_sweep()
        services.shift_check_in(first, by=first.assignee.user)
    notice = Notification.objects.get(title__startswith="【未签到】")
    assert notice.is_cancelled
    with time_machine.travel(first.starts_at + timedelta(hours=2), tick=False):
        assert escalations_process_due() == 0
