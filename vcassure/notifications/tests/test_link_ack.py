"""Acknowledgement through a personal link: one statement in the request (the answer, the link
used, escalation stopped), the effects applied by the worker in batches."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories.notifications import T0, ack_token, queue_for
from tests.factories.orgs import StaffFactory
from vcassure.core.models import AuditEvent
from vcassure.notifications import escalation, outbox, services
from vcassure.notifications.models import Delivery, Notification
from vcassure.notifications.tasks import sweep_notifications_task

pytestmark = pytest.mark.django_db


def test_the_answer_is_one_statement_and_the_sender_holds_its_resends(tree, fake_sms):
    person = StaffFactory(org_unit=tree.townships[0], email="")
    with time_machine.travel(T0, tick=False):
        [notice] = queue_for([person])
        with CaptureQueriesContext(connection) as queries:
            ack = services.notification_ack_by_token(ack_token(notice))
        assert ack.first_time and len(queries.captured_queries) == 1
        notice.refresh_from_db()
        assert notice.acknowledged_at == ack.acknowledged_at and notice.next_escalation_at is None
        assert notice.token_used_at is not None and notice.ack_effects_pending
        # Until the effects are applied, the queued SMS is not sent.
        assert outbox.deliveries_claim(now=notice.acknowledged_at + timedelta(seconds=1)) == []
        assert services.acknowledgements_apply() == 1
    assert Delivery.objects.get(notification=notice).status == "cancelled"
    assert not fake_sms.messages
    notice.refresh_from_db()
    assert not notice.ack_effects_pending
    audit = AuditEvent.objects.get(action="notification.acknowledge", object_id=str(notice.pk))
    assert audit.at == notice.acknowledged_at and audit.changes == {
        "via": "link",
        "subject": notice.subject,
    }
    assert services.acknowledgements_apply() == 0


def test_the_persons_other_open_notices_on_the_subject_are_answered_too(tree, fake_sms):
    person = StaffFactory(org_unit=tree.townships[0], email="")
    [older] = queue_for([person])
    [newer] = queue_for([person])
    services.notification_ack_by_token(ack_token(newer))
    services.acknowledgements_apply()
    older.refresh_from_db()
    assert (
        older.acknowledged_at is not None
        and older.acknowledged_via == "link"
        and older.next_escalation_at is None
    )
    assert set(
        Delivery.objects.filter(notification__in=[older, newer]).values_list("status", flat=True)
    ) == {"cancelled"}
    assert AuditEvent.objects.filter(action="notification.acknowledge").count() == 1


def test_a_batch_costs_the_same_statements_whatever_its_size(tree, fake_sms):
    def statements_to_apply(n: int) -> int:
        people = [StaffFactory(org_unit=tree.townships[i % 8], email="") for i in range(n)]
        for notice in queue_for(people):
            services.notification_ack_by_token(ack_token(notice))
        with CaptureQueriesContext(connection) as queries:
            assert services.acknowledgements_apply() == n
        return len(queries.captured_queries)

    assert statements_to_apply(3) == statements_to_apply(40)


def test_used_cancelled_and_answered_elsewhere(tree, fake_sms):
    person, other = (
        StaffFactory(org_unit=tree.townships[0], email=""),
        StaffFactory(org_unit=tree.townships[1], email=""),
    )
    [first, second] = queue_for([person, other])
    services.notification_ack_by_token(ack_token(first))
    with pytest.raises(services.AckError) as used:
        services.notification_ack_by_token(ack_token(first))
    assert used.value.code == "used" and "已使用过" in used.value.reason
    # Answered on the task page first: the link still works once, and says so.
    with transaction.atomic():
        services.notifications_acknowledge(recipient_id=other.pk, subject=second.subject, via="api")
    late = services.notification_ack_by_token(ack_token(second))
    second.refresh_from_db()
    assert (
        not late.first_time
        and late.acknowledged_at == second.acknowledged_at
        and second.acknowledged_via == "api"
    )
    assert not second.ack_effects_pending and second.token_used_at is not None
    # A withdrawn notice (meeting cancelled) cannot be acknowledged.
    [third] = queue_for(
        [StaffFactory(org_unit=tree.townships[2], email="")], subject_prefix="coord"
    )
    services.notifications_cancel(topic="meeting:1")
    with pytest.raises(services.AckError) as cancelled:
        services.notification_ack_by_token(ack_token(third))
    assert cancelled.value.code == "cancelled"
    third.refresh_from_db()
    assert third.acknowledged_at is None and third.token_used_at is None


def test_the_minute_sweep_applies_answers_before_escalating(tree, fake_sms, chain):
    person, _supervisor, _head = chain
    with time_machine.travel(T0, tick=False) as traveller:
        [older] = queue_for([person])
        [newer] = queue_for([person])
        services.notification_ack_by_token(ack_token(newer))
        traveller.move_to(older.ack_due_at + timedelta(minutes=1))
        sweep_notifications_task.call_local()
        assert escalation.escalations_process_due() == 0
    older.refresh_from_db()
    assert older.acknowledged_at is not None and older.escalation_level == 0
    assert not Notification.objects.filter(kind="escalation").exists()
