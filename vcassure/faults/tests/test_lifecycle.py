"""The whole state path of a fault on a fixed timeline: open → acknowledged → assigned → on site →
restored → closed, reopen from restored, each move an event with who and when, a disallowed move a
409, deadlines from the severity policy, and MTTA / MTTR per fault and per unit and period."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from vcassure.accounts.models import Role
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.models import AuditEvent
from vcassure.faults import services
from vcassure.faults.models import Fault, FaultPolicy
from vcassure.faults.selectors import fault_kpis, fault_times
from vcassure.faults.signals import fault_closed, fault_opened
from vcassure.orgs.models import Staff

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)  # a Tuesday


def open_at(province, when, *, venue=0, severity="critical", **kwargs) -> Fault:
    with time_machine.travel(when, tick=False):
        return services.fault_open(
            title=f"镇{venue}终端黑屏",
            source=Fault.Source.HOTLINE,
            org_unit=province.venues[venue].org_unit,
            venue=province.venues[venue],
            severity=severity,
            by=province.user("province"),
            **kwargs,
        )


def county_engineer(province, county=0) -> Staff:
    return Staff.objects.filter(
        department__kind="tech_maintenance", org_unit=province.counties[county]
    ).first()


def test_the_whole_path_with_mtta_and_mttr(province, django_capture_on_commit_callbacks):
    heard = []
    fault_opened.connect(
        lambda sender, fault, **kw: heard.append(("opened", fault.pk)),
        weak=False,
        dispatch_uid="t1",
    )
    fault_closed.connect(
        lambda sender, fault, **kw: heard.append(("closed", fault.pk)),
        weak=False,
        dispatch_uid="t2",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            fault = open_at(province, T0)
        assert fault.state == "open" and fault.assignee is None
        assert (fault.ack_due_at, fault.on_site_due_at, fault.restore_due_at) == (
            T0 + timedelta(minutes=5),
            T0 + timedelta(minutes=30),
            T0 + timedelta(minutes=60),
        )
        netops = province.user("city0", Role.SUPPORT)
        engineer = county_engineer(province)
        with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
            services.fault_acknowledge(fault, by=netops)
        with time_machine.travel(T0 + timedelta(minutes=4), tick=False):
            services.fault_assign(fault, by=netops, assignee=engineer)
        with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
            services.fault_on_site(fault, by=province.user("county0", Role.SUPPORT))
        with time_machine.travel(T0 + timedelta(minutes=47), tick=False):
            services.fault_restore(fault, by=province.user("county0", Role.SUPPORT), note="换电源")
        with (
            time_machine.travel(T0 + timedelta(hours=2), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.fault_close(fault, by=netops, note="回访正常")
    finally:
        fault_opened.disconnect(dispatch_uid="t1")
        fault_closed.disconnect(dispatch_uid="t2")
    fault.refresh_from_db()
    assert fault.state == "closed" and fault.assignee == engineer
    events = list(fault.events.values_list("kind", "at", "actor__username"))
    assert [e[0] for e in events] == [
        "opened",
        "acknowledged",
        "assigned",
        "on_site",
        "restored",
        "closed",
    ]
    assert events[1] == ("acknowledged", T0 + timedelta(minutes=3), "city0-support")
    assert events[3][2] == "county0-support"
    assert set(
        AuditEvent.objects.filter(object_type="faults.fault").values_list("action", flat=True)
    ) >= {
        "fault.open",
        "fault.acknowledge",
        "fault.assign",
        "fault.on_site",
        "fault.restore",
        "fault.close",
    }
    [times] = fault_times(Fault.objects.filter(pk=fault.pk))
    assert (times.mtta_minutes, times.mttr_minutes) == (3.0, 47.0)
    assert heard == [("opened", fault.pk), ("closed", fault.pk)]


def test_disallowed_moves_are_409_and_write_nothing(province):
    fault = open_at(province, T0)
    user = province.user("city0", Role.DISPATCHER)
    for move in (
        lambda: services.fault_on_site(fault, by=user),
        lambda: services.fault_close(fault, by=user),
        lambda: services.fault_reopen(fault, by=user, reason="x"),
    ):
        with pytest.raises(ConflictError):
            move()
    services.fault_restore(fault, by=user)
    with pytest.raises(ConflictError):
        services.fault_acknowledge(fault, by=user)
    with pytest.raises(InvalidInputError):
        services.fault_reopen(fault, by=user, reason="  ")
    fault.refresh_from_db()
    assert fault.state == "restored" and list(fault.events.values_list("kind", flat=True)) == [
        "opened",
        "restored",
    ]


def test_assign_is_limited_to_county_maintenance_or_network_ops(province):
    fault = open_at(province, T0)
    user = province.user("city0", Role.DISPATCHER)
    other_county = county_engineer(province, county=2)  # the other city's county
    township = Staff.objects.get(org_unit=province.townships[0])
    for person in (other_county, township):
        with pytest.raises(InvalidInputError) as refused:
            services.fault_assign(fault, by=user, assignee=person)
        assert refused.value.errors[0]["field"] == "assignee"
    netops_person = Staff.objects.filter(department=fault.assigned_department).first()
    services.fault_assign(fault, by=user, assignee=netops_person)  # network ops goes itself
    services.fault_assign(fault, by=user, assignee=county_engineer(province))  # and re-assigns
    fault.refresh_from_db()
    assert fault.state == "assigned" and fault.assignee == county_engineer(province)
    assert fault.acknowledged_at is not None  # assigning an open fault acknowledged it


def test_reopen_keeps_the_first_times_and_restores_again(province):
    fault = open_at(province, T0)
    user = province.user("city0", Role.DISPATCHER)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        services.fault_acknowledge(fault, by=user)
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        services.fault_restore(fault, by=user)
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        services.fault_reopen(fault, by=user, reason="又黑屏了")
        fault.refresh_from_db()
        assert fault.state == "open" and fault.restored_at is None
        services.fault_acknowledge(fault, by=user)
    with time_machine.travel(T0 + timedelta(minutes=70), tick=False):
        services.fault_restore(fault, by=user)
    [times] = fault_times(Fault.objects.filter(pk=fault.pk))
    assert (times.mtta_minutes, times.mttr_minutes) == (2.0, 70.0)
    assert fault.events.filter(kind="reopened", note="又黑屏了").exists()


def test_who_may_not_handle(province):
    fault = open_at(province, T0)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.fault_acknowledge(fault, by=province.user("province", Role.READONLY))
    with pytest.raises(Fault.DoesNotExist):  # another city's network operations: not found
        services.fault_acknowledge(fault, by=province.user("city1", Role.SUPPORT))


def test_severity_policy_and_meeting_time(province):
    start = T0 + timedelta(hours=3)
    end = start + timedelta(hours=2)
    assert services.severity_for_meeting(start, end, start - timedelta(minutes=59)) == "critical"
    assert services.severity_for_meeting(start, end, start + timedelta(minutes=30)) == "critical"
    assert services.severity_for_meeting(start, end, start - timedelta(hours=2)) == "major"
    assert services.severity_for_meeting(start, end, end + timedelta(minutes=1)) == "minor"
    major = open_at(province, T0, severity="major")
    assert major.restore_due_at == T0 + timedelta(hours=4)
    # Minor: two working hours to acknowledge, the next working day, three working days.
    friday = datetime(2026, 12, 4, 16, 0, tzinfo=TZ)
    minor = open_at(province, friday, severity="minor")
    assert minor.ack_due_at == datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # 1.5 h Fri, 0.5 h Mon 08:30
    assert minor.on_site_due_at == datetime(2026, 12, 7, 17, 30, tzinfo=TZ)
    assert minor.restore_due_at == datetime(2026, 12, 9, 17, 30, tzinfo=TZ)
    # An administrator tightens the policy: faults opened afterwards follow it.
    FaultPolicy.objects.filter(severity="major").update(restore_amount=90)
    assert open_at(province, T0, severity="major").restore_due_at == T0 + timedelta(minutes=90)


def test_kpis_per_unit_and_period(province):
    user = province.user("province", Role.DISPATCHER)
    # City 0: acknowledged after 4 and 10 minutes, restored after 30 and 90; city 1: one open.
    for venue, ack, restore in ((0, 4, 30), (2, 10, 90)):
        fault = open_at(province, T0, venue=venue)
        with time_machine.travel(T0 + timedelta(minutes=ack), tick=False):
            services.fault_acknowledge(fault, by=user)
        with time_machine.travel(T0 + timedelta(minutes=restore), tick=False):
            services.fault_restore(fault, by=user)
    open_at(province, T0, venue=4)
    open_at(province, T0 + timedelta(days=40), venue=0)  # outside the period
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=30)
    rows = fault_kpis(user, [province.cities[0].pk, province.cities[1].pk], start, end)
    assert rows == [
        {
            "org_unit": province.cities[0].pk,
            "faults": 2,
            "acknowledged": 2,
            "restored": 2,
            "mtta_minutes": 7.0,
            "mttr_minutes": 60.0,
        },
        {
            "org_unit": province.cities[1].pk,
            "faults": 1,
            "acknowledged": 0,
            "restored": 0,
            "mtta_minutes": None,
            "mttr_minutes": None,
        },
    ]
    [whole] = fault_kpis(user, None, start, end)
    assert whole["faults"] == 3 and whole["org_unit"] is None
    city1 = province.user("city1", Role.DISPATCHER)
    assert fault_kpis(city1, [province.cities[0].pk], start, end) == []  # not in scope


def test_administrator_edits_the_policy_in_the_admin(province, client):
    from tests.factories.orgs import UserFactory

    admin = UserFactory(username="policy-admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    policy = FaultPolicy.objects.get(severity="critical")
    page = client.get(f"/admin/faults/faultpolicy/{policy.pk}/change/")
    assert page.status_code == 200
    response = client.post(
        f"/admin/faults/faultpolicy/{policy.pk}/change/",
        {
            "ack_amount": 3,
            "ack_unit": "minutes",
            "on_site_amount": 30,
            "on_site_unit": "minutes",
            "restore_amount": 45,
            "restore_unit": "minutes",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="fault.policy", actor=admin).exists()
    assert open_at(province, T0).ack_due_at == T0 + timedelta(minutes=3)
