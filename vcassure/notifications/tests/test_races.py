"""Concurrency on PostgreSQL (row locks and skip-locked are real there): two sweepers never climb
the same rung twice, and acknowledgements racing from many clients count once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction

from tests.factories.notifications import T0
from tests.factories.orgs import StaffFactory
from vcassure.core.models import AuditEvent
from vcassure.notifications import escalation, services, tokens
from vcassure.notifications.models import Delivery, Notification

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level locking races need PostgreSQL"
    ),
]


def in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


def queue(people):
    with transaction.atomic():
        return services.notifications_queue(
            [
                services.PersonalMessage(
                    staff=p, subject=f"task:{p.pk}", title="保障通知", body="请确认"
                )
                for p in people
            ],
            topic="meeting:1",
            kind=Notification.Kind.PUBLISHED,
        )


def test_two_sweepers_never_escalate_the_same_rung(tree, fake_sms):
    people = [StaffFactory(org_unit=tree.townships[i % 8], email="") for i in range(200)]
    with time_machine.travel(T0, tick=False) as traveller:
        notices = queue(people)
        traveller.move_to(max(n.ack_due_at for n in notices) + timedelta(seconds=1))
        with ThreadPoolExecutor(max_workers=4) as pool:
            climbed = list(
                pool.map(
                    in_thread(lambda _i: escalation.escalations_process_due(limit=50)), range(8)
                )
            )
    assert sum(climbed) == 200
    assert set(
        Notification.objects.filter(kind="published").values_list("escalation_level", flat=True)
    ) == {1}
    # Rung 1 re-notifies by SMS once per person: 200 first sends + 200 re-sends, no more.
    assert Delivery.objects.filter(channel="sms").count() == 400


def test_acknowledgements_racing_count_once(tree):
    person = StaffFactory(org_unit=tree.townships[0], email="")
    [notice] = queue([person])

    @in_thread
    def ack(_i):
        with transaction.atomic():
            return services.notifications_acknowledge(
                recipient_id=person.pk, subject=notice.subject, via="api"
            )

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(ack, range(32)))
    assert results.count(True) == 1
    assert AuditEvent.objects.filter(action="notification.acknowledge").count() == 1


def test_one_link_posted_by_many_clients_at_once_counts_once(tree):
    person = StaffFactory(org_unit=tree.townships[0], email="")
    [notice] = queue([person])
    token = tokens.make_token(
        notification_id=notice.pk, staff_id=person.pk, nonce=notice.token_nonce
    )

    @in_thread
    def ack(_i):
        try:
            return services.notification_ack_by_token(token).first_time
        except services.AckError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(ack, range(32)))
    assert results.count(True) == 1 and results.count("used") == 31
    # Two workers applying at once: each pending answer is applied by exactly one of them.
    with ThreadPoolExecutor(max_workers=2) as pool:
        applied = list(pool.map(in_thread(lambda _i: services.acknowledgements_apply()), range(2)))
    assert sorted(applied) == [0, 1]
    assert AuditEvent.objects.filter(action="notification.acknowledge").count() == 1
