from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaultsConfig(AppConfig):
    name = "vcassure.faults"
    label = "faults"
    verbose_name = _("故障")

    def ready(self) -> None:
        from vcassure.core.subjects import register_labeller
        from vcassure.faults import tasks  # noqa: F401  (registers the periodic sweep)
        from vcassure.faults.receivers import on_notifications_acknowledged
        from vcassure.faults.selectors import fault_labels
        from vcassure.notifications.signals import notifications_acknowledged

        notifications_acknowledged.connect(
            on_notifications_acknowledged, dispatch_uid="faults.fault_ack"
        )
        # Notification pages show "fault:7" as the fault's title.
        register_labeller("fault", fault_labels)
