"""Writes for notifications: the working calendar (calendar.py); queuing and acknowledging
messages, and managing IM groups (messages.py)."""

from vcassure.notifications.services.calendar import (  # noqa: F401
    MAX_IMPORT_ROWS,
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
    AckError,
    PersonalMessage,
    channel_is_configured,
    check_group_coverage,
    escalation_policies,
    escalation_steps_for,
    group_digests_queue,
    groups_covering,
    im_group_create,
    im_group_update,
    notification_ack_by_token,
    notification_from_token,
    notifications_acknowledge,
    notifications_cancel,
    notifications_queue,
    personal_channels_for,
    personal_delivery_build,
    poke_outbox_on_commit,
    recipient_payload,
    unanswered_q,
)
