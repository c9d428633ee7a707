"""Subscriptions: create and change one (validated at the edge, audited), and replay a delivery
from the log."""

import base64
import binascii
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.outbound import check_outbound_url
from vcassure.core.services import audit_record
from vcassure.integrations.models import EventType, WebhookDelivery, WebhookSubscription
from vcassure.integrations.services.events import wake_sender_on_commit

SECRET_PREFIX = "whsec_"  # noqa: S105 (the scheme's prefix, not a secret)
SECRET_BYTES = (24, 64)


def secret_generate() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def masked_secret(secret: str) -> str:
    return f"{SECRET_PREFIX}****{secret[-4:]}" if secret else ""


def _require_admin(user: UserLike) -> None:
    if not (user.is_authenticated and user.is_administrator):
        raise PermissionDenied(_("只有系统管理员可以管理 Webhook。"))


def _validate(*, url: str, secret: str, events: list[str], description: str) -> list[dict]:
    errors: list[dict] = []
    if not url:
        errors.append({"field": "url", "message": _("请填写接收地址。")})
    elif len(url) > 500:
        errors.append({"field": "url", "message": _("接收地址不能超过 500 个字符。")})
    else:
        try:
            check_outbound_url(url, field="url")
        except InvalidInputError as exc:
            errors.extend(exc.errors)
    if not events:
        errors.append({"field": "events", "message": _("请至少选择一种事件类型。")})
    unknown = [str(e) for e in events if e not in EventType.values]
    if unknown:
        errors.append(
            {
                "field": "events",
                "message": _("未知的事件类型：%(types)s。") % {"types": "、".join(unknown)},
            }
        )
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else None
    try:
        size = len(base64.b64decode(raw, validate=True)) if raw else 0
    except (binascii.Error, ValueError):
        size = 0
    if not SECRET_BYTES[0] <= size <= SECRET_BYTES[1]:
        errors.append(
            {
                "field": "secret",
                "message": _(
                    "密钥格式应为 whsec_ 加 Base64 编码的 24 至 64 字节随机数；留空则自动生成。"
                ),
            }
        )
    if len(description) > 200:
        errors.append({"field": "description", "message": _("说明不能超过 200 个字符。")})
    return errors


def _clean_events(events) -> list[str]:
    seen: list[str] = []
    for event in events or []:
        if event not in seen:
            seen.append(str(event))
    return seen


@transaction.atomic
def webhook_subscription_create(
    *,
    by: UserLike,
    url: str,
    events: list[str],
    secret: str = "",
    description: str = "",
    is_active: bool = True,
) -> WebhookSubscription:
    _require_admin(by)
    url, description, events = url.strip(), description.strip(), _clean_events(events)
    secret = secret.strip() or secret_generate()
    errors = _validate(url=url, secret=secret, events=events, description=description)
    if errors:
        raise InvalidInputError(_("Webhook 信息有误。"), errors=errors)
    subscription = WebhookSubscription.objects.create(
        url=url,
        secret=secret,
        events=events,
        description=description,
        is_active=is_active,
        created_by=actor(by),
    )
    audit_record(
        actor=by,
        action="webhook.create",
        obj=subscription,
        changes={"url": url, "events": events, "is_active": is_active},
    )
    return subscription


@transaction.atomic
def webhook_subscription_update(
    subscription: WebhookSubscription, *, by: UserLike, **fields
) -> WebhookSubscription:
    """Change the given fields (url, secret, events, description, is_active). Turning a
    subscription back on clears its failure record: its waiting deliveries go out again, in order."""
    _require_admin(by)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if "url" in fields:
        fields["url"] = (fields["url"] or "").strip()
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    if "events" in fields:
        fields["events"] = _clean_events(fields["events"])
    if "secret" in fields:
        fields["secret"] = (fields["secret"] or "").strip() or subscription.secret
    merged = {
        name: fields.get(name, getattr(subscription, name))
        for name in ("url", "secret", "events", "description")
    }
    errors = _validate(**merged)
    if errors:
        raise InvalidInputError(_("Webhook 信息有误。"), errors=errors)
    changed = [name for name, value in fields.items() if getattr(subscription, name) != value]
    turned_on = fields.get("is_active") is True and not subscription.is_active
    for name, value in fields.items():
        setattr(subscription, name, value)
    if turned_on:
        subscription.failing_since = None
        subscription.disabled_at = None
        subscription.disabled_reason = ""
        # Waiting rows may have backed off for an hour: try them now.
        WebhookDelivery.objects.filter(
            subscription=subscription, status=WebhookDelivery.Status.PENDING
        ).update(next_attempt_at=clock.now(), updated_at=clock.now())
        wake_sender_on_commit()
    subscription.save()
    audit_record(
        actor=by,
        action="webhook.update",
        obj=subscription,
        changes={
            "fields": [c for c in changed if c != "secret"]
            + (["secret"] if "secret" in changed else [])
        },
    )
    return subscription


@transaction.atomic
def webhook_delivery_replay(delivery: WebhookDelivery, *, by: UserLike) -> WebhookDelivery:
    """Send a logged event again: a new row with the same event id (so a receiver that keeps the
    ids it has seen can tell), after any earlier undelivered event of the same subject."""
    _require_admin(by)
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status in (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING):
        raise ConflictError(_("该事件还在发送队列中，无需重放。"), code="pending")
    now = clock.now()
    replay = WebhookDelivery.objects.create(
        subscription_id=delivery.subscription_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        subject=delivery.subject,
        body=delivery.body,
        next_attempt_at=now,
        replay_of=delivery,
    )
    audit_record(
        actor=by,
        action="webhook.replay",
        obj=delivery.subscription,
        changes={"delivery": delivery.pk, "replay": replay.pk, "event_id": delivery.event_id},
    )
    wake_sender_on_commit()
    return replay
