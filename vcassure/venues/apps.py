from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "vcassure.venues"
    label = "venues"
    verbose_name = _("会场与设备")

    def ready(self) -> None:
        from vcassure.orgs.selectors import tree_counter_register
        from vcassure.venues.models import Venue

        tree_counter_register(
            "venues", _("会场"), lambda: Venue.objects.filter(is_active=True), "org_unit__path"
        )
