"""Recording events: one outbox row per event × subscription that wants it, written in one bulk
INSERT per batch (a publish that moves a thousand tasks is one statement, not a thousand), and one
wake-up of the sender when the rows are committed. The rows are the truth: the minute sweep sends
whatever a lost wake-up would have."""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from vcassure.integrations.models import WebhookDelivery, WebhookSubscription
from vcassure.notifications import wakeups

WEBHOOKS = "webhooks"  # the wake-up name of the sender task (tasks.py)


@dataclass(frozen=True)
class Event:
    type: str
    subject: str  # "meeting:3", "task:12": deliveries of one subject keep their order
    at: datetime
    data: dict[str, Any]


def iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def event_body(event: Event) -> str:
    """The JSON POSTed: {"type", "timestamp", "data"} (SPEC §6.2), compact, UTF-8 as it is."""
    return json.dumps(
        {"type": event.type, "timestamp": iso(event.at), "data": event.data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _wake() -> None:
    wakeups.wake(WEBHOOKS)


def wake_sender_on_commit() -> None:
    transaction.on_commit(_wake)


def webhook_events_record(events: Iterable[Event]) -> int:
    """Queue the events for every active subscription that asked for their type. Call inside the
    business transaction when there is one (the rows commit or roll back with it)."""
    events = list(events)
    if not events:
        return 0
    wanted = {e.type for e in events}
    subscriptions = [
        (s.pk, set(s.events))
        for s in WebhookSubscription.objects.filter(is_active=True).only("id", "events")
    ]
    subscriptions = [(pk, types & wanted) for pk, types in subscriptions if types & wanted]
    if not subscriptions:
        return 0
    rows = []
    for event in events:
        event_id = f"msg_{uuid.uuid4().hex}"
        body = event_body(event)
        for pk, types in subscriptions:
            if event.type in types:
                rows.append(
                    WebhookDelivery(
                        subscription_id=pk,
                        event_id=event_id,
                        event_type=event.type,
                        subject=event.subject[:40],
                        body=body,
                        next_attempt_at=event.at,
                    )
                )
    if not rows:
        return 0
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(rows, batch_size=1000)
        wake_sender_on_commit()
    return len(rows)
