from django.urls import path

from vcassure.transfer import views

app_name = "transfer"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/export/", views.export, name="export"),
    path("<str:kind>/template/", views.template, name="template"),
    path("<str:kind>/import/", views.upload, name="import"),
]
