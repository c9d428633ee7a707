"""The queue for real: a Huey consumer (thread workers, the configured storage) picks up the poke
that a committed notification leaves, and the message reaches the fake gateway."""

import signal
import time

import pytest
from django.db import OperationalError, transaction
from huey.contrib.djhuey import HUEY

from tests.factories.orgs import StaffFactory
from vcassure.core.models import AuditEvent
from vcassure.notifications import services
from vcassure.notifications.models import Delivery, Notification

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
    """Poll until predicate() holds. The test database on SQLite is an in-memory one whose cache
    the consumer's threads share, and there a read that meets a worker's open write fails at once
    ("database table is locked": shared-cache table locks wait for nobody); such a poll is retried."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
        time.sleep(0.1)
    return False


def test_the_configured_queue_is_used(settings):
    assert type(HUEY).__name__ == ("RedisHuey" if settings.REDIS_URL else "SqliteHuey")


def test_committed_notice_is_sent_by_the_worker(tree, fake_sms, consumer):
    people = [StaffFactory(org_unit=tree.townships[i], email="") for i in range(5)]
    with transaction.atomic():
        services.notifications_queue(
            [
                services.PersonalMessage(
                    staff=p, subject=f"task:{p.pk}", title="保障通知", body="请确认"
                )
                for p in people
            ],
            topic="meeting:1",
            kind=Notification.Kind.PUBLISHED,
        )
        assert HUEY.pending_count() == 0  # the queue is poked only when the rows are committed
    assert wait_for(lambda: Delivery.objects.filter(status="sent").count() == 5)
    assert sorted(m["mobile"] for m in fake_sms.messages) == sorted(p.mobile for p in people)


def test_the_worker_applies_a_link_acknowledgement_moments_later(
    tree, fake_sms, consumer, monkeypatch
):
    from vcassure.notifications import tokens, wakeups

    monkeypatch.setattr(
        wakeups, "_next_effects_wake", 0.0
    )  # an earlier test of this process may have woken the worker
    person = StaffFactory(org_unit=tree.townships[0], email="")
    with transaction.atomic():
        [notice] = services.notifications_queue(
            [
                services.PersonalMessage(
                    staff=person, subject="coord:1", title="保障通知", body="请确认"
                )
            ],
            topic="meeting:1",
            kind=Notification.Kind.PUBLISHED,
        )
    token = tokens.make_token(
        notification_id=notice.pk, staff_id=person.pk, nonce=notice.token_nonce
    )
    # The person opens the link once the message has reached them (the worker has sent it and
    # written its outcome: on SQLite's shared in-memory test database a write racing the worker's
    # own would fail as "table is locked", which a real database file waits out).
    assert wait_for(lambda: Delivery.objects.filter(notification=notice, status="sent").exists())
    assert services.notification_ack_by_token(token).first_time
    assert wait_for(
        lambda: not Notification.objects.filter(pk=notice.pk, ack_effects_pending=True).exists()
    )
    assert (
        AuditEvent.objects.filter(
            action="notification.acknowledge", object_id=str(notice.pk)
        ).count()
        == 1
    )


def test_one_transaction_pokes_the_queue_once(tree, fake_sms):
    HUEY.flush()
    people = [StaffFactory(org_unit=tree.townships[i], email="") for i in range(3)]
    with transaction.atomic():
        for p in people:  # three separate calls in one transaction, as a publish makes
            services.notifications_queue(
                [
                    services.PersonalMessage(
                        staff=p, subject=f"task:{p.pk}", title="通知", body="请确认"
                    )
                ],
                topic="meeting:1",
                kind=Notification.Kind.PUBLISHED,
            )
    assert HUEY.pending_count() == 1
    with transaction.atomic():
        services.notifications_queue(
            [
                services.PersonalMessage(
                    staff=people[0], subject="task:x", title="通知", body="请确认"
                )
            ],
            topic="meeting:2",
            kind=Notification.Kind.PUBLISHED,
        )
    assert HUEY.pending_count() == 2
