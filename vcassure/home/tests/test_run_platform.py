from huey.contrib.djhuey import HUEY

from vcassure.home.management.commands.run_platform import Command


def test_in_process_worker_knows_every_periodic_sweeper(db):
    consumer = Command()._start_worker()
    try:
        periodic = {task.name for task in HUEY._registry.periodic_tasks}
    finally:
        consumer.stop(graceful=True)
    assert {"record_heartbeat_task", "sweep_notifications_task", "sweep_meeting_clock_task"} <= {
        name.rsplit(".", 1)[-1] for name in periodic}
