"""The report reads the same number of rows sets whatever the number of venues."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.meetings import published_meeting
from tests.factories.venues import VenueFactory
from vcassure.core import clock
from vcassure.meetings.selectors import meeting_get
from vcassure.reports.selectors import meeting_report

pytestmark = pytest.mark.django_db


def _meeting_of(province, n: int, day: int):
    venues = [
        VenueFactory(org_unit=province.townships[i % len(province.townships)]) for i in range(n)
    ]
    start = (clock.localnow() + timedelta(days=day)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return published_meeting(province, (start, start + timedelta(hours=2)), venues)


def _queries(user, meeting) -> int:
    with CaptureQueriesContext(connection) as ctx:
        meeting_report(meeting_get(user=user, pk=meeting.pk), user=user)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_venues(province, django_assert_max_num_queries):
    user = province.user("province")
    small = _queries(user, _meeting_of(province, 5, 3))
    big = _meeting_of(province, 50, 5)
    with django_assert_max_num_queries(small):
        meeting_report(meeting_get(user=user, pk=big.pk), user=user)
