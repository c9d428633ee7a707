import pytest
from huey.contrib.djhuey import HUEY

from vcassure.home.management.commands.run_platform import Command


@pytest.mark.django_db(
    transaction=True
)  # the worker's threads commit on their own connections (a heartbeat)
def test_in_process_worker_knows_every_periodic_sweeper():
    consumer = Command()._start_worker()
    try:
        periodic = {task.name for task in HUEY._registry.periodic_tasks}
    finally:
        consumer.stop(graceful=True)
    assert {"record_heartbeat_task", "sweep_notifications_task", "sweep_meeting_clock_task"} <= {
        name.rsplit(".", 1)[-1] for name in periodic
    }


def test_demo_mode_gives_every_local_group_a_robot_of_its_own(tree, settings):
    """The fakes, like DingTalk and WeCom, allow 20 messages a minute per robot: two groups sharing
    one fake robot would be blocked by a busy morning of `make run`."""
    from vcassure.home.demo import CHANNEL_SETTINGS, demo_fakes_wire
    from vcassure.notifications import demo
    from vcassure.notifications.channels.base import reset_channels
    from vcassure.notifications.models import ImGroup

    for i in range(5):
        ImGroup.objects.create(
            platform="dingtalk",
            name=f"钉钉群{i}",
            org_unit=tree.province,
            webhook_url=f"http://127.0.0.1:9/robot/send?access_token=t{i}",
        )
    ImGroup.objects.create(
        platform="wecom",
        name="企业微信群",
        org_unit=tree.province,
        webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
    )
    for name in (
        *CHANNEL_SETTINGS,
        "DEMO_FAKES_ENABLED",
    ):  # restored after the test by pytest-django
        setattr(settings, name, getattr(settings, name, None))
    try:
        demo_fakes_wire()
        urls = list(
            ImGroup.objects.filter(platform="dingtalk").values_list("webhook_url", flat=True)
        )
        assert len(set(urls)) == 5 and all(u.startswith(settings.DINGTALK_API_URL) for u in urls)
    finally:
        demo.stop_demo_fakes()
        reset_channels()
