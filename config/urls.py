from django.contrib import admin
from django.urls import include, path, re_path

from config.api import api, bad_request, not_found
from vcassure.meetings.views.ack import ack_page

urlpatterns = [
    # Paths under /api/ that the API does not have (its root included, which ninja answers with
    # the site's HTML page) are the API's JSON 404.
    path("api/", not_found),
    path("api/", api.urls),
    path("api/", include([re_path(r"", not_found)])),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("vcassure.accounts.urls")),
    path("org/", include("vcassure.orgs.urls")),
    path("venues/", include("vcassure.venues.urls")),
    path("transfer/", include("vcassure.transfer.urls")),
    path("meetings/", include("vcassure.meetings.urls")),
    path("ack/<str:token>", ack_page, name="ack"),
    path("notifications/", include("vcassure.notifications.urls")),
    path("faults/", include("vcassure.faults.urls")),
    path("probes/", include("vcassure.probes.urls")),
    path("routine/", include("vcassure.routine.urls")),
    path("integrations/", include("vcassure.integrations.urls")),
    path("reports/", include("vcassure.reports.urls")),
    path("duty/", include("vcassure.duty.urls")),
    path("checklists/", include("vcassure.checklists.urls")),
    path("", include("vcassure.ops.urls")),
    path("", include("vcassure.core.urls")),
    path("", include("vcassure.home.urls")),
]

handler400 = bad_request
handler403 = "vcassure.core.error_pages.permission_denied"
handler404 = "vcassure.core.error_pages.page_not_found"
handler500 = "vcassure.core.error_pages.server_error"
