from django.urls import path

from vcassure.faults import views

app_name = "faults"
urlpatterns = [
    path("", views.fault_list, name="fault_list"),
    path("<int:pk>/", views.fault_detail, name="fault_detail"),
    path("<int:pk>/restore/", views.fault_restore, name="fault_restore"),
    path("<int:pk>/close/", views.fault_close, name="fault_close"),
]
