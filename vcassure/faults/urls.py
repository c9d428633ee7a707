from django.urls import path

from vcassure.faults import views, views_rma

app_name = "faults"
urlpatterns = [
    path("", views.fault_list, name="fault_list"),
    path("<int:pk>/", views.fault_detail, name="fault_detail"),
    path("<int:pk>/restore/", views.fault_restore, name="fault_restore"),
    path("<int:pk>/close/", views.fault_close, name="fault_close"),
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
