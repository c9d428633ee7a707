"""Queue tasks. They carry no data: the rows are the truth, and the minute sweep sends anything a
lost or flushed queue message would have."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vcassure.integrations.services.events import WEBHOOKS
from vcassure.notifications import wakeups


@wakeups.register(WEBHOOKS)
@db_task()
def send_webhooks_task() -> int:
    from vcassure.integrations.services import webhook_deliveries_drain

    return webhook_deliveries_drain()


@db_periodic_task(crontab(minute="*"))
def sweep_webhooks_task() -> int:
    """Every minute: send what is due, including retries and leases a dead worker left."""
    from vcassure.integrations.services import webhook_deliveries_drain

    return webhook_deliveries_drain()
