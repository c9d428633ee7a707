import pytest

from tests.factories.duty import make_period


@pytest.fixture
def period(province):
    """A three-day 7×24 period with 8-hour shifts over the four venues of the first city."""
    return make_period(province.user("province"), province.venues[:4])
