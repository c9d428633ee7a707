from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "vcassure.notifications"
    label = "notifications"
    verbose_name = _("通知与确认")

    def ready(self) -> None:
        # The queue tasks register their wake-ups (wakeups.py): services wake them by name.
        from vcassure.notifications import tasks  # noqa: F401
