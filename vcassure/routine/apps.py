from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutineConfig(AppConfig):
    name = "vcassure.routine"
    label = "routine"
    verbose_name = _("日常巡检")
