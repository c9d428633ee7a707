"""The webhook sender: claims due outbox rows with a lease (skip-locked, as the notifications
outbox does), POSTs each outside any transaction with the Standard Webhooks headers, records each
outcome at once, retries with exponential backoff, and turns a subscription off after a day of
nothing but failures, telling the administrators.

Order per subject: a row is not due while an earlier row of the same subscription and subject is
still waiting, so a receiver sees `task:12`'s events in the order they happened, each once."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from vcassure.core import clock
from vcassure.core.locking import skip_locked
from vcassure.core.outbound import outbound_url_problem
from vcassure.core.services import audit_record
from vcassure.integrations.models import WebhookDelivery, WebhookSubscription
from vcassure.integrations.services.events import WEBHOOKS
from vcassure.notifications import wakeups
from vcassure.notifications.channels.base import http_client

logger = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, ... failed attempt; the last is repeated.
BACKOFF_SECONDS = [5, 30, 60, 120, 300, 600, 1800, 3600]
# A subscription failing for this long with no success is turned off; a row this old is given up.
GIVE_UP_AFTER = timedelta(days=1)
LEASE_SECONDS = 60
SEND_THREADS = 4
SNIPPET_CHARS = 300
Status = WebhookDelivery.Status


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    snippet: str = ""


def backoff_seconds(attempts: int) -> int:
    return BACKOFF_SECONDS[min(max(attempts, 1) - 1, len(BACKOFF_SECONDS) - 1)]


def webhook_deliveries_claim(*, now: datetime, limit: int = 100) -> list[WebhookDelivery]:
    """Lease due rows of active subscriptions whose subject has nothing earlier still waiting
    (queued, or sending with an expired lease: a worker died)."""
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, lease_until__lt=now
    )
    earlier_waiting = WebhookDelivery.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        subject=OuterRef("subject"),
        id__lt=OuterRef("id"),
        status__in=[Status.PENDING, Status.SENDING],
    )
    active = WebhookSubscription.objects.filter(is_active=True).values("id")
    with transaction.atomic():
        claimed = list(
            skip_locked(
                WebhookDelivery.objects.filter(due, subscription_id__in=active)
                .exclude(Exists(earlier_waiting))
                .order_by("id")
            )[:limit]
        )
        if not claimed:
            return []
        lease_until = now + timedelta(seconds=LEASE_SECONDS)
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            status=Status.SENDING, lease_until=lease_until, updated_at=now
        )
        for d in claimed:
            d.status, d.lease_until = Status.SENDING, lease_until
        return claimed


def sign_headers(*, secret: str, msg_id: str, at: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers; the signature by the `standardwebhooks` package (it reads
    the timestamp as UTC, so it is given one in UTC)."""
    at_utc = at.astimezone(UTC).replace(microsecond=0)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at_utc.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=msg_id, timestamp=at_utc, data=body),
    }


def _send(delivery: WebhookDelivery, subscription: WebhookSubscription) -> Outcome:
    problem = outbound_url_problem(subscription.url, resolve=True)
    if problem is not None:
        return Outcome(ok=False, error=f"url refused ({problem})")
    headers = {
        "content-type": "application/json",
        "user-agent": "VC-Assure-Webhooks/1",
        **sign_headers(
            secret=subscription.secret,
            msg_id=delivery.event_id,
            at=clock.now(),
            body=delivery.body,
        ),
    }
    try:
        response = http_client().post(
            subscription.url,
            content=delivery.body.encode(),
            headers=headers,
            timeout=settings.NOTIFY_HTTP_TIMEOUT_SECONDS,
        )
    except Exception as exc:  # any transport failure is a failed attempt, retried later
        return Outcome(ok=False, error=f"{exc.__class__.__name__}: {exc}"[:500])
    snippet = response.text[:SNIPPET_CHARS] if response.content else ""
    ok = 200 <= response.status_code < 300
    return Outcome(
        ok=ok,
        status_code=response.status_code,
        error="" if ok else f"HTTP {response.status_code}",
        snippet=snippet,
    )


def webhook_deliveries_process_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Send one batch of due rows; returns how many were attempted."""
    now = now or clock.now()
    claimed = webhook_deliveries_claim(now=now, limit=limit)
    if not claimed:
        return 0
    subscriptions = WebhookSubscription.objects.in_bulk({d.subscription_id for d in claimed})
    timer = time.perf_counter()
    # Sends in threads; each outcome recorded here as soon as it returns (database work stays
    # on this thread), so a killed worker repeats only the sends in flight.
    with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(claimed))) as pool:
        sending = {pool.submit(_send, d, subscriptions[d.subscription_id]): d for d in claimed}
        for future in as_completed(sending):
            webhook_delivery_record_outcome(sending[future], future.result())
    logger.debug("webhooks: %d sent in %.3fs", len(claimed), time.perf_counter() - timer)
    return len(claimed)


def webhook_deliveries_drain(*, max_batches: int = 50) -> int:
    """Send every due row (the worker's task and the minute sweep)."""
    total = 0
    for _batch in range(max_batches):
        sent = webhook_deliveries_process_due()
        if not sent:
            break
        total += sent
    return total


@transaction.atomic
def webhook_delivery_record_outcome(delivery: WebhookDelivery, outcome: Outcome) -> None:
    now = clock.now()
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != Status.SENDING:
        return
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.lease_until = None
    delivery.last_status_code = outcome.status_code
    delivery.response_snippet = outcome.snippet[:500]
    delivery.last_error = outcome.error[:500]
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            Status.DELIVERED,
            now,
            None,
        )
        WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(
            last_success_at=now, failing_since=None, updated_at=now
        )
        delivery.save()
        return
    if now - delivery.created_at >= GIVE_UP_AFTER:
        delivery.status, delivery.next_attempt_at = Status.FAILED, None
    else:
        delay = backoff_seconds(delivery.attempts)
        delivery.status, delivery.next_attempt_at = Status.PENDING, now + timedelta(seconds=delay)
        transaction.on_commit(lambda: wakeups.wake(WEBHOOKS, delay=delay))
    delivery.save()
    WebhookSubscription.objects.filter(
        pk=delivery.subscription_id, failing_since__isnull=True
    ).update(failing_since=now, updated_at=now)
    _disable_if_failing_for_a_day(delivery.subscription_id, now=now, error=delivery.last_error)


def _disable_if_failing_for_a_day(subscription_id: int, *, now: datetime, error: str) -> None:
    reason = _("连续 24 小时投递失败，已自动停用。最近错误：%(error)s") % {"error": error[:200]}
    turned_off = WebhookSubscription.objects.filter(
        pk=subscription_id, is_active=True, failing_since__lte=now - GIVE_UP_AFTER
    ).update(is_active=False, disabled_at=now, disabled_reason=reason[:300], updated_at=now)
    if not turned_off:
        return
    subscription = WebhookSubscription.objects.get(pk=subscription_id)
    audit_record(
        actor=None,
        action="webhook.auto_disable",
        obj=subscription,
        changes={"failing_since": str(subscription.failing_since), "error": error[:200]},
    )
    from vcassure.integrations.services.alerts import webhook_alert_administrators

    webhook_alert_administrators(subscription, error=error)
