import hmac

from django.conf import settings
from django.http import HttpRequest


def can_scrape_metrics(request: HttpRequest) -> bool:
    """A direct connection from an allowed address (METRICS_ALLOWED_IPS), or the bearer token
    (METRICS_TOKEN). A request relayed by the reverse proxy arrives from the proxy's own address,
    often 127.0.0.1, so one that carries X-Forwarded-For must show the token."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if (
        token
        and header.startswith("Bearer ")
        and hmac.compare_digest(header[7:].strip().encode(), token.encode())
    ):
        return True
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    return request.META.get("REMOTE_ADDR", "") in settings.METRICS_ALLOWED_IPS
