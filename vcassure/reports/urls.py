from django.urls import path

from vcassure.reports import views

app_name = "reports"
urlpatterns = [
    path("meetings/<int:pk>/", views.meeting_report_page, name="meeting_report"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("kpis/charts/<slug:name>.svg", views.kpi_chart, name="kpi_chart"),
]
