from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: the Prometheus metrics of the running platform. At the top of the stack beside
    home: it reads every app below it (counts only) and writes nothing."""

    name = "vcassure.ops"
    label = "ops"
    verbose_name = _("运行监控")
