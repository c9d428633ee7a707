from django.urls import path

from vcassure.duty import views

app_name = "duty"
urlpatterns = [
    path("", views.period_list, name="period_list"),
    path("periods/<int:pk>/", views.period_detail, name="period_detail"),
    path("periods/<int:pk>/suggest/", views.period_suggest, name="period_suggest"),
    path("periods/<int:pk>/grid/", views.period_grid, name="period_grid"),
    path("periods/<int:pk>/live/", views.period_live, name="period_live"),
    path("periods/<int:pk>/report/", views.period_report, name="period_report"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/cell/", views.shift_cell, name="shift_cell"),
    path("shifts/<int:pk>/assign/", views.shift_assign, name="shift_assign"),
    path("shifts/<int:pk>/check-in/", views.shift_check_in, name="shift_check_in"),
    path("shifts/<int:pk>/check-out/", views.shift_check_out, name="shift_check_out"),
    path("shifts/<int:pk>/swap/", views.swap_request, name="swap_request"),
    path("swaps/", views.swap_list, name="swap_list"),
    path("swaps/<int:pk>/answer/", views.swap_answer, name="swap_answer"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap_decide"),
    path("mine/", views.my_duty, name="my_duty"),
    path("calendar/", views.calendar_page, name="calendar_page"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
