from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Selectors and exports only: the meeting report and the monthly KPIs (C12). Reads the other
    apps' data; never writes it."""

    name = "vcassure.reports"
    label = "reports"
    verbose_name = _("报表")
