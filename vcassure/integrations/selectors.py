"""Reads: start from visible_to(user) (administrators see every webhook, nobody else any)."""

from django.db.models import Count, Min, Q, QuerySet

from vcassure.accounts.types import UserLike
from vcassure.integrations.models import WebhookDelivery, WebhookSubscription


def webhook_subscription_list(*, user: UserLike) -> QuerySet[WebhookSubscription]:
    return (
        WebhookSubscription.objects.visible_to(user)
        .annotate(
            waiting=Count(
                "deliveries",
                filter=Q(
                    deliveries__status__in=[
                        WebhookDelivery.Status.PENDING,
                        WebhookDelivery.Status.SENDING,
                    ]
                ),
            )
        )
        .order_by("id")
    )


def webhook_subscription_get(*, user: UserLike, pk: int) -> WebhookSubscription:
    return WebhookSubscription.objects.visible_to(user).get(pk=pk)


def webhook_delivery_list(
    *, user: UserLike, subscription: WebhookSubscription, status: str = "", event_type: str = ""
) -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(
        subscription__in=WebhookSubscription.objects.visible_to(user), subscription=subscription
    )
    if status:
        qs = qs.filter(status=status)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return qs.order_by("-id")


def webhook_delivery_get(
    *, user: UserLike, subscription: WebhookSubscription, pk: int
) -> WebhookDelivery:
    return WebhookDelivery.objects.filter(
        subscription__in=WebhookSubscription.objects.visible_to(user), subscription=subscription
    ).get(pk=pk)


def webhook_deliveries_behind(
    *, subscription: WebhookSubscription, deliveries: list[WebhookDelivery]
) -> set[int]:
    """Which of these queued rows wait for an earlier queued event of the same subject (the order
    per subject): one query for the page."""
    waiting = [d for d in deliveries if d.status == WebhookDelivery.Status.PENDING]
    if not waiting:
        return set()
    first = dict(
        WebhookDelivery.objects.filter(
            subscription=subscription,
            subject__in={d.subject for d in waiting},
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING],
        )
        .values_list("subject")
        .annotate(first=Min("id"))
        .values_list("subject", "first")
    )
    return {d.pk for d in waiting if d.pk > first.get(d.subject, d.pk)}
