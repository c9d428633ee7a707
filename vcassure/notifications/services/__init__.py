"""Writes for notifications: the working calendar (calendar.py); queuing messages and managing IM
groups (messages.py); acknowledging them (acknowledgements.py)."""

from vcassure.notifications.services.acknowledgements import (  # noqa: F401
    AckError,
    acknowledgements_apply,
    acknowledgements_apply_all,
    notification_ack_by_token,
    notification_from_token,
    notifications_acknowledge,
)
from vcassure.notifications.services.calendar import (  # noqa: F401
    MAX_IMPORT_ROWS,
    MAX_YEAR,
    MIN_YEAR,
    NOTE_MAX_LENGTH,
    WorkingDayRow,
    WorkingDaysImportResult,
    working_day_delete,
    working_day_set,
    working_days_import,
    working_days_validate,
)
from vcassure.notifications.services.messages import (  # noqa: F401
    BULK_BATCH,
    CHANNEL_REQUIREMENTS,
    IM_GROUP_FIELDS,
    PersonalMessage,
    channel_is_configured,
    check_group_coverage,
    escalation_policies,
    escalation_policy_save,
    escalation_steps_for,
    escalation_steps_problems,
    group_digests_queue,
    groups_covering,
    im_group_alert_administrators,
    im_group_create,
    im_group_update,
    notifications_cancel,
    notifications_queue,
    personal_channels_for,
    personal_delivery_build,
    poke_outbox_on_commit,
    recipient_payload,
    unanswered_q,
)
