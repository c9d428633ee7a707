"""Signals the meetings app declares, for the apps above it (reports, webhooks) to hear."""

from django.dispatch import Signal

# Sent once per batch by the task-state door (services/tasks.py), inside the transaction that moved
# the tasks: `changes` is a list of TaskChange (task_id, meeting_id, from_state, to_state, at).
support_tasks_changed = Signal()

# Sent after the commit of every move of a meeting's state (services/meetings.py `meeting_move`, the
# one door): kwargs meeting, from_state, to_state, at.
meeting_state_changed = Signal()

# Sent after the commit of a reschedule: kwargs meeting, previous ({"starts_at", "ends_at"}), at.
meeting_rescheduled = Signal()
