"""Queue wake-ups: the one place that asks the worker to act soon. The queue tasks register here
(tasks.py, imported by apps.ready) so that services never import the task layer. A wake-up only
hastens work: the rows are the truth and the minute sweep finds anything a lost message carried."""

import time
from collections.abc import Callable
from typing import Any

from django.db import transaction

OUTBOX = "outbox"
ACK_EFFECTS = "ack_effects"
# Link acknowledgements: at most one wake-up per process per this many seconds, run that long
# after it was sent, so that it sees every acknowledgement recorded in the meantime.
EFFECTS_DELAY_SECONDS = 1.0

_tasks: dict[str, Any] = {}
_next_effects_wake = 0.0


def register(name: str) -> Callable[[Any], Any]:
    """Decorator for a queue task that `wake(name)` runs."""

    def remember(task: Any) -> Any:
        _tasks[name] = task
        return task

    return remember


def wake(name: str, *, delay: float | None = None) -> None:
    task = _tasks.get(name)
    if task is None:  # the app registry was not loaded: the minute sweep will do it
        return
    if delay is None:
        task()
    else:
        task.schedule(delay=delay)


def _wake_outbox() -> None:
    wake(OUTBOX)


def outbox_wake_on_commit() -> None:
    """Wake the sender once the rows are committed: one queue message per transaction, however
    many messages it queued (a publish queues digests for every group and the personal notices)."""
    connection = transaction.get_connection()
    # Django keeps the callbacks of the open transaction in run_on_commit (dropped on rollback).
    if connection.in_atomic_block and any(
        func is _wake_outbox for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_wake_outbox)


def outbox_wake_in(delay_seconds: float) -> None:
    """Wake the sender when a retry falls due."""
    wake(OUTBOX, delay=max(1, int(delay_seconds)))


def ack_effects_wake() -> None:
    """Make the worker apply pending acknowledgement effects soon (throttled per process)."""
    global _next_effects_wake
    now = time.monotonic()
    if now < _next_effects_wake:
        return
    _next_effects_wake = now + EFFECTS_DELAY_SECONDS
    wake(ACK_EFFECTS, delay=EFFECTS_DELAY_SECONDS)
