"""The outbox against local fake servers: rows first, sends with leases, rate limits held,
retries and failover, nothing lost when a worker dies, escalation climbing exactly once."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.db import transaction

from tests.factories.notifications import T0, queue_for
from tests.factories.orgs import StaffFactory
from vcassure.core import clock
from vcassure.notifications import escalation, outbox, services
from vcassure.notifications.models import Delivery, ImGroup, Notification, PhoneCallTask
from vcassure.orgs.models import Staff


def group(platform, url, unit, secret=""):
    return ImGroup.objects.create(
        platform=platform, name=f"{platform}群", webhook_url=url, secret=secret, org_unit=unit
    )


def test_digest_reaches_signed_dingtalk_robot_and_wecom_robot(tree, fake_dingtalk, fake_wecom):
    secret = fake_dingtalk.new_secret()
    robot = fake_dingtalk.add_robot(secret=secret)
    wecom_robot = fake_wecom.add_robot()
    groups = [
        group("dingtalk", robot.webhook_url, tree.province, secret),
        group("wecom", wecom_robot.webhook_url, tree.province),
    ]
    with time_machine.travel(T0, tick=False), transaction.atomic():
        services.group_digests_queue(
            topic="meeting:1",
            groups=groups,
            title="保障通知",
            markdown="### 保障通知\n- 一号会场",
            text="保障通知",
            mentions={groups[0].pk: ["13800000001"], groups[1].pk: ["13800000001"]},
        )
    with time_machine.travel(T0, tick=False):
        assert outbox.outbox_drain() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    [message] = fake_dingtalk.robot_messages(robot.token)
    assert "13800000001" in message["at"]["atMobiles"]
    assert wecom_robot.messages and fake_dingtalk.errors == [] and fake_wecom.errors == []


def test_robot_limit_held_nothing_lost(tree, fake_dingtalk):
    robot = fake_dingtalk.add_robot()
    g = group("dingtalk", robot.webhook_url, tree.province)
    with time_machine.travel(T0, tick=False) as traveller:
        with transaction.atomic():
            for i in range(25):
                services.group_digests_queue(
                    topic=f"meeting:{i}",
                    groups=[g],
                    title=f"会议{i}",
                    markdown=f"会议{i}",
                    text=f"会议{i}",
                    mentions={},
                )
        outbox.outbox_drain()
        assert len(fake_dingtalk.robot_messages(robot.token)) == 20
        assert Delivery.objects.filter(status="queued").count() == 5
        traveller.shift(timedelta(seconds=61))
        fake_dingtalk.clock.advance(61)
        outbox.outbox_drain()
    assert len(fake_dingtalk.robot_messages(robot.token)) == 25
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    # The robot never had to refuse us (one attempt each): the limiter, not the provider, kept the pace.
    assert all(d.attempts == 1 for d in Delivery.objects.all())


def test_blocked_robot_pauses_and_resumes(tree, fake_dingtalk):
    robot = fake_dingtalk.add_robot()
    g = group("dingtalk", robot.webhook_url, tree.province)
    fake_dingtalk.respond_next(
        200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
    )
    with time_machine.travel(T0, tick=False) as traveller:
        with transaction.atomic():
            services.group_digests_queue(
                topic="meeting:1", groups=[g], title="t", markdown="m", text="m", mentions={}
            )
        outbox.outbox_drain()
        g.refresh_from_db()
        delivery = Delivery.objects.get()
        assert delivery.status == "queued" and "130101" in delivery.last_error
        assert g.paused_until is not None
        traveller.shift(timedelta(minutes=11))
        outbox.outbox_drain()
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2


def test_bad_robot_token_alerts_administrator(tree, fake_dingtalk):
    g = group("dingtalk", fake_dingtalk.robot_url("unknown-token"), tree.province)
    with time_machine.travel(T0, tick=False):
        with transaction.atomic():
            services.group_digests_queue(
                topic="meeting:1", groups=[g], title="t", markdown="m", text="m", mentions={}
            )
        outbox.outbox_drain()
    g.refresh_from_db()
    assert g.needs_attention and Delivery.objects.get(group=g).status == "failed"
    # The dispatch desk (who administer the groups) is told, once.
    alerts = Notification.objects.filter(topic=f"im_group:{g.pk}")
    assert (
        alerts.count()
        == Staff.objects.filter(department__org_unit=tree.province, department__kind="ops").count()
    )
    assert all("机器人地址或加签密钥无效" in a.body for a in alerts)


def test_outage_fails_over_within_a_minute_and_delivers_after_recovery(tree, fake_sms, fake_smtp):
    person = StaffFactory(
        org_unit=tree.townships[0], mobile="13900000001", email="zhang@example.com"
    )
    fake_sms.outage(300, status=500)
    with time_machine.travel(T0, tick=False) as traveller:
        [notification] = queue_for([person])
        outbox.outbox_drain()
        sms = Delivery.objects.get(channel="sms")
        assert sms.status == "queued" and sms.attempts == 1
        email = Delivery.objects.get(channel="email")
        assert email.status == "sent" and email.failover_of == sms  # failover within the same sweep
        assert fake_smtp.received[0].rcpt_tos == ["zhang@example.com"]
        for _ in range(8):  # the outage lasts 5 minutes; the sweeper keeps retrying with backoff
            traveller.shift(timedelta(seconds=60))
            fake_sms.clock.advance(60)
            outbox.outbox_drain()
    sms.refresh_from_db()
    assert sms.status == "sent"
    assert len(fake_sms.messages) == 1 and "ack/" in fake_sms.messages[0]["content"]


def test_timeouts_are_retried(tree, fake_sms):
    person = StaffFactory(org_unit=tree.townships[0], email="")
    fake_sms.outage(None, mode="hang")
    with time_machine.travel(T0, tick=False) as traveller:
        queue_for([person])
        outbox.outbox_drain()
        delivery = Delivery.objects.get()
        assert delivery.status == "queued" and delivery.attempt_log.get().retryable
        fake_sms.recover()
        traveller.shift(timedelta(seconds=11))
        outbox.outbox_drain()
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_every_attempt_carries_the_delivery_as_its_ref(tree, fake_sms):
    """The same ref on every attempt, so a gateway can drop the repeat that follows a worker killed
    between the gateway's answer and recording it."""
    people = [StaffFactory(org_unit=tree.townships[i], email="") for i in range(3)]
    with time_machine.travel(T0, tick=False):
        queue_for(people)
        fake_sms.respond_next(503, {"code": "BUSY"})
        outbox.outbox_drain()
    with time_machine.travel(T0, tick=False) as traveller:
        traveller.shift(timedelta(minutes=5))
        outbox.outbox_drain()
    refs = [r.json["ref"] for r in fake_sms.received]
    assert sorted(set(refs)) == sorted(
        f"delivery-{pk}" for pk in Delivery.objects.values_list("pk", flat=True)
    )
    assert (
        len(refs) == 4 and max(refs.count(ref) for ref in refs) == 2
    )  # the refused one was tried again


def test_worker_killed_mid_dispatch_loses_and_duplicates_nothing(tree, fake_sms):
    people = [StaffFactory(org_unit=tree.townships[i % 8], email="") for i in range(30)]
    with time_machine.travel(T0, tick=False) as traveller:
        queue_for(people)
        claimed = outbox.deliveries_claim(now=clock.now(), limit=10)
        assert len(claimed) == 10  # a worker leased ten rows, then died before sending
        outbox.outbox_drain()  # another worker sends everything else, not the leased rows
        assert len(fake_sms.messages) == 20
        traveller.shift(timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
        outbox.outbox_drain()  # the expired leases are picked up
    assert len(fake_sms.messages) == 30
    assert sorted(m["mobile"] for m in fake_sms.messages) == sorted(p.mobile for p in people)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_escalation_climbs_the_ladder_and_ack_stops_it(tree, fake_sms, chain):
    person, supervisor, head = chain
    with time_machine.travel(T0, tick=False) as traveller:
        [n] = queue_for([person])
        assert n.ack_class == "office" and n.ack_due_at is not None  # SMS only: two working hours
        outbox.outbox_drain()
        traveller.move_to(n.ack_due_at + timedelta(seconds=1))
        assert (
            escalation.escalations_process_due() == 1
        )  # rung 1: re-notify by SMS (voice not configured)
        assert Delivery.objects.filter(notification=n, channel="sms").count() == 2
        assert escalation.escalations_process_due() == 0  # the same rung never twice
        traveller.shift(timedelta(minutes=5))
        assert escalation.escalations_process_due() == 1
        assert Notification.objects.filter(
            recipient=supervisor, kind="escalation", escalates=n
        ).exists()
        traveller.shift(timedelta(minutes=5))
        escalation.escalations_process_due()
        assert Notification.objects.filter(recipient=head, kind="escalation").exists()
        traveller.shift(timedelta(minutes=10))
        escalation.escalations_process_due()
        call = PhoneCallTask.objects.get(notification=n)
        assert call.number == person.mobile and "96311" in call.script
        dispatchers = Staff.objects.filter(
            department__org_unit=tree.province, department__kind="ops"
        )
        assert (
            Notification.objects.filter(recipient__in=dispatchers, kind="escalation").count()
            == dispatchers.count()
        )
        n.refresh_from_db()
        assert n.next_escalation_at is None and n.escalation_level == 4


def test_acknowledgement_stops_escalation_at_once(tree, fake_sms, chain):
    person, supervisor, _head = chain
    with time_machine.travel(T0, tick=False) as traveller:
        [n] = queue_for([person])
        with transaction.atomic():
            assert services.notifications_acknowledge(
                recipient_id=person.pk, subject=n.subject, via="api"
            )
            assert not services.notifications_acknowledge(
                recipient_id=person.pk, subject=n.subject, via="api"
            )
        assert (
            Delivery.objects.get(notification=n).status == "cancelled"
        )  # not sent: already answered
        traveller.shift(timedelta(days=2))
        assert escalation.escalations_process_due() == 0
    assert not Notification.objects.filter(kind="escalation").exists()


def test_im_class_deadline_is_ten_minutes(tree, fake_dingtalk, settings):
    fake_dingtalk.add_app("k", "s", 1)
    settings.DINGTALK_API_URL, settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET = (
        fake_dingtalk.url,
        "k",
        "s",
    )
    settings.DINGTALK_AGENT_ID = "1"
    person = StaffFactory(org_unit=tree.townships[0], dingtalk_user_id="ding-zhang")
    with time_machine.travel(T0, tick=False):
        [n] = queue_for([person])
        assert n.ack_class == "im"
        assert n.ack_due_at == n.created_at + timedelta(minutes=10)


def test_a_robot_out_of_budget_never_holds_up_other_messages(tree, fake_sms):
    """Hundreds of digests waiting for a flagged robot (ahead in the queue) do not stop a personal
    notice queued after them."""
    stuck = group("dingtalk", "http://127.0.0.1:9/robot/send?access_token=x", tree.province)
    ImGroup.objects.filter(pk=stuck.pk).update(needs_attention=True)
    with time_machine.travel(T0, tick=False) as traveller:
        with transaction.atomic():
            for i in range(450):
                services.group_digests_queue(
                    topic=f"meeting:{i}",
                    groups=[stuck],
                    title="会议",
                    markdown="会议",
                    text="会议",
                    mentions={},
                )
        traveller.shift(timedelta(seconds=1))
        [notice] = queue_for([StaffFactory(org_unit=tree.townships[0], email="")])
        assert outbox.outbox_drain() == 1
    assert Delivery.objects.get(notification=notice).status == "sent"
    assert len(fake_sms.messages) == 1
    assert Delivery.objects.filter(group=stuck, status="queued").count() == 450


def test_one_drain_claims_batch_after_batch_and_sends_each_once(tree, fake_sms, monkeypatch):
    """The drain claims the next batch while the last is still being sent: small batches here,
    so one drain makes many claims; every message goes out once, with its one recorded attempt,
    and the tasks' first-reached bookkeeping sees each notice once."""
    monkeypatch.setattr(outbox, "CLAIM_LIMIT", 4)
    monkeypatch.setattr(outbox, "REFILL_BELOW", 3)
    monkeypatch.setattr(outbox, "RECORD_BATCH", 3)
    claims = []
    claim = outbox.deliveries_claim

    def counted(**kwargs):
        claimed = claim(**kwargs)
        claims.append(len(claimed))
        return claimed

    monkeypatch.setattr(outbox, "deliveries_claim", counted)
    people = [StaffFactory(org_unit=tree.townships[i % 8], email="") for i in range(25)]
    with time_machine.travel(T0, tick=False):
        notices = queue_for(people)
        assert outbox.outbox_drain() == 25
        at = clock.now()
    assert sum(claims) == 25 and len(claims) >= 7 and max(claims) == 4
    refs = [m["ref"] for m in fake_sms.messages]
    assert len(refs) == 25 and len(set(refs)) == 25
    sent = Delivery.objects.filter(notification__in=notices)
    assert set(sent.values_list("status", flat=True)) == {"sent"}
    assert all(d.attempts == 1 and d.attempt_log.count() == 1 for d in sent)
    assert all(d.sent_at == at and d.lease_until is None and not d.last_error for d in sent)
