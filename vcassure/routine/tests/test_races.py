"""On PostgreSQL: two workers sweeping the same morning make one inspection per plan, venue and
day, and announce it in one digest per person and per group."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from vcassure.notifications.models import Delivery, Notification
from vcassure.routine.models import Inspection
from vcassure.routine.services import routine_sweep

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level locking races need PostgreSQL"
    ),
]


def test_two_workers_one_morning_make_one_inspection_per_venue(province, make_plan):
    morning = timezone.make_aware(datetime(2026, 10, 9, 7, 1))
    with time_machine.travel(morning, tick=False):
        make_plan()

        def sweep(_i):
            try:
                return routine_sweep()
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(sweep, range(4)))
    assert Inspection.objects.count() == 8
    assert Inspection.objects.filter(notified_at__isnull=True).count() == 0
    recipients = list(
        Notification.objects.filter(topic="routine:2026-10-09").values_list(
            "recipient_id", flat=True
        )
    )
    assert len(recipients) == len(set(recipients)) == 8
    assert Delivery.objects.filter(group__isnull=False, topic="routine:2026-10-09").count() == 2
