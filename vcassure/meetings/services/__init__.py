"""Writes for meetings (services/meetings.py), the task-state door (tasks.py), check-in (check_in.py), field work
(field_work.py), coordination tasks (coordination.py), close-out (closeout.py), publishing (publish.py), share links (share_links.py) and the meeting clock (clock.py). Callers may import
the modules or these names."""

from vcassure.meetings.services.check_in import support_task_check_in
from vcassure.meetings.services.closeout import (
    OpenItems,
    meeting_close,
    meeting_open_items,
    meetings_remind_open,
)
from vcassure.meetings.services.coordination import coordination_rollup, coordination_task_complete
from vcassure.meetings.services.field_work import (
    support_task_fault_restored,
    support_task_record_step,
)
from vcassure.meetings.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_move,
    meeting_reschedule,
    meeting_update,
)
from vcassure.meetings.services.publish import meeting_plan, meeting_publish
from vcassure.meetings.services.share_links import (
    SHARE_LINK_MAX_DAYS,
    share_link_create,
    share_link_revoke,
)
from vcassure.meetings.services.tasks import (
    TaskAck,
    TaskMove,
    support_task_acknowledge,
    support_task_mark_notified,
    support_task_transition,
    support_tasks_acknowledge,
    support_tasks_mark_notified,
    support_tasks_move,
    support_tasks_transition,
    task_acknowledge,
)

__all__ = [
    "OpenItems",
    "coordination_rollup",
    "coordination_task_complete",
    "meeting_close",
    "meeting_open_items",
    "meetings_remind_open",
    "SHARE_LINK_MAX_DAYS",
    "TaskAck",
    "TaskMove",
    "meeting_cancel",
    "meeting_create",
    "meeting_move",
    "meeting_plan",
    "meeting_publish",
    "meeting_reschedule",
    "meeting_update",
    "share_link_create",
    "share_link_revoke",
    "support_task_acknowledge",
    "support_task_check_in",
    "support_task_fault_restored",
    "support_task_mark_notified",
    "support_tasks_mark_notified",
    "support_task_record_step",
    "support_task_transition",
    "support_tasks_acknowledge",
    "support_tasks_move",
    "support_tasks_transition",
    "task_acknowledge",
]
