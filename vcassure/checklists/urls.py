from django.urls import path

from vcassure.checklists import views

app_name = "checklists"
urlpatterns = [
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
]
