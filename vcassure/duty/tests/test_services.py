"""Roster services: the suggester on real data (primary, backup, the county's pool; meeting tasks
count), manual assignment, the swap flow, check-in rules."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from tests.factories.duty import make_period, next_monday
from tests.factories.meetings import make_meeting, publish, venue_task
from vcassure.core.errors import ConflictError
from vcassure.duty import services
from vcassure.duty.models import DutyRule, Shift, ShiftSwap
from vcassure.duty.selectors import roster_problems
from vcassure.orgs.models import Staff


def test_suggestions_come_from_primary_backup_then_the_countys_pool(province):
    venue = province.venues[0]
    period = make_period(province.user("province"), [venue], days=3)
    shifts = list(Shift.objects.filter(period=period).order_by("starts_at"))
    assert all(s.assignee_id for s in shifts)
    pool = set(
        Staff.objects.filter(org_unit=province.counties[0], is_emergency_mobile=True).values_list(
            "id", flat=True
        )
    )
    allowed = {venue.primary_staff_id, venue.backup_staff_id} | pool
    assert {s.assignee_id for s in shifts} <= allowed
    assert shifts[0].assignee_id == venue.primary_staff_id
    assert shifts[1].assignee_id == venue.backup_staff_id
    assert roster_problems(shifts) == {}


def test_a_meeting_task_counts_against_the_person_in_the_suggester(province, tomorrow):
    venue = province.venues[0]
    meeting = publish(province, make_meeting(province, tomorrow, [venue]))
    task = venue_task(meeting, venue)
    start = tomorrow[0].date()
    period = make_period(province.user("province"), [venue], days=1, starts_on=start)
    overlapping = Shift.objects.filter(
        period=period, starts_at__lt=task.busy_until, ends_at__gt=task.busy_from
    )
    assert overlapping.exists()
    assert not overlapping.filter(assignee_id=venue.primary_staff_id).exists()
    clash = overlapping.first()
    clash.assignee = None
    clash.save()
    assert "冲突" in services.shift_rule_problem(clash, venue.primary_staff)
    # With the rule switched off, the person's task no longer counts.
    DutyRule.objects.create(count_agenda=False)
    problem = services.shift_rule_problem(clash, venue.primary_staff)
    assert problem is None or "冲突" not in problem


def test_assigning_someone_already_on_another_venue_is_refused(province):
    period = make_period(province.user("province"), province.venues[:2], days=1, suggest=False)
    a = Shift.objects.filter(period=period, venue=province.venues[0]).order_by("starts_at").first()
    b = Shift.objects.get(period=period, venue=province.venues[1], starts_at=a.starts_at)
    person = province.venues[0].primary_staff
    services.shift_assign(a, by=province.user("province"), assignee=person)
    with pytest.raises(ConflictError) as exc:
        services.shift_assign(b, by=province.user("province"), assignee=person)
    assert "同一时间不能在两个会场值班" in exc.value.message


def test_rest_rule_and_the_administrator_can_change_it(province):
    period = make_period(province.user("province"), province.venues[:1], days=1, suggest=False)
    first, _second, third = Shift.objects.filter(period=period).order_by("starts_at")
    person = province.venues[0].primary_staff
    services.shift_assign(first, by=province.user("province"), assignee=person)
    services.shift_assign(third, by=province.user("province"), assignee=person)  # 8 h rest: fine
    services.shift_assign(third, by=province.user("province"), assignee=None)
    DutyRule.objects.create(min_rest_hours=10)
    with pytest.raises(ConflictError) as exc:
        services.shift_assign(third, by=province.user("province"), assignee=person)
    assert "两次值班之间至少休息 10 小时" in exc.value.message


def test_support_staff_cannot_assign(province):
    period = make_period(province.user("province"), province.venues[:1], days=1)
    shift = Shift.objects.filter(period=period).first()
    with pytest.raises(PermissionDenied):
        services.shift_assign(shift, by=province.user("township0", "support"), assignee=None)


def test_swap_asked_accepted_and_approved(province):
    venue = province.venues[0]
    period = make_period(province.user("province"), [venue], days=2)
    shift = (
        Shift.objects.filter(period=period, assignee=venue.primary_staff)
        .order_by("starts_at")
        .last()
    )
    asker = venue.primary_staff
    taker = Staff.objects.filter(org_unit=province.counties[0], is_emergency_mobile=True).last()
    taker_user = province.user("county0", "support")  # give the taker a login
    Staff.objects.filter(user=taker_user).update(user=None)
    taker.user = taker_user
    taker.save(update_fields=["user"])

    swap = services.shift_swap_request(shift, by=asker.user, taker=taker, reason="家中有事")
    assert swap.state == ShiftSwap.State.REQUESTED
    with pytest.raises(PermissionDenied):  # only the person asked answers
        services.shift_swap_answer(swap, by=asker.user, accept=True)
    with pytest.raises(ConflictError):  # not yet accepted: nothing to approve
        services.shift_swap_decide(swap, by=province.user("county0"), approve=True)
    services.shift_swap_answer(swap, by=taker_user, accept=True)
    swap.refresh_from_db()
    assert swap.state == ShiftSwap.State.ACCEPTED
    shift.refresh_from_db()
    assert shift.assignee == asker  # unchanged until the dispatcher approves
    with pytest.raises(PermissionDenied):
        services.shift_swap_decide(swap, by=taker_user, approve=True)
    services.shift_swap_decide(swap, by=province.user("county0"), approve=True)
    swap.refresh_from_db()
    shift.refresh_from_db()
    assert swap.state == ShiftSwap.State.APPROVED
    assert shift.assignee == taker


def test_swap_to_someone_the_rules_forbid_is_refused(province):
    venue = province.venues[0]
    period = make_period(province.user("province"), [venue], days=1)
    first, second = Shift.objects.filter(period=period).order_by("starts_at")[:2]
    with pytest.raises(ConflictError) as exc:  # the backup works the next shift: 16 h in a row
        services.shift_swap_request(first, by=venue.primary_staff.user, taker=second.assignee)
    assert "连续值班不能超过 12 小时" in exc.value.message
    assert not ShiftSwap.objects.exists()


def test_check_in_window(province):
    period = make_period(province.user("province"), province.venues[:1], days=1)
    shift = Shift.objects.filter(period=period).order_by("starts_at").first()
    user = shift.assignee.user
    with (
        time_machine.travel(shift.starts_at - timedelta(hours=2), tick=False),
        pytest.raises(ConflictError),
    ):
        services.shift_check_in(shift, by=user)
    with time_machine.travel(shift.starts_at - timedelta(minutes=30), tick=False):
        with pytest.raises(ConflictError):
            services.shift_check_out(shift, by=user)  # not checked in yet
        services.shift_check_in(shift, by=user, lat=30.25, lng=120.16)
        again = services.shift_check_in(shift, by=user)
    shift.refresh_from_db()
    assert again.checked_in_at == shift.checked_in_at
    assert shift.check_in_location == {"lat": 30.25, "lng": 120.16}
    assert isinstance(shift.checked_in_at, datetime)


def test_filling_the_empty_shifts_later_keeps_what_was_assigned(province):
    venue = province.venues[0]
    period = make_period(province.user("province"), [venue], days=2, suggest=False)
    first = Shift.objects.filter(period=period).order_by("starts_at").first()
    pool_person = Staff.objects.filter(
        org_unit=province.counties[0], is_emergency_mobile=True
    ).first()
    services.shift_assign(first, by=province.user("province"), assignee=pool_person)
    filled = services.period_suggest(period, by=province.user("county0"))
    shifts = list(Shift.objects.filter(period=period).order_by("starts_at"))
    assert filled == len(shifts) - 1
    assert shifts[0].assignee == pool_person
    assert all(s.assignee_id for s in shifts)
    assert roster_problems(shifts) == {}


def test_a_shift_overlapping_an_inspection_is_flagged_when_the_rule_counts_it(province):
    from tests.factories.routine import inspections_on

    venue = province.venues[0]
    day = next_monday()
    inspection = next(i for i in inspections_on(province, day) if i.venue_id == venue.pk)
    person = inspection.assignee
    period = make_period(province.user("province"), [venue], days=1, starts_on=day, suggest=False)
    clash = Shift.objects.get(
        period=period, starts_at__lt=inspection.due_at, ends_at__gt=inspection.due_at
    )
    assert "冲突" in services.shift_rule_problem(clash, person)
    with pytest.raises(ConflictError):
        services.shift_assign(clash, by=province.user("province"), assignee=person)
    # Switched off, the inspection no longer counts and the shift can be given.
    DutyRule.objects.create(count_agenda=False)
    assert services.shift_rule_problem(clash, person) is None
    services.shift_assign(clash, by=province.user("province"), assignee=person)
    assert roster_problems([clash]) == {}
