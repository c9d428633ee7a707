from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "vcassure.duty"
    label = "duty"
    verbose_name = _("特殊时期值班")

    def ready(self) -> None:
        from vcassure.core.subjects import register_labeller
        from vcassure.duty.selectors import shift_labels

        register_labeller("shift", shift_labels)

        from vcassure.duty.receivers import on_staff_detail
        from vcassure.orgs.signals import staff_detail_extras

        staff_detail_extras.connect(on_staff_detail, dispatch_uid="duty.calendar_url")
