from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProbesConfig(AppConfig):
    name = "vcassure.probes"
    label = "probes"
    verbose_name = _("设备探测")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_save

        from vcassure.probes import receivers
        from vcassure.venues.models import Equipment

        pre_save.connect(
            receivers.on_equipment_pre_save, sender=Equipment, dispatch_uid="probes.eq_pre"
        )
        post_save.connect(
            receivers.on_equipment_saved, sender=Equipment, dispatch_uid="probes.eq_saved"
        )
        post_delete.connect(
            receivers.on_equipment_deleted, sender=Equipment, dispatch_uid="probes.eq_deleted"
        )
