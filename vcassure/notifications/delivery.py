"""Building a personal delivery: which channels reach a person (each channel says what it needs:
a setting of the platform and an address of the person), and the row the outbox sends."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings

from vcassure.notifications import tokens
from vcassure.notifications.channels.base import Channel, channel_registry
from vcassure.notifications.models import Delivery, Notification
from vcassure.orgs.models import Staff


def channel_is_configured(channel: Channel) -> bool:
    """A personal channel the platform is set up to use (its provider's setting is present)."""
    setting = getattr(channel, "required_setting", "")
    return bool(setting and getattr(settings, setting, ""))


def personal_channels_for(staff: Staff, *, only: Iterable[str] | None = None) -> list[str]:
    """The channels that can reach this person, in the configured order."""
    registry = channel_registry()
    order = list(only) if only is not None else settings.PERSONAL_CHANNEL_ORDER
    result = []
    for code in order:
        channel = registry.get(code)
        if channel is None or channel.kind != "personal" or not channel_is_configured(channel):
            continue
        if getattr(staff, channel.address_field, ""):
            result.append(code)
    return result


def recipient_payload(staff: Staff) -> dict:
    return {
        "staff_id": staff.pk,
        "name": staff.name,
        "mobile": staff.mobile,
        "email": staff.email,
        "dingtalk_user_id": staff.dingtalk_user_id,
        "wecom_user_id": staff.wecom_user_id,
    }


def personal_delivery_build(
    notification: Notification,
    channel: str,
    staff: Staff,
    *,
    now: datetime,
    failover_of: Delivery | None = None,
) -> Delivery:
    """The unsaved delivery of a notice to a person on one channel, with its signed ack link."""
    link = tokens.ack_url(
        tokens.make_token(
            notification_id=notification.pk, staff_id=staff.pk, nonce=notification.token_nonce
        )
    )
    return Delivery(
        notification=notification,
        topic=notification.topic,
        channel=channel,
        status=Delivery.Status.QUEUED,
        next_attempt_at=now,
        created_at=now,
        failover_of=failover_of,
        payload={
            "title": notification.title,
            "text": notification.body,
            "link_url": link if notification.requires_ack else "",
            "recipient": recipient_payload(staff),
        },
    )
