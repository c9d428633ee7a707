"""Writes for notifications: the working calendar (calendar.py); queuing messages and managing IM
groups (messages.py, groups.py); escalation ladders (policies.py); the dispatch desk (desk.py);
acknowledging them (acknowledgements.py)."""

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
from vcassure.notifications.services.desk import (  # noqa: F401
    PHONE_CALL_NOTE_MAX_LENGTH,
    PHONE_CALL_OUTCOMES,
    phone_call_number_reveal,
    phone_call_record,
)
from vcassure.notifications.services.groups import (  # noqa: F401
    check_group_coverage,
    groups_covering,
    im_group_alert_administrators,
    im_group_create,
    im_group_test_queue,
    im_group_update,
)
from vcassure.notifications.services.messages import (  # noqa: F401
    BULK_BATCH,
    PersonalMessage,
    direct_message_queue,
    group_digests_queue,
    notifications_cancel,
    notifications_queue,
)
from vcassure.notifications.services.policies import (  # noqa: F401
    ESCALATION_ACTIONS,
    escalation_policies,
    escalation_policy_save,
    escalation_steps_for,
    escalation_steps_problems,
)
