from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "vcassure.meetings"
    label = "meetings"
    verbose_name = _("会议保障")

    def ready(self) -> None:
        from vcassure.meetings.receivers import (
            on_notifications_acknowledged,
            on_notifications_delivered,
        )
        from vcassure.notifications.signals import (
            notifications_acknowledged,
            notifications_delivered,
        )

        notifications_acknowledged.connect(
            on_notifications_acknowledged, dispatch_uid="meetings.task_ack"
        )
        notifications_delivered.connect(
            on_notifications_delivered, dispatch_uid="meetings.task_notified"
        )

        from vcassure.faults.signals import fault_restored
        from vcassure.meetings.receivers import on_fault_restored

        fault_restored.connect(on_fault_restored, dispatch_uid="meetings.fault_restored")

        from vcassure.faults.signals import fault_reopened
        from vcassure.meetings.receivers import on_fault_reopened

        fault_reopened.connect(on_fault_reopened, dispatch_uid="meetings.fault_reopened")

        from vcassure.faults.signals import fault_opened
        from vcassure.meetings.receivers import on_fault_opened

        fault_opened.connect(on_fault_opened, dispatch_uid="meetings.fibre_standby")

        from vcassure.meetings.receivers import on_support_tasks_changed
        from vcassure.meetings.signals import support_tasks_changed

        support_tasks_changed.connect(on_support_tasks_changed, dispatch_uid="meetings.rollup")

        # Lower apps show "meeting:3" and "task:12" as what they are.
        from vcassure.core.subjects import register_labeller
        from vcassure.meetings.selectors.meetings import meeting_labels
        from vcassure.meetings.selectors.tasks import task_labels

        register_labeller("meeting", meeting_labels)
        register_labeller("task", task_labels)

        # Sibling apps (duty rosters, calendar feeds) see a person's tasks through core.agenda.
        from vcassure.core.agenda import register_agenda_source
        from vcassure.meetings.selectors.tasks import task_agenda

        register_agenda_source("task", task_agenda)

        # Routine work hands an inspection to the backup person when the primary has a meeting.
        from vcassure.core.availability import register_busy_provider
        from vcassure.meetings.selectors.tasks import staff_with_venue_tasks_on

        register_busy_provider("meetings", staff_with_venue_tasks_on)
