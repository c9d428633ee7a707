from django.urls import path

from vcassure.ops import views

app_name = "ops"
urlpatterns = [
    path("metrics", views.metrics, name="metrics"),
]
