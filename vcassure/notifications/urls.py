from django.urls import path

from vcassure.notifications.views import calendar, deliveries, desk, groups

app_name = "notifications"
urlpatterns = [
    path("calendar/", calendar.calendar_year, name="calendar"),
    path("calendar/day/", calendar.calendar_day, name="calendar_day"),
    path("calendar/import/", calendar.calendar_import, name="calendar_import"),
    path("desk/", desk.desk, name="desk"),
    path("desk/calls/<int:pk>/number/", desk.phone_call_reveal, name="phone_call_reveal"),
    path("desk/calls/<int:pk>/outcome/", desk.phone_call_outcome, name="phone_call_outcome"),
    path("deliveries/", deliveries.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/", deliveries.delivery_detail, name="delivery_detail"),
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/test/", groups.group_test, name="group_test"),
    path("demo-inbox/", deliveries.demo_inbox, name="demo_inbox"),
    path("demo-inbox/group-reply/", deliveries.demo_group_reply, name="demo_group_reply"),
]
