from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vcassure.core.services import worker_heartbeat_record
from vcassure.core.stored_files import orphan_files_sweep


@db_periodic_task(crontab(minute="*"))
def record_heartbeat_task() -> None:
    """Proves that a worker consumes the queue; /api/health shows the last beat."""
    worker_heartbeat_record("default")


@db_periodic_task(crontab(hour="3", minute="40"))
def orphan_files_sweep_task() -> None:
    """Stored files that no row refers to (a process killed between the file and its commit)."""
    orphan_files_sweep()
