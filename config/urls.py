from django.contrib import admin
from django.urls import include, path

from config.api import api
from vcassure.meetings.views.ack import ack_page

urlpatterns = [
    path("api/", api.urls),
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
    path("checklists/", include("vcassure.checklists.urls")),
    path("", include("vcassure.ops.urls")),
    path("", include("vcassure.core.urls")),
    path("", include("vcassure.home.urls")),
]
