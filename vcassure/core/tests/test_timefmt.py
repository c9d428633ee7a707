from datetime import datetime
from zoneinfo import ZoneInfo

from vcassure.core.templatetags.vca_time import when

SH = ZoneInfo("Asia/Shanghai")


def test_a_time_today_is_the_hour_and_another_day_carries_its_day(time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 23, 30, tzinfo=SH))
    assert when(datetime(2026, 12, 2, 14, 0, tzinfo=SH)) == "14:00"
    assert when(datetime(2026, 12, 3, 7, 30, tzinfo=SH)) == "12-03 07:30"
    # the same instant written in UTC is still read in the platform's zone
    assert when(datetime(2026, 12, 2, 23, 30, tzinfo=ZoneInfo("UTC"))) == "12-03 07:30"
    assert when(None) == "—"
