from django.urls import path

from vcassure.meetings.views import closeout, dashboard, joint_tests, tracking
from vcassure.meetings.views import field as field_views
from vcassure.meetings.views import meetings as views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("tasks/mine/", tracking.my_tasks, name="my_tasks"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/notice/", views.notice_download, name="notice_download"),
    path("<int:pk>/publish/", views.meeting_publish, name="meeting_publish"),
    path("<int:pk>/reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/close/", closeout.meeting_close, name="meeting_close"),
    path("tasks/<int:pk>/complete/", closeout.task_complete, name="task_complete"),
    path("<int:pk>/track/", tracking.meeting_track, name="meeting_track"),
    path("<int:pk>/test-matrix/", joint_tests.test_matrix_page, name="test_matrix"),
    path("<int:pk>/test-matrix/rounds/", joint_tests.test_round_create, name="test_round_create"),
    path("<int:pk>/test-matrix/counts/", joint_tests.test_matrix_counts, name="test_matrix_counts"),
    path(
        "<int:pk>/test-matrix/export.xlsx",
        joint_tests.test_matrix_export,
        name="test_matrix_export",
    ),
    path("<int:pk>/dashboard/", dashboard.meeting_dashboard, name="meeting_dashboard"),
    path("<int:pk>/share/", dashboard.share_link_create, name="share_link_create"),
    path("<int:pk>/probes/", dashboard.meeting_probes_now, name="meeting_probes_now"),
    path(
        "<int:pk>/share/<int:link_pk>/revoke/",
        dashboard.share_link_revoke,
        name="share_link_revoke",
    ),
    path("share/<str:token>/", dashboard.share_page, name="share_page"),
    path("tasks/<int:pk>/field/", field_views.task_field, name="task_field"),
    path("tasks/<int:pk>/field/check-in/", field_views.task_check_in, name="task_check_in"),
    path("tasks/<int:pk>/field/access/", field_views.task_report_access, name="task_report_access"),
    path(
        "tasks/<int:pk>/field/steps/<slug:template_code>/<int:number>/",
        field_views.task_step,
        name="task_step",
    ),
    path(
        "tasks/<int:pk>/field/steps/<slug:template_code>/<int:number>/photos/",
        field_views.task_step_photo,
        name="task_step_photo",
    ),
]
