from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from vcassure.ops.permissions import can_scrape_metrics
from vcassure.ops.selectors import MetricsCollector, ops_metrics


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, computed from the database at scrape time: the same answer from any
    gunicorn worker, so nothing is kept per process."""
    if not can_scrape_metrics(request):
        response = HttpResponse("forbidden\n", status=403, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MetricsCollector(ops_metrics()))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
