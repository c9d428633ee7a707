from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutineConfig(AppConfig):
    name = "vcassure.routine"
    label = "routine"
    verbose_name = _("日常巡检")

    def ready(self) -> None:
        # Duty rosters and the calendar feed see a person's inspections through core.agenda.
        from vcassure.core.agenda import register_agenda_source
        from vcassure.routine.selectors import inspection_agenda

        register_agenda_source("inspection", inspection_agenda)
