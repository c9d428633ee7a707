from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vcassure.core.services import worker_heartbeat_record


@db_periodic_task(crontab(minute="*"))
def record_heartbeat_task() -> None:
    """Proves that a worker consumes the queue; /api/health shows the last beat."""
    worker_heartbeat_record("default")
