"""`shift.uncovered`: the duty clock's warnings reach webhook subscribers, once per shift and mark."""

import json
from datetime import timedelta

import time_machine

from tests.factories.duty import make_period
from vcassure.duty.models import Shift
from vcassure.duty.notify import duty_sweep
from vcassure.integrations.models import WebhookDelivery


def test_an_uncovered_shift_is_an_event_at_72_and_at_24_hours(province, subscription):
    period = make_period(
        province.user("province"),
        province.venues[:1],
        suggest=False,
        days=1,
        mode="duty_hours",
        duty_hours=[{"start": "08:00", "end": "16:00"}],
    )
    shift = Shift.objects.get(period=period)
    events = WebhookDelivery.objects.filter(event_type="shift.uncovered")

    with time_machine.travel(shift.starts_at - timedelta(hours=80), tick=False):
        duty_sweep()
    assert not events.exists()

    with time_machine.travel(shift.starts_at - timedelta(hours=71), tick=False):
        duty_sweep()
        duty_sweep()
    with time_machine.travel(shift.starts_at - timedelta(hours=23), tick=False):
        duty_sweep()

    rows = list(events.order_by("id"))
    assert [r.subject for r in rows] == [f"shift:{shift.pk}"] * 2
    data = [json.loads(r.body)["data"] for r in rows]
    assert [d["warning"] for d in data] == ["72h", "24h"]
    assert data[0]["venue"] == province.venues[0].pk and data[0]["problem"] == "uncovered"
    assert data[0]["assignee"] is None
