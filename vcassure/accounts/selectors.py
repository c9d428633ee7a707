from datetime import timedelta

from axes.models import AccessLog
from django.conf import settings

from vcassure.core import clock


def login_address_is_known(*, username: str, ip_address: str) -> bool:
    """Whether `username` logged in successfully from `ip_address` lately (django-axes' access log
    has a row per successful login)."""
    since = clock.now() - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(
        username=username, ip_address=ip_address, attempt_time__gte=since
    ).exists()
