from django.urls import path

from vcassure.probes import views

app_name = "probes"
urlpatterns = [
    path("equipment/<int:pk>/", views.probe_settings, name="probe_settings"),
    path("equipment/<int:pk>/probe/", views.probe_run_now, name="probe_run_now"),
]
