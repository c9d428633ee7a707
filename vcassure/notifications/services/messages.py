"""Queuing messages: personal notices with their first delivery, one digest per IM group, and
withdrawing notices that no longer apply."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from vcassure.core import clock
from vcassure.core.bulk import bulk_insert
from vcassure.notifications import calendar, tokens, wakeups
from vcassure.notifications.channels import escaping
from vcassure.notifications.channels.base import channel_registry
from vcassure.notifications.delivery import personal_channels_for, personal_delivery_build
from vcassure.notifications.models import (
    Delivery,
    ImGroup,
    Notification,
)
from vcassure.notifications.services.policies import escalation_policies, escalation_steps_for
from vcassure.orgs.models import Staff

BULK_BATCH = 500


@dataclass
class PersonalMessage:
    """One person to notify about one subject."""

    staff: Staff
    subject: str
    title: str
    body: str
    requires_ack: bool = True
    escalates: Notification | None = None
    topic: str = ""  # defaults to the batch's topic
    extra: dict = field(default_factory=dict)


def _ack_class(channels: list[str], mentioned_in_im_group: bool) -> Literal["im", "office"]:
    registry = channel_registry()
    if mentioned_in_im_group or (channels and registry[channels[0]].ack_class == "im"):
        return "im"
    return "office"


def notifications_queue(
    messages: list[PersonalMessage],
    *,
    topic: str = "",
    kind: str,
    mentioned_staff_ids: set[int] | None = None,
    now: datetime | None = None,
    ack_due_at: datetime | None = None,
) -> list[Notification]:
    """Write one Notification and its first Delivery per message (bulk), with the reply deadline
    and the escalation policy copied on. Call inside the business transaction; the queue is
    poked when it commits. `ack_due_at` replaces the R4 reply deadline when the subject has a
    tighter one of its own (a critical fault: five minutes)."""
    now = now or clock.now()
    mentioned = mentioned_staff_ids or set()
    policies = escalation_policies()
    rows: list[Notification] = []
    first_channels: list[list[str]] = []
    deadline_cache: dict[Literal["im", "office"], datetime] = {}
    for msg in messages:
        channels = personal_channels_for(msg.staff)
        ack_class = _ack_class(channels, msg.staff.pk in mentioned)
        if ack_class not in deadline_cache:
            deadline_cache[ack_class] = ack_due_at or calendar.ack_due_at(now, ack_class)
        due = deadline_cache[ack_class] if msg.requires_ack else None
        steps = escalation_steps_for(msg.staff, policies) if msg.requires_ack else []
        rows.append(
            Notification(
                recipient=msg.staff,
                kind=kind,
                topic=msg.topic or topic,
                subject=msg.subject,
                title=escaping.one_line(msg.title)[:200],
                body=msg.body,
                requires_ack=msg.requires_ack,
                ack_class=ack_class,
                ack_due_at=due,
                escalation_steps=steps,
                next_escalation_at=(due + timedelta(minutes=steps[0]["after_minutes"]))
                if steps and due
                else None,
                token_nonce=tokens.new_nonce(),
                escalates=msg.escalates,
                created_at=now,
            )
        )
        first_channels.append(channels)
    bulk_insert(rows, batch_size=BULK_BATCH)
    deliveries = []
    for notification, channels, msg in zip(rows, first_channels, messages, strict=True):
        if not channels:
            continue  # nobody to reach by message: escalation takes over at the deadline
        deliveries.append(personal_delivery_build(notification, channels[0], msg.staff, now=now))
    bulk_insert(deliveries, batch_size=BULK_BATCH)
    wakeups.outbox_wake_on_commit()
    return rows


def group_digests_queue(
    *,
    topic: str,
    groups: list[ImGroup],
    title: str,
    markdown: str,
    text: str,
    mentions: dict[int, list[str]],
    now: datetime | None = None,
) -> list[Delivery]:
    """ONE digest per group per meeting event, with @mentions of the people concerned in it
    (mentions: group id → mobiles)."""
    now = now or clock.now()
    rows = [
        Delivery(
            group=g,
            topic=topic,
            channel=g.channel_code,
            status=Delivery.Status.QUEUED,
            next_attempt_at=now,
            created_at=now,
            payload={
                "title": title,
                "markdown": markdown,
                "text": text,
                "mention_mobiles": mentions.get(g.pk, [])[:100],
            },
        )
        for g in groups
    ]
    Delivery.objects.bulk_create(rows, batch_size=BULK_BATCH)
    wakeups.outbox_wake_on_commit()
    return rows


def direct_message_queue(
    *,
    topic: str,
    channel: str,
    title: str,
    text: str,
    name: str = "",
    mobile: str = "",
    email: str = "",
    now: datetime | None = None,
) -> Delivery:
    """One message to someone who is not staff (an integrator's contact) on one personal channel
    ("sms" or "email"), sent by the outbox like any other delivery; nothing to acknowledge."""
    now = now or clock.now()
    delivery = Delivery.objects.create(
        topic=topic,
        channel=channel,
        status=Delivery.Status.QUEUED,
        next_attempt_at=now,
        created_at=now,
        payload={
            "title": escaping.one_line(title)[:200],
            "text": text,
            "link_url": "",
            "recipient": {"staff_id": None, "name": name, "mobile": mobile, "email": email},
        },
    )
    wakeups.outbox_wake_on_commit()
    return delivery


def notifications_cancel(*, topic: str, subjects: Iterable[str] | None = None) -> int:
    """Withdraw open notices (meeting cancelled or rescheduled): no more sends, no escalation."""
    qs = Notification.objects.filter(topic=topic, acknowledged_at__isnull=True, is_cancelled=False)
    if subjects is not None:
        qs = qs.filter(subject__in=list(subjects))
    ids = list(qs.values_list("id", flat=True))
    now = clock.now()
    Notification.objects.filter(pk__in=ids).update(
        is_cancelled=True, next_escalation_at=None, updated_at=now
    )
    Delivery.objects.filter(notification_id__in=ids, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.CANCELLED, last_error="withdrawn", updated_at=now
    )
    return len(ids)
