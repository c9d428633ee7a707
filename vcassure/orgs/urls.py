from django.urls import path

from vcassure.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/children/", views.tree_children, name="tree_children"),
    path("departments/", views.department_list, name="department_list"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/reveal-phone/", views.staff_phone_reveal, name="staff_phone_reveal"),
    path("staffing/", views.shortfall_list, name="shortfall_list"),
]
