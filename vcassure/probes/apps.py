from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProbesConfig(AppConfig):
    name = "vcassure.probes"
    label = "probes"
    verbose_name = _("设备探测")
