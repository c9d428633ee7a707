from django.urls import path

from vcassure.faults import views_rma
from vcassure.faults.views import hotline, pages, phone

app_name = "faults"
urlpatterns = [
    path("", pages.fault_list, name="fault_list"),
    path("hotline/", hotline.hotline, name="hotline"),
    path("<int:pk>/", pages.fault_detail, name="fault_detail"),
    path("<int:pk>/phone/", phone.fault_phone, name="fault_phone"),
    path("<int:pk>/phone/on-site/", phone.fault_phone_on_site, name="fault_phone_on_site"),
    path("<int:pk>/phone/restore/", phone.fault_phone_restore, name="fault_phone_restore"),
    path("<int:pk>/acknowledge/", pages.fault_acknowledge, name="fault_acknowledge"),
    path("<int:pk>/assign/", pages.fault_assign, name="fault_assign"),
    path("<int:pk>/on-site/", pages.fault_on_site, name="fault_on_site"),
    path("<int:pk>/restore/", pages.fault_restore, name="fault_restore"),
    path("<int:pk>/close/", pages.fault_close, name="fault_close"),
    path("<int:pk>/reopen/", pages.fault_reopen, name="fault_reopen"),
    path("<int:pk>/guidance/", pages.fault_guidance, name="fault_guidance"),
    path("<int:pk>/notify-integrator/", pages.fault_notify_integrator, name="notify_integrator"),
    path("<int:pk>/guidance/<int:event_pk>/photo/", pages.guidance_photo, name="guidance_photo"),
    # RMA and spares (views_rma.py)
    path("rma/", views_rma.rma_list, name="rma_list"),
    path("rma/new/", views_rma.rma_create, name="rma_create"),
    path("rma/<int:pk>/", views_rma.rma_detail, name="rma_detail"),
    path("rma/<int:pk>/step/", views_rma.rma_step, name="rma_step"),
    path("rma/<int:pk>/lend/", views_rma.rma_lend, name="rma_lend"),
    path("rma/<int:pk>/loaner-return/", views_rma.rma_loaner_return, name="rma_loaner_return"),
    path("spares/", views_rma.spare_list, name="spare_list"),
    path("spares/new/", views_rma.spare_create, name="spare_create"),
    path("spares/<int:pk>/lend/", views_rma.spare_lend, name="spare_lend"),
    path("spares/<int:pk>/return/", views_rma.spare_return, name="spare_return"),
]
