from datetime import timedelta

import pytest

from tests.factories.reports import hand_built_meeting
from vcassure.core import clock


@pytest.fixture
def built(province):
    """The hand-built meeting (tests/factories/reports.py), two days from now at 09:00."""
    start = (clock.localnow() + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return hand_built_meeting(province, start)
