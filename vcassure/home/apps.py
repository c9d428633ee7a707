from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top of the stack: the overview page and the one-command embedded run. It may read
    every app below it; nothing imports it."""

    name = "vcassure.home"
    label = "home"
    verbose_name = _("总览")
