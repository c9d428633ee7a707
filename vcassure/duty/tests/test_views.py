"""Duty pages: create a period from the form, the grid (constant queries, edit a cell in place),
problems listed, the live page with gaps first, the phone page's plain form posts, swaps, the
report in Excel."""

from datetime import timedelta
from io import BytesIO

import time_machine
from openpyxl import load_workbook

from tests.factories.duty import make_period, next_monday
from vcassure.duty.models import Shift, ShiftSwap, SpecialPeriod
from vcassure.orgs.models import Staff
from vcassure.venues.models import Venue


def login(client, user):
    client.force_login(user)
    return client


def county0_venues(province):
    return list(Venue.objects.filter(org_unit__parent=province.counties[0]).order_by("code"))


def test_create_a_period_from_the_form(province, client):
    login(client, province.user("county0"))
    start = next_monday()
    response = client.post(
        "/duty/",
        {
            "name": "防汛值守",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=1)).isoformat(),
            "mode": "duty_hours",
            "duty_hours": "08:00-20:00，20:00-08:00",
            "shift_hours": "12",
            "venues": ",".join(str(v.pk) for v in county0_venues(province)),
        },
    )
    period = SpecialPeriod.objects.get()
    assert response.status_code == 302 and response.url == f"/duty/periods/{period.pk}/"
    assert Shift.objects.filter(period=period).count() == 2 * 2 * 2
    assert {s.venue_id for s in Shift.objects.filter(period=period)} == {
        v.pk for v in county0_venues(province)
    }
    page = client.get(response.url)
    assert "防汛值守" in page.content.decode()


def test_the_form_uses_the_venue_picker_and_refuses_another_countys_venue(province, client):
    login(client, province.user("county0"))
    page = client.get("/duty/").content.decode()
    assert "data-venue-picker" in page
    assert 'name="org_units"' not in page
    start = next_monday()
    other = (
        Venue.objects.exclude(org_unit__parent=province.counties[0])
        .filter(org_unit__level="township")
        .first()
    )
    response = client.post(
        "/duty/",
        {
            "name": "越权值守",
            "starts_on": start.isoformat(),
            "ends_on": start.isoformat(),
            "mode": "24x7",
            "shift_hours": "8",
            "venues": str(other.pk),
        },
    )
    assert response.status_code == 422
    assert "会场不存在或不在您的管辖范围内" in response.content.decode()
    response = client.post(
        "/duty/",
        {
            "name": "空",
            "starts_on": start.isoformat(),
            "ends_on": start.isoformat(),
            "mode": "24x7",
            "shift_hours": "8",
            "venues": "",
        },
    )
    assert response.status_code == 422 and "请至少选择一个会场。" in response.content.decode()
    assert not SpecialPeriod.objects.exists()


def test_the_form_shows_the_services_errors_beside_the_fields(province, client):
    login(client, province.user("county0"))
    start = next_monday()
    response = client.post(
        "/duty/",
        {
            "name": "x",
            "starts_on": start.isoformat(),
            "ends_on": start.isoformat(),
            "mode": "duty_hours",
            "duty_hours": "",
            "shift_hours": "8",
            "venues": ",".join(str(v.pk) for v in county0_venues(province)),
        },
    )
    assert response.status_code == 422
    assert "客户值班时段模式需要至少一个时段" in response.content.decode()
    assert not SpecialPeriod.objects.exists()


def test_grid_renders_in_constant_queries_and_flags_gaps(
    province, client, django_assert_max_num_queries
):
    period = make_period(province.user("province"), province.venues[:2], days=7)
    Shift.objects.filter(period=period).order_by("starts_at").filter(
        pk=Shift.objects.filter(period=period).order_by("starts_at").first().pk
    ).update(assignee=None)
    login(client, province.user("county0"))
    url = f"/duty/periods/{period.pk}/grid/"
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert province.venues[0].name in html and province.venues[1].name in html
    assert 'class="duty-cell gap"' in html
    assert html.count('class="duty-cell') >= 2 * 7 * 3
    # A bigger period costs the same queries.
    big = make_period(province.user("province"), province.venues[:8], days=7, name="大")
    client.get(f"/duty/periods/{big.pk}/grid/?unit={province.counties[0].pk}")
    with django_assert_max_num_queries(14):
        client.get(f"/duty/periods/{big.pk}/grid/?unit={province.counties[0].pk}")


def test_edit_a_cell_in_place(province, client):
    period = make_period(province.user("province"), province.venues[:1], days=1, suggest=False)
    shift = Shift.objects.filter(period=period).order_by("starts_at").first()
    login(client, province.user("county0"))
    editor = client.get(f"/duty/shifts/{shift.pk}/cell/", HTTP_HX_REQUEST="true")
    assert "<select" in editor.content.decode()
    person = province.venues[0].primary_staff
    response = client.post(
        f"/duty/shifts/{shift.pk}/assign/", {"assignee": person.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert person.name in response.content.decode()
    shift.refresh_from_db()
    assert shift.assignee == person
    # The next shift would make 16 hours in a row: refused, named, and the cell unchanged.
    nxt = Shift.objects.filter(period=period).order_by("starts_at")[1]
    response = client.post(
        f"/duty/shifts/{nxt.pk}/assign/", {"assignee": person.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert "连续值班不能超过 12 小时" in response.content.decode()
    nxt.refresh_from_db()
    assert nxt.assignee is None


def test_the_period_page_lists_uncovered_and_rule_breaking_shifts(province, client):
    period = make_period(province.user("province"), province.venues[:1], days=1, suggest=False)
    first, second = Shift.objects.filter(period=period).order_by("starts_at")[:2]
    person = province.venues[0].primary_staff
    Shift.objects.filter(pk__in=[first.pk, second.pk]).update(assignee=person)  # 16 h in a row
    login(client, province.user("county0"))
    html = client.get(f"/duty/periods/{period.pk}/").content.decode()
    assert "未排人 1 个 · 违反值班规则 2 个" in html
    assert "连续值班不能超过 12 小时" in html


def test_the_live_page_shows_gaps_first(province, client):
    period = make_period(province.user("province"), province.venues[:3], days=1)
    first = (
        Shift.objects.filter(period=period, venue=province.venues[2]).order_by("starts_at").first()
    )
    Shift.objects.filter(pk=first.pk).update(assignee=None)
    with time_machine.travel(first.starts_at + timedelta(hours=1), tick=False):
        login(client, province.user("province"))
        on_site = (
            Shift.objects.filter(period=period, venue=province.venues[1])
            .order_by("starts_at")
            .first()
        )
        Shift.objects.filter(pk=on_site.pk).update(checked_in_at=first.starts_at)
        response = client.get(f"/duty/periods/{period.pk}/live/")
        rows = response.context["rows"]
    assert [r.status for r in rows] == ["gap", "absent", "on_site"]
    assert rows[0].venue == province.venues[2]
    partial = None
    with time_machine.travel(first.starts_at + timedelta(hours=1), tick=False):
        partial = client.get(f"/duty/periods/{period.pk}/live/", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="live"' in partial.content


def test_phone_page_check_in_and_out_by_plain_form_post(province, client):
    period = make_period(province.user("province"), province.venues[:1], days=1)
    shift = Shift.objects.filter(period=period).order_by("starts_at").first()
    with time_machine.travel(shift.starts_at + timedelta(minutes=3), tick=False):
        login(client, shift.assignee.user)
        page = client.get("/duty/mine/")
        assert f'action="/duty/shifts/{shift.pk}/check-in/"' in page.content.decode()
        response = client.post(
            f"/duty/shifts/{shift.pk}/check-in/", {"lat": "", "lng": ""}, follow=True
        )
        assert "已签到" in response.content.decode()
        response = client.post(
            f"/duty/shifts/{shift.pk}/check-out/", {"lat": "30.1", "lng": "120.2"}, follow=True
        )
        assert "已签退" in response.content.decode()
    shift.refresh_from_db()
    assert shift.checked_in_at and shift.checked_out_at
    assert shift.check_out_location == {"lat": 30.1, "lng": 120.2}


def test_swap_through_the_pages(province, client):
    venue = province.venues[0]
    period = make_period(province.user("province"), [venue], days=2)
    shift = (
        Shift.objects.filter(period=period, assignee=venue.primary_staff)
        .order_by("starts_at")
        .last()
    )
    taker = Staff.objects.filter(org_unit=province.counties[0], is_emergency_mobile=True).last()
    taker_user = province.user("county0", "support")
    Staff.objects.filter(user=taker_user).update(user=None)
    Staff.objects.filter(pk=taker.pk).update(user=taker_user)
    login(client, venue.primary_staff.user)
    client.post(f"/duty/shifts/{shift.pk}/swap/", {"taker": taker.pk, "reason": "有事"})
    swap = ShiftSwap.objects.get()
    login(client, taker_user)
    assert "接受" in client.get("/duty/mine/").content.decode()
    client.post(f"/duty/swaps/{swap.pk}/answer/", {"accept": "1"})
    login(client, province.user("county0"))
    assert "批准" in client.get("/duty/swaps/").content.decode()
    client.post(f"/duty/swaps/{swap.pk}/decide/", {"approve": "1"})
    shift.refresh_from_db()
    assert shift.assignee_id == taker.pk


def test_report_counts_hours_late_and_missed_and_exports_excel(province, client):
    period = make_period(province.user("province"), province.venues[:1], days=1)
    first, second, _third = Shift.objects.filter(period=period).order_by("starts_at")
    Shift.objects.filter(pk=first.pk).update(
        checked_in_at=first.starts_at + timedelta(minutes=10),
        checked_out_at=first.ends_at,
    )
    with time_machine.travel(second.starts_at + timedelta(hours=1), tick=False):
        login(client, province.user("county0"))
        report = client.get(f"/duty/periods/{period.pk}/report/").context["report"]
        xlsx = client.get(f"/duty/periods/{period.pk}/report/?format=xlsx")
    person = next(p for p in report.people if p.name == first.assignee.name)
    assert person.duty_hours == round(8 - 10 / 60, 1) and person.late == 1
    assert sum(p.missed for p in report.people) == 1
    book = load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames == ["按人员", "按单位", "迟到与未签到"]
    rows = list(book["迟到与未签到"].iter_rows(values_only=True))
    assert any(r[4] == "迟到 10 分钟" for r in rows) and any(r[4] == "未签到" for r in rows)
