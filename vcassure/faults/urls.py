from django.urls import path

from vcassure.faults.views import hotline, pages, phone

app_name = "faults"
urlpatterns = [
    path("", pages.fault_list, name="fault_list"),
    path("hotline/", hotline.hotline, name="hotline"),
    path("<int:pk>/", pages.fault_detail, name="fault_detail"),
    path("<int:pk>/phone/", phone.fault_phone, name="fault_phone"),
    path("<int:pk>/acknowledge/", pages.fault_acknowledge, name="fault_acknowledge"),
    path("<int:pk>/assign/", pages.fault_assign, name="fault_assign"),
    path("<int:pk>/on-site/", pages.fault_on_site, name="fault_on_site"),
    path("<int:pk>/restore/", pages.fault_restore, name="fault_restore"),
    path("<int:pk>/close/", pages.fault_close, name="fault_close"),
    path("<int:pk>/reopen/", pages.fault_reopen, name="fault_reopen"),
    path("<int:pk>/guidance/", pages.fault_guidance, name="fault_guidance"),
    path("<int:pk>/notify-integrator/", pages.fault_notify_integrator, name="notify_integrator"),
    path("<int:pk>/guidance/<int:event_pk>/photo/", pages.guidance_photo, name="guidance_photo"),
]
