from django.urls import path

from vcassure.checklists import views

app_name = "checklists"
urlpatterns = [
    path("photos/<int:pk>/", views.photo, name="photo"),
]
