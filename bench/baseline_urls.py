"""The bench-only URLconf (bench/settings_bench.py): the product's URLs plus the bare baseline of
the acknowledgement burst, a Django view that does one INSERT, and the dashboard's bare table. Never part of the product."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vcassure.core.models import AuditEvent


@csrf_exempt
@require_POST
def one_insert(request: HttpRequest, token: str) -> JsonResponse:
    """The baseline: the same URL shape as POST /api/ack/{token}, the same middleware, one INSERT."""
    event = AuditEvent.objects.create(
        action="bench.baseline", object_type="bench", object_id=token[:64]
    )
    return JsonResponse({"ok": True, "id": event.pk})


def bare_rows(request: HttpRequest, pk: int):
    """The dashboard's baseline: the meeting's venue tasks as a bare table (bench/scenarios.py)."""
    from bench.scenarios import bare_rows as rows

    return rows(request, pk)


urlpatterns = [
    path("bench/insert/<str:token>", one_insert),
    path("bench/rows/<int:pk>/", bare_rows),
    path("", include("config.urls")),
]
