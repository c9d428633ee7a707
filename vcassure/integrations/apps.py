from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "vcassure.integrations"
    label = "integrations"
    verbose_name = _("外部系统对接")

    def ready(self) -> None:
        # The queue task registers its wake-up (notifications.wakeups): services wake it by name.
        from vcassure.integrations import receivers, tasks  # noqa: F401

        receivers.connect()
