from django.urls import path

from vcassure.notifications import views

app_name = "notifications"
urlpatterns = [
    path("calendar/", views.calendar_year, name="calendar"),
    path("calendar/day/", views.calendar_day, name="calendar_day"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
]
