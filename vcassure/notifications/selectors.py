"""Reads for notifications, each scoped to the user's org subtree."""

from datetime import datetime

from django.db.models import Max, Prefetch, Q, QuerySet

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.notifications.models import (
    Delivery,
    DeliveryAttempt,
    ImGroup,
    Notification,
    PhoneCallTask,
)
from vcassure.orgs.scoping import scope_q


def im_group_list(*, user: UserLike, purpose: str = "", platform: str = "") -> QuerySet[ImGroup]:
    qs = ImGroup.objects.visible_to(user).select_related("org_unit")
    if purpose:
        qs = qs.filter(purpose=purpose)
    if platform:
        qs = qs.filter(platform=platform)
    return qs


def im_group_get(*, user: UserLike, pk: int) -> ImGroup:
    return ImGroup.objects.visible_to(user).select_related("org_unit").get(pk=pk)


def delivery_list(
    *,
    user: UserLike,
    topic: str = "",
    status: str = "",
    channel: str = "",
    recipient: int | None = None,
    recipient_name: str = "",
) -> QuerySet[Delivery]:
    """Deliveries to people in the user's subtree and into groups of the user's subtree."""
    qs = (
        Delivery.objects.select_related("notification__recipient", "group")
        .prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("at", "id"))
        )
        .filter(scope_q(user, "notification__recipient__org_unit__path", "group__org_unit__path"))
    )
    if topic:
        qs = qs.filter(topic=topic)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if recipient:
        qs = qs.filter(notification__recipient_id=recipient)
    if recipient_name:
        qs = qs.filter(
            Q(notification__recipient__name__icontains=recipient_name)
            | Q(group__name__icontains=recipient_name)
        )
    return qs.order_by("-id")


def unanswered_list(
    *, user: UserLike, topic: str = "", now: datetime | None = None
) -> QuerySet[Notification]:
    """The dispatch desk's list: people who have not acknowledged, by deadline."""
    now = now or clock.now()
    qs = Notification.objects.visible_to(user).unanswered().filter(ack_due_at__isnull=False)
    if topic:
        qs = qs.filter(topic=topic)
    return qs.select_related("recipient__org_unit", "recipient__supervisor").order_by(
        "ack_due_at", "id"
    )


def phone_call_list(*, user: UserLike, pending_only: bool = True) -> QuerySet[PhoneCallTask]:
    qs = PhoneCallTask.objects.filter(notification__in=Notification.objects.visible_to(user))
    if pending_only:
        qs = qs.filter(outcome=PhoneCallTask.Outcome.PENDING)
    return qs.select_related("notification__recipient__org_unit").order_by("created_at")


def delivery_get(*, user: UserLike, pk: int) -> Delivery:
    """One delivery with its attempts, if it is in the user's scope (Delivery.DoesNotExist if not)."""
    return delivery_list(user=user).get(pk=pk)


def phone_call_get(*, user: UserLike, pk: int) -> PhoneCallTask:
    """One phone-call task of the user's scope, whatever its outcome (DoesNotExist if not)."""
    return phone_call_list(user=user, pending_only=False).get(pk=pk)


RECENT_TOPICS = 100


def recent_topics(*, user: UserLike) -> list[str]:
    """The topics (meetings) of the most recent notices the user may see, newest first: the
    choices of the desk's and the delivery log's meeting filter. One query."""
    return list(
        Notification.objects.visible_to(user)
        .exclude(topic="")
        .values("topic")
        .annotate(last=Max("created_at"))
        .order_by("-last")
        .values_list("topic", flat=True)[:RECENT_TOPICS]
    )
