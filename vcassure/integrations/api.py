"""Outbound webhooks (SPEC §6.2), administrators only: another role's list or create is a 403, its
request for one webhook a 404 (visible_to)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from vcassure.core.api import LimitOffsetPagination
from vcassure.core.idempotency import idempotent
from vcassure.core.schemas import ErrorOut
from vcassure.integrations import selectors, services
from vcassure.integrations.models import EventType, WebhookDelivery
from vcassure.integrations.permissions import can_manage_webhooks
from vcassure.integrations.schemas import (
    WebhookCreatedOut,
    WebhookDeliveryOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)

router = Router(tags=["webhooks"])


class DeliveryFilter(Schema):
    status: WebhookDelivery.Status | None = None
    event_type: EventType | None = None


def _require_admin(request: HttpRequest) -> None:
    if not can_manage_webhooks(request.user):
        raise PermissionDenied(_("只有系统管理员可以管理 Webhook。"))


@router.get(
    "/webhooks",
    response={200: list[WebhookOut], 403: ErrorOut},
    summary="Outbound webhooks (administrators)",
)
@paginate(LimitOffsetPagination)
def webhook_list(request: HttpRequest):
    _require_admin(request)
    return selectors.webhook_subscription_list(user=request.user)


@router.post(
    "/webhooks",
    response={201: WebhookCreatedOut, 403: ErrorOut, 422: ErrorOut},
    summary="Add an outbound webhook (the secret is shown in full in this answer only)",
)
@idempotent
def webhook_create(request: HttpRequest, body: WebhookIn):
    _require_admin(request)
    return Status(201, services.webhook_subscription_create(by=request.user, **body.dict()))


@router.patch(
    "/webhooks/{int:webhook_id}",
    response={200: WebhookOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change an outbound webhook (is_active true turns a disabled one back on)",
)
def webhook_patch(request: HttpRequest, webhook_id: int, body: WebhookPatch):
    subscription = selectors.webhook_subscription_get(user=request.user, pk=webhook_id)
    data = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    return services.webhook_subscription_update(subscription, by=request.user, **data)


@router.get(
    "/webhooks/{int:webhook_id}/deliveries",
    response=list[WebhookDeliveryOut],
    summary="The delivery log of a webhook, newest first",
)
@paginate(LimitOffsetPagination)
def webhook_delivery_list(request: HttpRequest, webhook_id: int, filters: Query[DeliveryFilter]):
    subscription = selectors.webhook_subscription_get(user=request.user, pk=webhook_id)
    return selectors.webhook_delivery_list(
        user=request.user,
        subscription=subscription,
        status=filters.status or "",
        event_type=filters.event_type or "",
    )


@router.post(
    "/webhooks/{int:webhook_id}/deliveries/{int:delivery_id}/replay",
    response={202: WebhookDeliveryOut, 404: ErrorOut, 409: ErrorOut},
    summary="Send a logged event again (same webhook-id), after its subject's earlier events",
)
def webhook_delivery_replay(request: HttpRequest, webhook_id: int, delivery_id: int):
    subscription = selectors.webhook_subscription_get(user=request.user, pk=webhook_id)
    delivery = selectors.webhook_delivery_get(
        user=request.user, subscription=subscription, pk=delivery_id
    )
    return Status(202, services.webhook_delivery_replay(delivery, by=request.user))
