from django.urls import path

from vcassure.notifications import views

app_name = "notifications"
urlpatterns = [
    path("calendar/", views.calendar_year, name="calendar"),
    path("calendar/day/", views.calendar_day, name="calendar_day"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
    path("desk/", views.desk, name="desk"),
    path("desk/calls/<int:pk>/number/", views.phone_call_reveal, name="phone_call_reveal"),
    path("desk/calls/<int:pk>/outcome/", views.phone_call_outcome, name="phone_call_outcome"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/test/", views.group_test, name="group_test"),
    path("demo-inbox/", views.demo_inbox, name="demo_inbox"),
]
