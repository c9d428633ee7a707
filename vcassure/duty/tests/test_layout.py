"""Laying out shifts: both modes, across a month end, in Asia/Shanghai."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories.duty import make_period
from vcassure.core.errors import InvalidInputError
from vcassure.duty.models import Shift
from vcassure.duty.roster import shift_windows

SH = ZoneInfo("Asia/Shanghai")


def local(*args):
    return datetime(*args, tzinfo=SH)


def test_24x7_eight_hour_shifts_run_back_to_back_across_the_month_end():
    shifts = shift_windows(
        starts_on=date(2027, 1, 30),
        ends_on=date(2027, 2, 1),
        mode="24x7",
        duty_hours=[],
        shift_hours=8,
    )
    assert len(shifts) == 9
    assert shifts[0] == (local(2027, 1, 30, 0), local(2027, 1, 30, 8))
    assert shifts[3] == (local(2027, 1, 31, 0), local(2027, 1, 31, 8))
    assert shifts[-1] == (local(2027, 2, 1, 16), local(2027, 2, 2, 0))
    assert all(a[1] == b[0] for a, b in zip(shifts, shifts[1:], strict=False))
    # Stored in UTC, 00:00 in Shanghai is 16:00 the day before.
    assert shifts[0][0].astimezone(ZoneInfo("UTC")).hour == 16


def test_24x7_twelve_hour_shifts_over_a_leap_day():
    shifts = shift_windows(
        starts_on=date(2028, 2, 28),
        ends_on=date(2028, 3, 1),
        mode="24x7",
        duty_hours=[],
        shift_hours=12,
    )
    assert [s[0] for s in shifts] == [
        local(2028, 2, 28, 0),
        local(2028, 2, 28, 12),
        local(2028, 2, 29, 0),
        local(2028, 2, 29, 12),
        local(2028, 3, 1, 0),
        local(2028, 3, 1, 12),
    ]


def test_duty_hours_cut_each_window_and_a_night_window_runs_past_midnight():
    shifts = shift_windows(
        starts_on=date(2027, 4, 30),
        ends_on=date(2027, 5, 1),
        mode="duty_hours",
        duty_hours=[{"start": "08:00", "end": "18:00"}, {"start": "22:00", "end": "02:00"}],
        shift_hours=8,
    )
    assert shifts == [
        (local(2027, 4, 30, 8), local(2027, 4, 30, 16)),
        (local(2027, 4, 30, 16), local(2027, 4, 30, 18)),  # the window ends, so does the shift
        (local(2027, 4, 30, 22), local(2027, 5, 1, 2)),
        (local(2027, 5, 1, 8), local(2027, 5, 1, 16)),
        (local(2027, 5, 1, 16), local(2027, 5, 1, 18)),
        (local(2027, 5, 1, 22), local(2027, 5, 2, 2)),
    ]


@time_machine.travel(datetime(2027, 1, 20, 9, 0, tzinfo=SH), tick=False)
def test_creating_a_period_lays_out_every_shift_of_every_venue(province):
    period = make_period(
        province.user("province"), province.venues[:4], starts_on=date(2027, 1, 31), days=2
    )
    shifts = Shift.objects.filter(period=period)
    assert shifts.count() == 4 * 6
    for venue in province.venues[:4]:
        starts = sorted(
            s.astimezone(SH) for s in shifts.filter(venue=venue).values_list("starts_at", flat=True)
        )
        assert starts[0] == local(2027, 1, 31, 0)
        assert starts[-1] == local(2027, 2, 1, 16)
    assert period.venues.count() == 4


@time_machine.travel(datetime(2027, 1, 20, 9, 0, tzinfo=SH), tick=False)
def test_duty_hours_period_with_twelve_hour_shifts(province):
    period = make_period(
        province.user("province"),
        province.venues[:1],
        starts_on=date(2027, 1, 31),
        days=2,
        mode="duty_hours",
        duty_hours=[{"start": "08:30", "end": "20:30"}],
        shift_hours=12,
    )
    got = [
        (s.starts_at.astimezone(SH), s.ends_at.astimezone(SH))
        for s in Shift.objects.filter(period=period).order_by("starts_at")
    ]
    assert got == [
        (local(2027, 1, 31, 8, 30), local(2027, 1, 31, 20, 30)),
        (local(2027, 2, 1, 8, 30), local(2027, 2, 1, 20, 30)),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"shift_hours": 6}, "shift_hours"),
        ({"mode": "duty_hours", "duty_hours": []}, "duty_hours"),
        (
            {
                "mode": "duty_hours",
                "duty_hours": [
                    {"start": "08:00", "end": "12:00"},
                    {"start": "11:00", "end": "13:00"},
                ],
            },
            "duty_hours",
        ),
        ({"mode": "duty_hours", "duty_hours": [{"start": "25:00", "end": "12:00"}]}, "duty_hours"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_input_is_refused_with_a_named_field_and_nothing_written(province, changes, field):
    with pytest.raises(InvalidInputError) as exc:
        make_period(province.user("province"), province.venues[:2], **changes)
    assert field in {e["field"] for e in exc.value.errors}
    assert not Shift.objects.exists()


def test_a_venue_of_another_county_is_refused(province):
    county_user = province.user("county0")
    with pytest.raises(InvalidInputError) as exc:
        make_period(county_user, [province.venues[0], province.venues[7]])
    assert exc.value.errors[0]["field"] == "venues"


def test_ends_before_it_starts(province):
    user = province.user("province")
    start = date.today() + timedelta(days=3)
    from vcassure.duty.services import special_period_create

    with pytest.raises(InvalidInputError) as exc:
        special_period_create(
            by=user,
            name="x",
            starts_on=start,
            ends_on=start - timedelta(days=1),
            mode="24x7",
            duty_hours=[],
            shift_hours=8,
            venues=[province.venues[0].pk],
        )
    assert exc.value.errors[0]["field"] == "ends_on"
