"""The queue for real: a Huey consumer (thread workers, the configured storage) picks up the poke
that a committed notification leaves, and the message reaches the fake gateway."""

import signal
import time

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

from vcassure.notifications import services
from vcassure.notifications.models import Delivery, Notification
from vcassure.orgs.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def consumer():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    HUEY.flush()
    worker = HUEY.create_consumer(workers=2, worker_type="thread", periodic=False)
    worker.start()
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    yield worker
    worker.stop(graceful=True)


def wait_for(predicate, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_configured_queue_is_used(settings):
    assert type(HUEY).__name__ == ("RedisHuey" if settings.REDIS_URL else "SqliteHuey")


def test_committed_notice_is_sent_by_the_worker(tree, fake_sms, consumer):
    people = [StaffFactory(org_unit=tree.townships[i], email="") for i in range(5)]
    with transaction.atomic():
        services.notifications_queue(
            [services.PersonalMessage(staff=p, subject=f"task:{p.pk}", title="保障通知", body="请确认") for p in people],
            topic="meeting:1", kind=Notification.Kind.PUBLISHED,
        )
        assert HUEY.pending_count() == 0  # the queue is poked only when the rows are committed
    assert wait_for(lambda: Delivery.objects.filter(status="sent").count() == 5)
    assert sorted(m["mobile"] for m in fake_sms.messages) == sorted(p.mobile for p in people)
