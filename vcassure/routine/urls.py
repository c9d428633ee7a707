from django.urls import path

from vcassure.routine import views

app_name = "routine"
urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("inspections/mine/", views.my_inspections, name="my_inspections"),
    path("inspections/overdue/", views.overdue, name="overdue"),
    path("inspections/<int:pk>/", views.inspection_card, name="inspection_card"),
    path("inspections/<int:pk>/steps/<int:number>/", views.inspection_step, name="inspection_step"),
    path(
        "inspections/<int:pk>/steps/<int:number>/photos/",
        views.inspection_step_photo,
        name="inspection_step_photo",
    ),
]
