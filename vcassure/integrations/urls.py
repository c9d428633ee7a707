from django.urls import path

from vcassure.integrations import views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/",
        views.delivery_replay,
        name="delivery_replay",
    ),
]
