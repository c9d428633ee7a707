"""The sender: picks due deliveries with a lease, sends them outside any transaction, records each
attempt, retries with backoff and fails over to the person's next channel. Group robots stay
within their per-minute limit through the database (sent rows in the last minute), so several
workers share one limiter and nothing is flooded or lost."""

import logging
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q

from vcassure.core import clock
from vcassure.core.bulk import bulk_insert
from vcassure.core.locking import skip_locked
from vcassure.notifications import wakeups
from vcassure.notifications.channels.base import Message, Recipient, SendResult, Target, get_channel
from vcassure.notifications.delivery import personal_channels_for, personal_delivery_build
from vcassure.notifications.models import Delivery, DeliveryAttempt, ImGroup, Notification
from vcassure.notifications.signals import Delivered, notifications_delivered

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = [10, 30, 60, 120, 300, 600]
FAILOVER_AFTER_ATTEMPTS = 1  # a personal message moves to the next channel after its first failure
SEND_THREADS = 16  # concurrent sends of one worker (and NOTIFY_SENDS_PER_HOST per provider host)
CLAIM_LIMIT = 400  # deliveries leased per claim
RECORD_BATCH = 100  # outcomes written per transaction
REFILL_BELOW = 200  # the next batch is claimed when fewer sends than this are outstanding


def _group_budgets(now: datetime) -> dict[int, int]:
    """How many more messages each group robot may take this minute (0: paused, flagged for an
    administrator, inactive, or its limit reached). Groups are few; all of them in two queries."""
    recent = dict(
        Delivery.objects.filter(group__isnull=False)
        .filter(
            Q(sent_at__gte=now - timedelta(seconds=60))
            | Q(status=Delivery.Status.SENDING, lease_until__gte=now)
        )
        .values_list("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    budget = {}
    for group in ImGroup.objects.only(
        "id", "is_active", "needs_attention", "paused_until", "rate_per_minute"
    ):
        paused = group.paused_until and group.paused_until > now
        usable = group.is_active and not group.needs_attention and not paused
        budget[group.pk] = max(0, group.rate_per_minute - recent.get(group.pk, 0)) if usable else 0
    return budget


def deliveries_claim(*, now: datetime, limit: int = CLAIM_LIMIT) -> list[Delivery]:
    """Lease due deliveries (queued and due, or sending with an expired lease: a worker died),
    never more per group robot than its budget for the current minute. Rows of robots with no
    budget left are not even read, so however many wait for them, everything else still goes."""
    due = Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, lease_until__lt=now
    )
    # A notice answered through its link moments ago: its queued sends are about to be cancelled
    # (acknowledgements_apply); never send them meanwhile.
    answered = Notification.objects.filter(ack_effects_pending=True).values("id")
    with transaction.atomic():
        budget = _group_budgets(now)
        waiting = [gid for gid, left in budget.items() if left <= 0]
        candidates = list(
            skip_locked(
                Delivery.objects.filter(due)
                .exclude(notification_id__in=answered)
                .exclude(group_id__in=waiting)
                .order_by("next_attempt_at", "id")
            )[: limit * 2]
        )
        claimed = []
        for d in candidates:
            if d.group_id:
                if budget.get(d.group_id, 0) <= 0:
                    continue
                budget[d.group_id] -= 1
            claimed.append(d)
            if len(claimed) >= limit:
                break
        if not claimed:
            return []
        lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            status=Delivery.Status.SENDING, lease_until=lease_until, updated_at=now
        )
        for d in claimed:
            d.status, d.lease_until = Delivery.Status.SENDING, lease_until
        return claimed


def _message_and_target(delivery: Delivery) -> tuple[Message, Target]:
    p = delivery.payload
    message = Message(
        title=p.get("title", ""),
        text=p.get("text", ""),
        markdown=p.get("markdown", ""),
        html=p.get("html", ""),
        link_url=p.get("link_url", ""),
        mention_mobiles=tuple(p.get("mention_mobiles", [])),
        mention_user_ids=tuple(p.get("mention_user_ids", [])),
        # The same on every attempt: a provider that deduplicates on it drops the repeat that
        # follows a worker killed between the provider's answer and recording it.
        extra={"ref": f"delivery-{delivery.pk}"},
    )
    group = delivery.group
    if group is not None:
        return message, Target(webhook_url=group.webhook_url, secret=group.secret)
    r = p.get("recipient", {})
    return message, Target(
        recipient=Recipient(
            staff_id=r.get("staff_id"),
            name=r.get("name", ""),
            mobile=r.get("mobile", ""),
            email=r.get("email", ""),
            dingtalk_user_id=r.get("dingtalk_user_id", ""),
            wecom_user_id=r.get("wecom_user_id", ""),
        )
    )


def _send(delivery: Delivery) -> tuple[SendResult, int]:
    started = time.perf_counter()
    try:
        message, target = _message_and_target(delivery)
        result = get_channel(delivery.channel).send(message, target)
    except Exception as exc:  # an adapter bug must not lose the row: record it and retry later
        logger.exception("channel %s raised", delivery.channel)
        result = SendResult(
            ok=False, error=f"{exc.__class__.__name__}: {exc}"[:500], retryable=True
        )
    return result, int((time.perf_counter() - started) * 1000)


@dataclass(frozen=True)
class Outcome:
    """What one send of a claimed delivery came to."""

    delivery: Delivery
    result: SendResult
    duration_ms: int = 0


def _with_groups(claimed: list[Delivery]) -> list[Delivery]:
    groups = ImGroup.objects.in_bulk({d.group_id for d in claimed if d.group_id})
    for d in claimed:
        if d.group_id:
            d.group = groups[d.group_id]
    return claimed


def outbox_drain(*, max_batches: int = 50) -> int:
    """Send everything due now; returns how many sends were attempted (used by the queue task and
    by tests).

    The sends run concurrently (at most SEND_THREADS, and at most NOTIFY_SENDS_PER_HOST at one
    provider host: channels/_http.py). The next batch is claimed while the last one is still being
    sent (once fewer than REFILL_BELOW sends are outstanding), so the senders never wait for a
    claim or for the last outcomes of a batch to be written. Outcomes are written in batches of
    RECORD_BATCH as they come back, so a worker killed mid-drain repeats at most the sends of one
    unwritten batch after their lease runs out, each with the same ref (the provider's
    deduplication key); rows it had claimed but not sent are picked up when their lease expires.
    When everything in flight is back and written, one more claim picks up what the outcomes made
    due (a failover to the person's next channel)."""
    total = batches = 0
    pending: list[Outcome] = []
    in_flight: dict[Future, Delivery] = {}
    more = True  # the last claim was full: there may be more due right now
    with ThreadPoolExecutor(max_workers=SEND_THREADS) as pool:
        while True:
            if batches < max_batches and (
                (more and len(in_flight) < REFILL_BELOW) or not in_flight
            ):
                if not in_flight:
                    deliveries_record_outcomes(pending)
                    pending = []
                claimed = _with_groups(deliveries_claim(now=clock.now(), limit=CLAIM_LIMIT))
                batches += 1
                more = len(claimed) >= CLAIM_LIMIT
                total += len(claimed)
                in_flight.update({pool.submit(_send, d): d for d in claimed})
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                result, duration_ms = future.result()
                pending.append(Outcome(in_flight.pop(future), result, duration_ms))
            if len(pending) >= RECORD_BATCH:
                deliveries_record_outcomes(pending)
                pending = []
    deliveries_record_outcomes(pending)
    return total


def delivery_record_outcome(
    delivery: Delivery, result: SendResult, *, duration_ms: int = 0
) -> Delivery:
    """Record one send's outcome (see deliveries_record_outcomes)."""
    deliveries_record_outcomes([Outcome(delivery, result, duration_ms)])
    return Delivery.objects.get(pk=delivery.pk)


SENT_SET = (
    "status = %s, sent_at = %s, updated_at = %s, next_attempt_at = NULL, lease_until = NULL, "
    "last_error = '', attempts = attempts + 1, provider_ref = {ref}"
)


@transaction.atomic
def deliveries_record_outcomes(outcomes: Sequence[Outcome]) -> int:
    """Record a batch of send outcomes in one transaction: one locked read of the rows' ids, one
    INSERT of the attempts, one UPDATE of the sent ones; failures (rare) each take their own path
    (retry with backoff, the group's trouble, failover to the person's next channel). A row that is
    no longer being sent (acknowledged or withdrawn meanwhile) is left alone. Notices reached for
    the first time are told to the apps above in one `notifications_delivered` call. Returns how
    many outcomes were recorded."""
    if not outcomes:
        return 0
    now = clock.now()
    # Lock the rows still being sent; only their ids are read (a sent row needs nothing else, and
    # its payload is the largest column).
    sending = set(
        Delivery.objects.select_for_update()
        .filter(pk__in=[o.delivery.pk for o in outcomes], status=Delivery.Status.SENDING)
        .values_list("id", flat=True)
    )
    recorded = [o for o in outcomes if o.delivery.pk in sending]
    if not recorded:
        return 0
    bulk_insert(
        [
            DeliveryAttempt(
                delivery_id=o.delivery.pk,
                at=now,
                ok=o.result.ok,
                error=o.result.error[:500],
                retryable=o.result.retryable,
                duration_ms=o.duration_ms,
                http_status=o.result.http_status,
            )
            for o in recorded
        ]
    )
    sent = [o.delivery for o in recorded if o.result.ok]
    if sent:
        notice_ids = {d.notification_id for d in sent if d.notification_id}
        reached_before = set(
            Delivery.objects.filter(notification_id__in=notice_ids, status=Delivery.Status.SENT)
            .values_list("notification_id", flat=True)
            .distinct()
        )
        refs = {o.delivery.pk: o.result.provider_ref[:100] for o in recorded if o.result.ok}
        for delivery in sent:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = (
                Delivery.Status.SENT,
                now,
                None,
            )
            delivery.provider_ref, delivery.last_error = refs[delivery.pk], ""
            delivery.lease_until, delivery.attempts = None, delivery.attempts + 1
        _mark_sent(list(refs.items()), now)
        first: dict[int, Delivered] = {}
        reached = [d for d in sent if d.notification_id and d.notification_id not in reached_before]
        notices = Notification.objects.only(
            "id", "kind", "subject", "recipient_id", "topic"
        ).in_bulk({d.notification_id for d in reached})
        for delivery in reached:
            notice_id = delivery.notification_id
            if notice_id is not None and notice_id not in first:
                first[notice_id] = Delivered(notices[notice_id], delivery.channel, now)
        if first:
            notifications_delivered.send(sender=Delivery, deliveries=list(first.values()))
    failed = [o for o in recorded if not o.result.ok]
    if failed:
        rows = Delivery.objects.in_bulk([o.delivery.pk for o in failed])  # locked above
        for o in failed:
            _record_failure(rows[o.delivery.pk], o.result, now)
    return len(recorded)


def _mark_sent(refs: list[tuple[int, str]], now: datetime) -> None:
    """The sent rows, each with its provider reference. PostgreSQL: one UPDATE joined to the
    rows' (id, reference) pairs as VALUES; elsewhere one statement run for every row (executemany,
    no SQL compiled per row)."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    fields = {f.attname: f for f in Delivery._meta.concrete_fields}
    sent_at = fields["sent_at"].get_db_prep_value(now, connection)
    status = Delivery.Status.SENT.value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            pairs = ", ".join(["(%s, %s)"] * len(refs))
            cursor.execute(
                # Table and column names come from the model, values are parameters.
                f"UPDATE {table} AS d SET {SENT_SET.format(ref='v.ref')} "  # noqa: S608  # nosec B608
                f"FROM (VALUES {pairs}) AS v(id, ref) WHERE d.id = v.id",
                [status, sent_at, sent_at, *(value for pair in refs for value in pair)],
            )
            return
        cursor.executemany(
            f"UPDATE {table} SET {SENT_SET.format(ref='%s')} WHERE id = %s",  # noqa: S608  # nosec B608
            [(status, sent_at, sent_at, ref, pk) for pk, ref in refs],
        )


def _record_failure(delivery: Delivery, result: SendResult, now: datetime) -> None:
    delivery.attempts += 1
    delivery.lease_until = None
    delivery.last_error = result.error[:500]
    if result.retryable and delivery.attempts < delivery.max_attempts:
        delay = (
            result.retry_after_seconds
            or BACKOFF_SECONDS[min(delivery.attempts - 1, len(BACKOFF_SECONDS) - 1)]
        )
        delivery.status, delivery.next_attempt_at = (
            Delivery.Status.QUEUED,
            now + timedelta(seconds=delay),
        )
        transaction.on_commit(lambda: wakeups.outbox_wake_in(delay))
    else:
        delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
    if delivery.group_id:
        _group_trouble(delivery.group_id, result, now)
    elif delivery.attempts >= FAILOVER_AFTER_ATTEMPTS:
        _failover(delivery, now)
    delivery.save()


def _group_trouble(group_id: int, result: SendResult, now: datetime) -> None:
    fields: dict = {"last_error": result.error[:500], "updated_at": now}
    if result.retry_after_seconds:
        fields["paused_until"] = now + timedelta(seconds=result.retry_after_seconds)
    if result.permanent_target_failure:
        # Bad token or signature: an administrator must fix it. Flag it once and tell them.
        flagged = ImGroup.objects.filter(pk=group_id, needs_attention=False).update(
            needs_attention=True, **fields
        )
        if flagged:
            from vcassure.notifications.services import im_group_alert_administrators

            im_group_alert_administrators(
                ImGroup.objects.get(pk=group_id), error=result.error[:200]
            )
            return
    ImGroup.objects.filter(pk=group_id).update(**fields)


def _failover(delivery: Delivery, now: datetime) -> None:
    """Queue the same message on the person's next channel, once per channel."""
    notification = delivery.notification
    if notification is None or notification.acknowledged_at or notification.is_cancelled:
        return
    channels = personal_channels_for(notification.recipient)
    tried = set(
        Delivery.objects.filter(notification=notification).values_list("channel", flat=True)
    )
    for code in channels:
        if code not in tried:
            Delivery.objects.bulk_create(
                [
                    personal_delivery_build(
                        notification, code, notification.recipient, now=now, failover_of=delivery
                    )
                ]
            )
            wakeups.outbox_wake_on_commit()
            return
