from django.urls import path

from vcassure.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.venue_list, name="venue_list"),
    path("picker-data/", views.venue_picker_data, name="picker_data"),
    path("<int:pk>/", views.venue_detail, name="venue_detail"),
]
