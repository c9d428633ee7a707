from django.urls import path

from vcassure.meetings.views import meetings as views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("venue-picker/", views.venue_picker, name="venue_picker"),
    path("tasks/mine/", views.my_tasks, name="my_tasks"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/notice/", views.notice_download, name="notice_download"),
    path("<int:pk>/publish/", views.meeting_publish, name="meeting_publish"),
    path("<int:pk>/reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/track/", views.meeting_track, name="meeting_track"),
]
